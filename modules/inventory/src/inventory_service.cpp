#include "inventory_service.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "inventory/errors.hpp"
#include "inventory/events.hpp"
#include "platform/db.hpp"

namespace shop::inventory {

namespace {

class InventoryCategory final : public ErrorCategory {
public:
    const char* name() const noexcept override { return "inventory"; }
    int http_status(int ev) const noexcept override {
        return static_cast<errc>(ev) == errc::out_of_stock ? 409 : 422;
    }
    std::string_view problem_code(int ev) const noexcept override {
        return static_cast<errc>(ev) == errc::out_of_stock ? "out_of_stock" : "unknown_warehouse";
    }
};

// Free stock per warehouse for a SKU: on_hand minus what active reservations hold.
std::vector<LevelRow> levels_of(db::Sql& sql, const std::string& sku) {
    std::vector<LevelRow> out;
    for (auto& r : sql.query("SELECT l.warehouse, l.on_hand, l.low_stock_threshold, "
                             "(SELECT COALESCE(SUM(r.quantity), 0) FROM inventory.reservations r "
                             " WHERE r.sku = l.sku AND r.warehouse = l.warehouse AND r.status = 'active') "
                             "FROM inventory.levels l WHERE l.sku = ? ORDER BY l.warehouse",
                             sku))
        out.push_back({r.str(0), r.i64(1), r.i64(3), r.i64(2)});
    return out;
}

Availability summarize(const std::string& sku, const std::vector<LevelRow>& levels) {
    Availability a;
    a.sku = sku;
    for (auto& l : levels) {
        a.on_hand += l.on_hand;
        a.reserved += l.reserved;
    }
    a.available = std::max<std::int64_t>(0, a.on_hand - a.reserved);
    a.in_stock = a.available > 0;
    return a;
}

std::vector<ReserveLine> merge_lines(const std::vector<ReserveLine>& lines) {
    std::map<std::string, std::int64_t> by_sku;
    for (auto& l : lines) by_sku[l.sku] += l.quantity;
    std::vector<ReserveLine> out;
    for (auto& [sku, q] : by_sku) out.push_back({sku, q});
    return out;
}

void record_movement(db::Sql& sql, const std::string& sku, const std::string& warehouse, std::int64_t delta,
                     const std::string& reason, const std::string& reference) {
    sql.exec("INSERT INTO inventory.movements (id, sku, warehouse, delta, reason, reference, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
             new_id("mov"), sku, warehouse, delta, reason, reference, now_iso8601());
}

struct ReservationRow {
    std::string id, sku, warehouse, status;
    std::int64_t quantity = 0;
};

std::vector<ReservationRow> reservations_of(db::Sql& sql, const std::string& reference) {
    std::vector<ReservationRow> out;
    for (auto& r : sql.query("SELECT id, sku, warehouse, quantity, status FROM inventory.reservations WHERE reference = ? ORDER BY id",
                             reference))
        out.push_back({r.str(0), r.str(1), r.str(2), r.str(4), r.i64(3)});
    return out;
}

}  // namespace

const ErrorCategory& inventory_category() noexcept {
    static const InventoryCategory kCategory;
    return kCategory;
}

Availability InventoryService::availability(std::string_view sku_in) {
    std::string sku(sku_in);
    return db_.read([&](db::Reader& r) { return summarize(sku, levels_of(r, sku)); });
}

StockReport InventoryService::report(std::string_view sku_in) {
    std::string sku(sku_in);
    return db_.read_snapshot([&](db::Reader& sql) {
        StockReport r;
        r.levels = levels_of(sql, sku);
        r.availability = summarize(sku, r.levels);
        r.sold = sql.count("SELECT COALESCE(SUM(quantity), 0) FROM inventory.reservations WHERE sku = ? AND status = 'committed'", sku);
        return r;
    });
}

std::vector<std::pair<std::string, std::string>> InventoryService::warehouses() {
    std::vector<std::pair<std::string, std::string>> out;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT code, name FROM inventory.warehouses ORDER BY code")) out.emplace_back(row.str(0), row.str(1));
    });
    return out;
}

