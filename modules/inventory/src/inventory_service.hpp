#pragma once
#include <boost/json/object.hpp>

#include "inventory/api.hpp"
#include "platform/log.hpp"

namespace shop::db {
class Database;
class Sql;
class Tx;
}

namespace shop::inventory {

struct LevelRow {
    std::string warehouse;
    std::int64_t on_hand = 0, reserved = 0, low_stock_threshold = 0;
};

/// Everything an admin sees of one SKU.
struct StockReport {
    Availability availability;
    std::int64_t sold = 0;
    std::vector<LevelRow> levels;
};

class InventoryService final : public InventoryApi {
public:
    InventoryService(db::Database& db, Logger& log, std::int64_t reservation_ttl_ms)
        : db_(db), log_(log), ttl_ms_(reservation_ttl_ms) {}

    Availability availability(std::string_view sku) override;
    Result<void> reserve(const Ctx& ctx, const std::string& reference, const std::vector<ReserveLine>& lines) override;
    Result<void> release(const Ctx& ctx, const std::string& reference) override;
    Result<void> set_stock(const Ctx& ctx, std::string_view sku, std::string_view warehouse, std::int64_t on_hand,
                           std::optional<std::int64_t> low_stock_threshold) override;

    StockReport report(std::string_view sku);
    std::vector<std::pair<std::string, std::string>> warehouses();

    /// Turns the active reservations of `reference` into sales (on_hand decreases). When they
    /// were already released (the TTL ran out before payment), sells from free stock if there is
    /// enough, and throws otherwise so the event is retried and finally parked for an admin.
    void commit_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines);
    /// Releases active reservations and restocks committed ones of `reference`.
    void cancel_in(db::Tx& tx, const std::string& reference);
    /// Releases every expired active reservation; returns how many references expired.
    int expire_reservations();

private:
    Result<void> reserve_in(db::Sql& s, const std::string& reference, const std::vector<ReserveLine>& lines,
                            const std::string& status);
    /// What readers of StockChanged care about: is the SKU in stock, is it at or below its
    /// low-stock threshold somewhere.
    struct StockFlags {
        bool in_stock = false;
        bool low = false;
    };
    StockFlags flags_of(db::Sql& sql, const std::string& sku);
    /// Publishes StockChanged when the SKU's flags differ from `before` (or always, `force`: an
    /// admin set its level).
    void publish_if_changed(db::Tx& tx, const std::string& sku, StockFlags before, bool force);

    db::Database& db_;
    Logger& log_;
    std::int64_t ttl_ms_;
};

}  // namespace shop::inventory
