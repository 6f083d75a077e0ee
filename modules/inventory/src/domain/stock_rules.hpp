#pragma once
// Pure stock rules: what a SKU's levels add up to, where a reservation takes its units from, when a
// level is low, what an adjustment may do. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shop::inventory::domain {

/// One warehouse's level of a SKU, with what active reservations hold there.
struct Level {
    std::string warehouse;
    std::int64_t on_hand = 0;
    std::int64_t reserved = 0;
    std::int64_t low_stock_threshold = 0;
    std::int64_t priority = 0;  ///< of the warehouse
};

/// A SKU's backorder setting.
struct Backorders {
    bool backorderable = false;
    std::int64_t limit = 0;  ///< most units reserved beyond stock at once
};

/// Stock nobody holds in a level: on_hand - reserved, never negative.
std::int64_t free_of(const Level& l);
/// Units reserved beyond a level's stock (a backorder), never negative.
std::int64_t backordered_of(const Level& l);
/// A level is low when it has a threshold (> 0) and its free stock is at or below it.
bool is_low(const Level& l);

struct Totals {
    std::int64_t on_hand = 0, reserved = 0, free = 0, backordered = 0;
    std::int64_t available = 0;  ///< free + the backorder allowance left (backorderable SKUs)
    bool in_stock = false;       ///< free > 0
};
Totals totals(const std::vector<Level>& levels, const Backorders& backorders);

/// Units a reservation takes from one warehouse; `backorder`: beyond that warehouse's stock.
struct Take {
    std::string warehouse;
    std::int64_t quantity = 0;
    bool backorder = false;

    bool operator==(const Take&) const = default;
};

/// The allocation rule. Free stock is taken from the warehouses with the most free stock first
/// (one order ships from as few warehouses as possible), ties broken by higher priority, then by
/// code. What free stock cannot cover is a backorder, allowed for a backorderable SKU up to the
/// allowance left, held in `backorder_warehouse` (the highest-priority warehouse). nullopt when the
/// quantity cannot be had.
std::optional<std::vector<Take>> allocate(std::vector<Level> levels, std::int64_t quantity, const Backorders& backorders,
                                          const std::string& backorder_warehouse);

/// Why a level may not change by `delta` (on_hand would go below 0 or below what non-backorder
/// reservations hold there), or "" when it may.
std::string adjustment_problem(std::int64_t on_hand, std::int64_t held, std::int64_t delta);

}  // namespace shop::inventory::domain
