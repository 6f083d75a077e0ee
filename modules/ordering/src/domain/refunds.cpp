#include "domain/refunds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "platform/json_input.hpp"

namespace shop::ordering::domain {

std::string status_after_refund(std::string_view status, std::int64_t refunded, std::int64_t captured) {
    if (captured <= 0 || refunded <= 0 || !refundable_status(status)) return std::string(status);
    if (refunded >= captured) return "refunded";
    if (status == "delivered") return "partially_refunded";
    return std::string(status);
}

bool refundable_status(std::string_view status) noexcept {
    static constexpr std::array<std::string_view, 5> kRefundable = {"confirmed", "processing", "shipped", "delivered", "partially_refunded"};
    return std::find(kRefundable.begin(), kRefundable.end(), status) != kRefundable.end();
}

bool can_move_return(std::string_view from, std::string_view to) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kAllowed = {{
        {"requested", "approved"},
        {"requested", "rejected"},
        {"approved", "received"},
        {"approved", "rejected"},
    }};
    return std::find(kAllowed.begin(), kAllowed.end(), std::pair{from, to}) != kAllowed.end();
}

namespace {

/// Checks `asked` against `left(line)` per line; errors name lines[i].line_id / lines[i].quantity.
template <class Left>
Result<std::vector<AskedLine>> check_lines(const std::vector<LineUnits>& order, const std::vector<AskedLine>& asked, Left left,
                                           std::string_view what) {
    std::vector<FieldError> errors;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < asked.size(); ++i) {
        const auto& a = asked[i];
        auto it = std::find_if(order.begin(), order.end(), [&](const LineUnits& l) { return l.line_id == a.line_id; });
        if (it == order.end()) {
            errors.push_back({fmt::format("lines[{}].line_id", i), "is not a line of this order"});
            continue;
        }
        if (!seen.insert(a.line_id).second) {
            errors.push_back({fmt::format("lines[{}].line_id", i), "appears more than once"});
            continue;
        }
        std::int64_t n = left(*it);
        if (a.quantity > n) errors.push_back({fmt::format("lines[{}].quantity", i), fmt::format("exceeds what can be {} ({})", what, n)});
    }
    if (!errors.empty()) return validation_error(std::move(errors));
    return asked;
}

}  // namespace

Result<std::vector<AskedLine>> plan_return(const std::vector<LineUnits>& order, const std::vector<AskedLine>& asked) {
    return check_lines(order, asked, [](const LineUnits& l) { return std::max<std::int64_t>(0, l.delivered - l.returned); },
                       "returned: delivered and not returned yet");
}

Result<std::vector<AskedLine>> plan_restock(const std::vector<LineUnits>& order, const std::optional<std::vector<AskedLine>>& asked) {
    if (asked) return check_lines(order, *asked, [](const LineUnits& l) { return l.quantity - l.restocked; }, "restocked: ordered and not restocked yet");
    std::vector<AskedLine> all;
    for (auto& l : order)
        if (l.quantity > l.restocked) all.push_back({l.line_id, l.quantity - l.restocked});
    return all;
}

std::int64_t returned_value(std::int64_t paid_for_goods, std::int64_t subtotal, const LineUnits& line, std::int64_t quantity) {
    if (subtotal <= 0 || line.quantity <= 0 || quantity <= 0 || paid_for_goods <= 0) return 0;
    __int128 v = static_cast<__int128>(paid_for_goods) * line.line_total * quantity;
    v /= static_cast<__int128>(subtotal) * line.quantity;
    return static_cast<std::int64_t>(v);
}

}  // namespace shop::ordering::domain
