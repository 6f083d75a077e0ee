#include "domain/order_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>


namespace shop::ordering::domain {

bool can_transition(std::string_view from, std::string_view to) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kAllowed = {{
        {"pending_payment", "confirmed"},
        {"pending_payment", "cancelled"},
        {"confirmed", "processing"},
        {"confirmed", "cancelled"},
        {"processing", "shipped"},
        {"processing", "cancelled"},
        {"shipped", "delivered"},
        // A refund of everything captured, before delivery too (domain/refunds.hpp).
        {"confirmed", "refunded"},
        {"processing", "refunded"},
        {"shipped", "refunded"},
        {"delivered", "refunded"},
        {"delivered", "partially_refunded"},
        {"partially_refunded", "refunded"},
    }};
    return std::find(kAllowed.begin(), kAllowed.end(), std::pair{from, to}) != kAllowed.end();
}

}  // namespace shop::ordering::domain
