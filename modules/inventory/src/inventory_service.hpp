#pragma once
#include <boost/json/value.hpp>
#include <functional>
#include <map>

#include "catalog/api.hpp"
#include "domain/stock_rules.hpp"
#include "inventory/api.hpp"
#include "platform/log.hpp"

namespace shop::db {
class Database;
class Sql;
class Tx;
}

namespace shop::inventory {

using LevelRow = domain::Level;

/// Everything an admin sees of one SKU.
struct StockReport {
    Availability availability;
    std::int64_t sold = 0;
    bool low_stock = false;  ///< some level is at or below its threshold
    std::vector<LevelRow> levels;
};

struct WarehouseRow {
    std::string code, name;
    std::int64_t priority = 0;
};

struct MovementRow {
    std::string id, sku, warehouse;
    std::int64_t delta = 0;
    std::string reason, reference, actor, created_at;
};

/// What PUT /admin/inventory/{sku} may change; absent fields stay as they are.
struct StockUpdate {
    std::string warehouse = "main";
    std::optional<std::int64_t> on_hand, low_stock_threshold;
    std::optional<bool> backorderable;
    std::optional<std::int64_t> backorder_limit;
};

/// Renders the stock of a SKU as the reply recorded for an Idempotency-Key.
using RenderStock = std::function<boost::json::value(const StockReport&)>;

class InventoryService final : public InventoryApi {
public:
    InventoryService(db::Database& db, Logger& log, catalog::CatalogApi& catalog, std::int64_t reservation_ttl_ms)
        : db_(db), log_(log), catalog_(catalog), ttl_ms_(reservation_ttl_ms) {}

    Availability availability(std::string_view sku) override;
    Result<void> reserve(const Ctx& ctx, const std::string& reference, const std::vector<ReserveLine>& lines) override;
    Result<void> release(const Ctx& ctx, const std::string& reference) override;
    std::vector<std::string> held_references(std::int64_t before_ms, int limit) override;
    Result<void> set_stock(const Ctx& ctx, std::string_view sku, std::string_view warehouse, std::int64_t on_hand,
                           std::optional<std::int64_t> low_stock_threshold) override;

    /// not_found unless a product has `sku` and the caller may manage it (admins: any; vendors:
    /// their own products' SKUs, another vendor's answers as if unknown).
    Result<void> adjust_stock(const Ctx& ctx, const std::string& sku, const std::string& warehouse, std::int64_t delta,
                              const std::string& reason) override {
        return adjust(ctx, sku, warehouse, delta, reason, {});
    }
    Result<void> add_warehouse(const Ctx& ctx, const std::string& code, const std::string& name, std::int64_t priority) override {
        auto r = create_warehouse(ctx, {code, name, priority}, {});
        if (!r) return r.error();
        return {};
    }
    Result<void> check_access(const Ctx& ctx, const std::string& sku);
    /// not_found unless a product has `sku`.
    Result<void> check_known(const std::string& sku);

    StockReport report(std::string_view sku);
    Result<void> update_stock(const Ctx& ctx, const std::string& sku, const StockUpdate& update);
    /// Changes on_hand of one warehouse by `delta` (a movement with `reason`); records the stock
    /// rendered by `render` as the request's reply.
    Result<void> adjust(const Ctx& ctx, const std::string& sku, const std::string& warehouse, std::int64_t delta,
                        const std::string& reason, const RenderStock& render);

    std::vector<WarehouseRow> warehouses();
    std::vector<std::string> warehouse_codes() override;
    std::vector<std::pair<std::string, std::int64_t>> on_hand_levels(std::string_view sku) override;
    /// Records the warehouse rendered by `render` as the request's reply.
    Result<WarehouseRow> create_warehouse(const Ctx& ctx, const WarehouseRow& w,
                                          const std::function<boost::json::value(const WarehouseRow&)>& render);
    Result<WarehouseRow> update_warehouse(const Ctx& ctx, const std::string& code, std::optional<std::string> name,
                                          std::optional<std::int64_t> priority);

    /// SKUs with stock rows or settings after `after`, in code order; only those with a low level
    /// when `low_only`.
    std::vector<std::string> skus(const std::string& after, int limit, bool low_only);
    /// Movements newest first, before the movement id `before` (empty: from the newest).
    std::vector<MovementRow> movements(const std::optional<std::string>& sku, const std::optional<std::string>& warehouse,
                                       const std::string& before, int limit);

    /// Turns the active reservations of `reference` into sales (on_hand decreases); backordered
    /// units are marked paid and wait for stock. When they were already released (the TTL ran out
    /// before payment), sells from free stock if there is enough, and throws otherwise so the event
    /// is retried and finally parked for an admin.
    void commit_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines);
    /// Releases active reservations and restocks committed ones of `reference` (less what came
    /// back already through restock_in).
    void cancel_in(db::Tx& tx, const std::string& reference);
    /// Puts sold units of `reference` back on the shelves of the warehouses they were sold from
    /// (a refund with restock, a received return); never more than was sold under it.
    void restock_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines);
    /// Releases every expired active reservation; returns how many references expired.
    int expire_reservations();

private:
    /// `low_before`: filled per SKU with its warehouses at or below their threshold before this
    /// reservation (read with the levels it decides on), for publish_low_crossings().
    Result<void> reserve_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines, const std::string& status,
                            std::map<std::string, std::vector<std::string>>* low_before = nullptr);
    /// Sells paid backorders of `sku` from stock that arrived, oldest first.
    void fill_backorders(db::Tx& tx, const std::string& sku);
    /// Publishes LowStock for each level of `sku` that is low now and was not in `low_before`.
    void publish_low_crossings(db::Tx& tx, const std::string& sku, const std::vector<std::string>& low_before);

    db::Database& db_;
    Logger& log_;
    catalog::CatalogApi& catalog_;
    std::int64_t ttl_ms_;
};

}  // namespace shop::inventory
