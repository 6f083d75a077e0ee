#include "platform/money.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace shop {

bool is_currency_code(std::string_view c) noexcept {
    if (c.size() != 3) return false;
    for (char ch : c)
        if (ch < 'A' || ch > 'Z') return false;
    return true;
}

namespace {
// ISO 4217 codes of circulating currencies (158), sorted.
constexpr std::string_view kIso4217[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL",
    "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
    "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
    "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
    "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL"};
}  // namespace

bool is_iso4217_currency(std::string_view c) noexcept { return std::binary_search(std::begin(kIso4217), std::end(kIso4217), c); }

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