Result<void> InventoryService::reserve_in(db::Sql& s, const std::string& reference, const std::vector<ReserveLine>& lines,
                                          const std::string& status) {
    std::int64_t expires = now_ms() + ttl_ms_;
    std::string at = now_iso8601();
    for (auto& line : merge_lines(lines)) {
        // What is reserved is a sum over reservation rows, and two reservations insert different
        // rows: the SKU's level rows are written first so that concurrent reservations of one SKU
        // always touch a common row. SQLite's single writer orders them anyway; on PostgreSQL the
        // later one then fails with a serialization failure and is run again, seeing the first.
        s.exec("UPDATE inventory.levels SET updated_at = ? WHERE sku = ?", at, line.sku);
        auto levels = levels_of(s, line.sku);
        auto avail = summarize(line.sku, levels);
        if (avail.available < line.quantity)
            return Error(errc::out_of_stock,
                         fmt::format("only {} of SKU '{}' available, {} requested", avail.available, line.sku, line.quantity),
                         {{"sku", fmt::format("{}: only {} available", line.sku, avail.available)}});
        // Take from the warehouses with the most free stock first, so one order ships from as few as possible.
        std::sort(levels.begin(), levels.end(), [](auto& a, auto& b) { return a.on_hand - a.reserved > b.on_hand - b.reserved; });
        std::int64_t left = line.quantity;
        for (auto& l : levels) {
            std::int64_t take = std::min(left, std::max<std::int64_t>(0, l.on_hand - l.reserved));
            if (take <= 0) continue;
            s.exec("INSERT INTO inventory.reservations (id, reference, sku, warehouse, quantity, status, expires_ms, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   new_id("rsv"), reference, line.sku, l.warehouse, take, status, expires, at, at);
            if (status == "committed") {
                s.exec("UPDATE inventory.levels SET on_hand = on_hand - ?, updated_at = ? WHERE sku = ? AND warehouse = ?", take, at,
                       line.sku, l.warehouse);
                record_movement(s, line.sku, l.warehouse, -take, "sale", reference);
            }
            left -= take;
            if (left == 0) break;
        }
    }
    return {};
}

Result<void> InventoryService::reserve(const Ctx& ctx, const std::string& reference, const std::vector<ReserveLine>& lines) {
    for (auto& l : lines)
        if (l.quantity <= 0) return validation("quantity", "must be positive");
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        if (tx.count("SELECT COUNT(*) FROM inventory.reservations WHERE reference = ?", reference))
            return {};  // already reserved for this reference: idempotent
        std::map<std::string, StockFlags> before;
        for (auto& l : merge_lines(lines)) before[l.sku] = flags_of(tx, l.sku);
        auto r = reserve_in(tx, reference, lines, "active");
        if (r)
            for (auto& [sku, flags] : before) publish_if_changed(tx, sku, flags, false);
        return r;
    });
}

Result<void> InventoryService::release(const Ctx& ctx, const std::string& reference) {
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        cancel_in(tx, reference);
        return {};
    });
}

namespace {
bool is_low(const std::vector<LevelRow>& levels) {
    for (auto& l : levels)
        if (l.low_stock_threshold > 0 && l.on_hand - l.reserved <= l.low_stock_threshold) return true;
    return false;
}
}  // namespace

InventoryService::StockFlags InventoryService::flags_of(db::Sql& sql, const std::string& sku) {
    auto levels = levels_of(sql, sku);
    return {summarize(sku, levels).in_stock, is_low(levels)};
}

void InventoryService::publish_if_changed(db::Tx& tx, const std::string& sku, StockFlags before, bool force) {
    auto levels = levels_of(tx, sku);
    auto a = summarize(sku, levels);
    bool low = is_low(levels);
    if (!force && a.in_stock == before.in_stock && low == before.low) return;
    tx.publish(events::StockChanged{sku, a.on_hand, a.available, low});
}

Result<void> InventoryService::set_stock(const Ctx& ctx, std::string_view sku_in, std::string_view warehouse_in,
                                         std::int64_t on_hand, std::optional<std::int64_t> threshold) {
    std::string sku(sku_in), warehouse(warehouse_in);
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        if (!tx.count("SELECT COUNT(*) FROM inventory.warehouses WHERE code = ?", warehouse))
            return Error(errc::unknown_warehouse, fmt::format("no warehouse '{}'", warehouse), {{"warehouse", "is not a known warehouse"}});
        std::int64_t old = 0, old_threshold = 0;
        if (auto row = tx.one("SELECT on_hand, low_stock_threshold FROM inventory.levels WHERE sku = ? AND warehouse = ?", sku, warehouse)) {
            old = row->i64(0);
            old_threshold = row->i64(1);
        }
        std::int64_t held = tx.count("SELECT COALESCE(SUM(quantity), 0) FROM inventory.reservations "
                                     "WHERE sku = ? AND warehouse = ? AND status = 'active'",
                                     sku, warehouse);
        if (on_hand < held)
            return Error(shop::errc::conflict,
                         fmt::format("{} units of '{}' in '{}' are reserved by unpaid orders; on_hand cannot go below that", held, sku, warehouse),
                         {{"on_hand", fmt::format("must be at least {} (reserved)", held)}});
        std::int64_t t = threshold.value_or(old_threshold);
        tx.exec("INSERT INTO inventory.levels (sku, warehouse, on_hand, low_stock_threshold, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (sku, warehouse) DO UPDATE SET on_hand = excluded.on_hand, "
                "low_stock_threshold = excluded.low_stock_threshold, updated_at = excluded.updated_at",
                sku, warehouse, on_hand, t, now_iso8601());
        if (on_hand != old) record_movement(tx, sku, warehouse, on_hand - old, "set", "");
        publish_if_changed(tx, sku, {}, true);
        return {};
    });
}

