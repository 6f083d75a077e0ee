#pragma once
// inventory: stock per SKU per warehouse, reservations with a TTL, and the movements ledger.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"

namespace shop::inventory {

struct Availability {
    std::string sku;
    std::int64_t on_hand = 0;      ///< physically in the warehouses
    std::int64_t reserved = 0;     ///< held by unpaid orders (and paid backorders awaiting stock)
    std::int64_t free = 0;         ///< stock nobody holds: per warehouse on_hand - reserved, never negative
    std::int64_t backordered = 0;  ///< units reserved beyond the stock of their warehouse
    /// Units a reservation can take now: `free` plus, for a backorderable SKU, what is left of its
    /// backorder allowance (`backorder_limit - backordered`). This is what carts and checkout may sell.
    std::int64_t available = 0;
    bool in_stock = false;  ///< free > 0
    bool backorderable = false;
    std::int64_t backorder_limit = 0;  ///< most units reserved beyond stock at once (backorderable SKUs)
};

struct ReserveLine {
    std::string sku;
    std::int64_t quantity = 0;
};

/// The service face of inventory. Thread-safe; reservations never oversell (they are decided
/// inside one write transaction that first writes the SKU's rows, so concurrent ones conflict).
class InventoryApi {
public:
    virtual ~InventoryApi() = default;
    virtual Availability availability(std::string_view sku) = 0;
    /// Reserves every line for `reference` (an order id) for the configured TTL, or nothing:
    /// inventory::errc::out_of_stock naming the first short SKU. Idempotent per reference.
    /// Each line takes free stock by the allocation rule (most free stock first, then higher
    /// warehouse priority, then code); a backorderable SKU may take its remaining backorder
    /// allowance beyond that, held in its highest-priority warehouse.
    virtual Result<void> reserve(const Ctx& ctx, const std::string& reference, const std::vector<ReserveLine>& lines) = 0;
    /// Releases the active reservations of `reference` (compensation of a failed checkout).
    virtual Result<void> release(const Ctx& ctx, const std::string& reference) = 0;
    /// References (order ids) holding active reservations made before `before_ms`, oldest first,
    /// at most `limit`: ordering releases those whose order was never written (a crash between
    /// the reservation and the order).
    virtual std::vector<std::string> held_references(std::int64_t before_ms, int limit) = 0;
    /// Sets the on-hand level of a SKU in a warehouse (`main` always exists).
    virtual Result<void> set_stock(const Ctx& ctx, std::string_view sku, std::string_view warehouse, std::int64_t on_hand,
                                   std::optional<std::int64_t> low_stock_threshold) = 0;
    /// Changes on_hand of a SKU in a warehouse by `delta`, recorded as a movement with `reason`
    /// (as POST /admin/inventory/{sku}/adjustments does).
    virtual Result<void> adjust_stock(const Ctx& ctx, const std::string& sku, const std::string& warehouse, std::int64_t delta,
                                      const std::string& reason) = 0;
    /// Warehouse codes, sorted.
    virtual std::vector<std::string> warehouse_codes() = 0;
    /// The SKU's on-hand stock per warehouse where it has a level, by warehouse code.
    virtual std::vector<std::pair<std::string, std::int64_t>> on_hand_levels(std::string_view sku) = 0;
    /// Creates a warehouse; 409 when the code exists.
    virtual Result<void> add_warehouse(const Ctx& ctx, const std::string& code, const std::string& name, std::int64_t priority) = 0;
};

}  // namespace shop::inventory
