#pragma once
// Pure fulfilment rules: what a shipment may carry. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/error.hpp"

namespace shop::ordering::domain {

/// An order line and how many of its units have shipped so far.
struct LineToShip {
    std::string line_id;
    std::int64_t ordered = 0;
    std::int64_t shipped = 0;
};

/// A line and quantity asked to go into a shipment (`lines[i]` of the request).
struct ShipLine {
    std::string line_id;
    std::int64_t quantity = 0;
};

/// What a shipment carries, and whether it is the order's last.
struct ShipmentPlan {
    std::vector<ShipLine> lines;  ///< in the order's line order for "everything left", else as asked
    bool completes = false;       ///< after it, every unit of the order has shipped
};

/// The shipment for `requested` (none: every unit not shipped yet). An unknown or repeated line
/// is 422 naming `lines[i].line_id`; more than is left is 422 naming `lines[i].quantity`; nothing
/// left to ship is 409 invalid_state.
Result<ShipmentPlan> plan_shipment(const std::vector<LineToShip>& order, const std::optional<std::vector<ShipLine>>& requested);

}  // namespace shop::ordering::domain
