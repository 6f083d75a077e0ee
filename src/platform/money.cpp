#include "platform/money.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace shop {

bool is_currency_code(std::string_view c) noexcept {
    if (c.size() != 3) return false;
    for (char ch : c)
        if (ch < 'A' || ch > 'Z') return false;
    return true;
}

int minor_digits(std::string_view c) noexcept {
    for (auto z : {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF"})
        if (c == z) return 0;
    for (auto t : {"BHD", "KWD", "OMR", "JOD", "TND", "LYD", "IQD"})
        if (c == t) return 3;
    return 2;
}

boost::json::value to_json(const Money& m) {
    return boost::json::object{{"amount", m.amount}, {"currency", m.currency}};
}

std::string format_money(const Money& m) {
    int digits = minor_digits(m.currency);
    std::int64_t a = m.amount < 0 ? -m.amount : m.amount;
    std::string sign = m.amount < 0 ? "-" : "";
    if (digits == 0) return fmt::format("{} {}{}", m.currency, sign, a);
    std::int64_t div = digits == 3 ? 1000 : 100;
    return fmt::format("{} {}{}.{:0{}}", m.currency, sign, a / div, a % div, digits);
}

}  // namespace shop
