#include "domain/fulfilment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "ordering/errors.hpp"
#include "platform/json_input.hpp"

namespace shop::ordering::domain {

Result<ShipmentPlan> plan_shipment(const std::vector<LineToShip>& order, const std::optional<std::vector<ShipLine>>& requested) {
    ShipmentPlan plan;
    std::int64_t left_before = 0;
    for (auto& l : order) left_before += l.ordered - l.shipped;
    if (left_before <= 0)
        return Error(errc::invalid_transition, "every unit of this order has already shipped", {{"status", "is shipped: nothing is left to ship"}});
    if (!requested) {
        for (auto& l : order)
            if (l.ordered > l.shipped) plan.lines.push_back({l.line_id, l.ordered - l.shipped});
        plan.completes = true;
        return plan;
    }
    std::vector<FieldError> errors;
    std::set<std::string> seen;
    std::int64_t shipping = 0;
    for (std::size_t i = 0; i < requested->size(); ++i) {
        const auto& r = (*requested)[i];
        auto it = std::find_if(order.begin(), order.end(), [&](const LineToShip& l) { return l.line_id == r.line_id; });
        if (it == order.end()) {
            errors.push_back({fmt::format("lines[{}].line_id", i), "is not a line of this order"});
            continue;
        }
        if (!seen.insert(r.line_id).second) {
            errors.push_back({fmt::format("lines[{}].line_id", i), "appears more than once"});
            continue;
        }
        std::int64_t left = it->ordered - it->shipped;
        if (r.quantity > left) {
            errors.push_back({fmt::format("lines[{}].quantity", i),
                              left == 0 ? "exceeds what is left to ship: this line has fully shipped"
                                        : fmt::format("exceeds what is left to ship ({} of {})", left, it->ordered)});
            continue;
        }
        plan.lines.push_back(r);
        shipping += r.quantity;
    }
    if (!errors.empty()) return validation_error(std::move(errors));
    plan.completes = shipping == left_before;
    return plan;
}

}  // namespace shop::ordering::domain
