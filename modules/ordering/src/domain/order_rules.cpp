#include "domain/order_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "platform/json_input.hpp"

namespace shop::ordering::domain {

bool can_transition(std::string_view from, std::string_view to) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kAllowed = {{
        {"pending_payment", "confirmed"},
        {"pending_payment", "cancelled"},
        {"confirmed", "processing"},
        {"confirmed", "cancelled"},
        {"processing", "shipped"},
        {"processing", "cancelled"},
        {"shipped", "delivered"},
        {"delivered", "refunded"},
        {"delivered", "partially_refunded"},
        {"partially_refunded", "refunded"},
    }};
    return std::find(kAllowed.begin(), kAllowed.end(), std::pair{from, to}) != kAllowed.end();
}

Totals compute_totals(std::int64_t subtotal, std::int64_t discount, std::int64_t shipping, std::int64_t tax) {
    Totals t{subtotal, std::min(discount, subtotal), shipping, tax, 0};
    t.total = std::max<std::int64_t>(0, t.subtotal - t.discount + t.shipping + t.tax);
    return t;
}

boost::json::object read_address(const boost::json::object& addr, const std::string& path, std::vector<FieldError>& errors) {
    FieldReader f(addr, errors, path);
    boost::json::object out;
    out["name"] = f.required_string("name", 200);
    out["line1"] = f.required_string("line1", 200);
    if (auto v = f.optional_string("line2", 200)) out["line2"] = *v;
    out["city"] = f.required_string("city", 100);
    if (auto v = f.optional_string("region", 100)) out["region"] = *v;
    out["postal_code"] = f.required_string("postal_code", 20);
    std::string country = f.required_string("country", 2);
    if (!country.empty()) {
        bool ok = country.size() == 2 && std::isalpha(static_cast<unsigned char>(country[0])) &&
                  std::isalpha(static_cast<unsigned char>(country[1]));
        if (!ok) f.fail("country", "must be an ISO 3166-1 alpha-2 code such as US");
        for (auto& c : country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    out["country"] = country;
    if (auto v = f.optional_string("phone", 40)) out["phone"] = *v;
    return out;
}

}  // namespace shop::ordering::domain