void InventoryService::commit_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines) {
    // Turning held units into sold ones changes no SKU's availability: no StockChanged, unless the
    // reservation had expired and free stock is sold instead.
    auto rows = reservations_of(tx, reference);
    bool any_held = false;
    std::string at = now_iso8601();
    for (auto& r : rows) {
        if (r.status == "committed") any_held = true;
        if (r.status != "active") continue;
        any_held = true;
        tx.exec("UPDATE inventory.reservations SET status = 'committed', updated_at = ? WHERE id = ?", at, r.id);
        tx.exec("UPDATE inventory.levels SET on_hand = on_hand - ?, updated_at = ? WHERE sku = ? AND warehouse = ?", r.quantity, at, r.sku,
                r.warehouse);
        record_movement(tx, r.sku, r.warehouse, -r.quantity, "sale", reference);
    }
    if (!any_held) {
        // The reservation expired before the payment arrived: sell from free stock if possible.
        std::map<std::string, StockFlags> before;
        for (auto& l : merge_lines(lines)) before[l.sku] = flags_of(tx, l.sku);
        auto sold = reserve_in(tx, reference, lines, "committed");
        if (!sold)
            throw ErrorException(Error(sold.error().ec, "paid order " + reference + " cannot be fulfilled: " + sold.error().detail));
        for (auto& [sku, flags] : before) publish_if_changed(tx, sku, flags, false);
        log_.warn("reservation had expired; paid order sold from free stock", {{"reference", reference}});
    }
}

void InventoryService::cancel_in(db::Tx& tx, const std::string& reference) {
    std::string at = now_iso8601();
    auto rows = reservations_of(tx, reference);
    std::map<std::string, StockFlags> before;
    for (auto& r : rows)
        if ((r.status == "active" || r.status == "committed") && !before.count(r.sku)) before[r.sku] = flags_of(tx, r.sku);
    for (auto& r : rows) {
        if (r.status != "active" && r.status != "committed") continue;
        if (r.status == "active") {
            tx.exec("UPDATE inventory.reservations SET status = 'released', updated_at = ? WHERE id = ?", at, r.id);
        } else {
            tx.exec("UPDATE inventory.reservations SET status = 'returned', updated_at = ? WHERE id = ?", at, r.id);
            tx.exec("UPDATE inventory.levels SET on_hand = on_hand + ?, updated_at = ? WHERE sku = ? AND warehouse = ?", r.quantity, at,
                    r.sku, r.warehouse);
            record_movement(tx, r.sku, r.warehouse, r.quantity, "restock", reference);
        }
    }
    for (auto& [sku, flags] : before) publish_if_changed(tx, sku, flags, false);
}

int InventoryService::expire_reservations() {
    std::int64_t now = now_ms();
    std::vector<std::string> refs;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT DISTINCT reference FROM inventory.reservations WHERE status = 'active' AND expires_ms <= ?", now))
            refs.push_back(row.str(0));
    });
    for (auto& ref : refs) {
        Ctx ctx = Ctx::system("reservation-expiry:" + ref);
        db_.write("inventory", ctx, [&](db::Tx& tx) {
            std::vector<std::string> skus;
            for (auto& r : tx.query("SELECT DISTINCT sku FROM inventory.reservations WHERE reference = ? AND status = 'active' "
                                    "AND expires_ms <= ?",
                                    ref, now))
                skus.push_back(r.str(0));
            if (skus.empty()) return;  // committed meanwhile
            std::map<std::string, StockFlags> before;
            for (auto& sku : skus) before[sku] = flags_of(tx, sku);
            tx.exec("UPDATE inventory.reservations SET status = 'released', updated_at = ? WHERE reference = ? AND status = 'active'",
                    now_iso8601(), ref);
            tx.publish(events::ReservationExpired{ref, skus});
            for (auto& [sku, flags] : before) publish_if_changed(tx, sku, flags, false);
        });
        log_.info("reservation expired", {{"reference", ref}});
    }
    return static_cast<int>(refs.size());
}

}  // namespace shop::inventory
