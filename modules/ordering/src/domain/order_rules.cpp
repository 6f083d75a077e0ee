#include "domain/order_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>


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

}  // namespace shop::ordering::domain
