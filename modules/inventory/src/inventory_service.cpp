#include "inventory_service.hpp"

#include <fmt/format.h>

#include <limits>
#include <algorithm>
#include <map>
#include <set>

#include "inventory/errors.hpp"
#include "inventory/events.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"

namespace shop::inventory {

namespace {

// A paid backorder never expires: it waits for stock.
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

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

std::string actor_of(const Ctx& ctx) { return ctx.user_id().empty() ? "system" : ctx.user_id(); }

// Each level of a SKU with what active reservations hold there.
std::vector<LevelRow> levels_of(db::Sql& sql, const std::string& sku) {
    std::vector<LevelRow> out;
    for (auto& r : sql.query("SELECT l.warehouse, l.on_hand, l.low_stock_threshold, "
                             "(SELECT COALESCE(SUM(r.quantity), 0) FROM inventory.reservations r "
                             " WHERE r.sku = l.sku AND r.warehouse = l.warehouse AND r.status = 'active'), w.priority "
                             "FROM inventory.levels l JOIN inventory.warehouses w ON w.code = l.warehouse "
                             "WHERE l.sku = ? ORDER BY l.warehouse",
                             sku))
        out.push_back({r.str(0), r.i64(1), r.i64(3), r.i64(2), r.i64(4)});
    return out;
}

domain::Backorders backorders_of(db::Sql& sql, const std::string& sku) {
    domain::Backorders b;
    if (auto r = sql.one("SELECT backorderable, backorder_limit FROM inventory.skus WHERE sku = ?", sku)) {
        b.backorderable = r->i64(0) != 0;
        b.limit = r->i64(1);
    }
    return b;
}

Availability summarize(const std::string& sku, const std::vector<LevelRow>& levels, const domain::Backorders& b) {
    auto t = domain::totals(levels, b);
    Availability a;
    a.sku = sku;
    a.on_hand = t.on_hand;
    a.reserved = t.reserved;
    a.free = t.free;
    a.backordered = t.backordered;
    a.available = t.available;
    a.in_stock = t.in_stock;
    a.backorderable = b.backorderable;
    a.backorder_limit = b.backorderable ? b.limit : 0;
    return a;
}

std::vector<std::string> low_levels(db::Sql& sql, const std::string& sku) {
    std::vector<std::string> out;
    for (auto& l : levels_of(sql, sku))
        if (domain::is_low(l)) out.push_back(l.warehouse);
    return out;
}

std::vector<ReserveLine> merge_lines(const std::vector<ReserveLine>& lines) {
    std::map<std::string, std::int64_t> by_sku;
    for (auto& l : lines) by_sku[l.sku] += l.quantity;
    std::vector<ReserveLine> out;
    for (auto& [sku, q] : by_sku) out.push_back({sku, q});
    return out;
}

void record_movement(db::Sql& sql, const std::string& sku, const std::string& warehouse, std::int64_t delta, const std::string& reason,
                     const std::string& reference, const std::string& actor) {
    sql.exec("INSERT INTO inventory.movements (id, sku, warehouse, delta, reason, reference, actor, created_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             new_id("mov"), sku, warehouse, delta, reason, reference, actor, now_iso8601());
}

// What is reserved is a sum over reservation rows, and two reservations insert different rows: the
// SKU's level and settings rows are written first so that every writer of one SKU's stock touches
// a common row. SQLite's single writer orders them anyway; on PostgreSQL (REPEATABLE READ) the later
// one then fails with a serialization failure and is run again, seeing the first.
void lock_sku(db::Sql& s, const std::string& sku, const std::string& at) {
    s.exec("UPDATE inventory.levels SET updated_at = ? WHERE sku = ?", at, sku);
    s.exec("UPDATE inventory.skus SET updated_at = ? WHERE sku = ?", at, sku);
}

// Units of `sku` in `warehouse` held by reservations that stock covers (backorders excluded).
std::int64_t held_in(db::Sql& s, const std::string& sku, const std::string& warehouse) {
    return s.count("SELECT COALESCE(SUM(quantity), 0) FROM inventory.reservations "
                   "WHERE sku = ? AND warehouse = ? AND status = 'active' AND backorder = 0",
                   sku, warehouse);
}

struct ReservationRow {
    std::string id, sku, warehouse, status;
    std::int64_t quantity = 0;
    bool backorder = false;
};

std::vector<ReservationRow> reservations_of(db::Sql& sql, const std::string& reference) {
    std::vector<ReservationRow> out;
    for (auto& r : sql.query("SELECT id, sku, warehouse, quantity, status, backorder FROM inventory.reservations "
                             "WHERE reference = ? ORDER BY id",
                             reference))
        out.push_back({r.str(0), r.str(1), r.str(2), r.str(4), r.i64(3), r.i64(5) != 0});
    return out;
}

Error unknown_warehouse(const std::string& code) {
    return Error(errc::unknown_warehouse, fmt::format("no warehouse '{}'", code), {{"warehouse", "is not a known warehouse"}});
}

StockReport report_in(db::Sql& sql, const std::string& sku) {
    StockReport r;
    r.levels = levels_of(sql, sku);
    r.availability = summarize(sku, r.levels, backorders_of(sql, sku));
    for (auto& l : r.levels) r.low_stock = r.low_stock || domain::is_low(l);
    r.sold = sql.count("SELECT COALESCE(SUM(quantity), 0) FROM inventory.reservations WHERE sku = ? AND status = 'committed'", sku);
    return r;
}

/// Notes whether SKUs are in stock before a change, then publishes StockStatusChanged for each
/// whose answer the change turned (search keeps its in-stock flag from these).
class StockFlips {
public:
    explicit StockFlips(db::Tx& tx) : tx_(tx) {}
    void note(const std::string& sku) {
        if (!before_.count(sku)) before_[sku] = in_stock(sku).in_stock;
    }
    void publish() {
        for (auto& [sku, was] : before_)
            if (auto now = in_stock(sku); now.in_stock != was) tx_.publish(events::StockStatusChanged{sku, now.in_stock, now.available});
    }

private:
    Availability in_stock(const std::string& sku) { return summarize(sku, levels_of(tx_, sku), backorders_of(tx_, sku)); }
    db::Tx& tx_;
    std::map<std::string, bool> before_;
};

}  // namespace

const ErrorCategory& inventory_category() noexcept {
    static const InventoryCategory kCategory;
    return kCategory;
}

Result<void> InventoryService::check_known(const std::string& sku) {
    auto owner = catalog_.sku_owner(sku);
    if (!owner) return not_found(fmt::format("no product has SKU '{}'", sku));
    return {};
}

Result<void> InventoryService::check_access(const Ctx& ctx, const std::string& sku) {
    auto owner = catalog_.sku_owner(sku);
    if (!owner) return not_found(fmt::format("no product has SKU '{}'", sku));
    // Another vendor's SKU answers exactly as an unknown one: its existence is not revealed.
    if (!ctx.is_admin() && owner->vendor_id != ctx.user_id()) return not_found(fmt::format("no product has SKU '{}'", sku));
    return {};
}

Availability InventoryService::availability(std::string_view sku_in) {
    std::string sku(sku_in);
    return db_.read_snapshot([&](db::Reader& r) { return summarize(sku, levels_of(r, sku), backorders_of(r, sku)); });
}

StockReport InventoryService::report(std::string_view sku_in) {
    std::string sku(sku_in);
    return db_.read_snapshot([&](db::Reader& sql) { return report_in(sql, sku); });
}

std::vector<std::string> InventoryService::warehouse_codes() {
    std::vector<std::string> out;
    for (auto& w : warehouses()) out.push_back(w.code);
    return out;
}

std::vector<std::pair<std::string, std::int64_t>> InventoryService::on_hand_levels(std::string_view sku) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT warehouse, on_hand FROM inventory.levels WHERE sku = ? ORDER BY warehouse", std::string(sku)))
            out.emplace_back(row.str(0), row.i64(1));
    });
    return out;
}

std::vector<WarehouseRow> InventoryService::warehouses() {
    std::vector<WarehouseRow> out;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT code, name, priority FROM inventory.warehouses ORDER BY code"))
            out.push_back({row.str(0), row.str(1), row.i64(2)});
    });
    return out;
}

Result<WarehouseRow> InventoryService::create_warehouse(const Ctx& ctx, const WarehouseRow& w,
                                                        const std::function<boost::json::value(const WarehouseRow&)>& render) {
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<WarehouseRow> {
        if (tx.count("SELECT COUNT(*) FROM inventory.warehouses WHERE code = ?", w.code))
            return Error(shop::errc::conflict, fmt::format("a warehouse '{}' exists", w.code), {{"code", "is taken"}});
        tx.exec("INSERT INTO inventory.warehouses (code, name, priority, created_at) VALUES (?, ?, ?, ?)", w.code, w.name, w.priority,
                now_iso8601());
        audit::record(tx, "inventory.warehouse.created", w.code, {{"name", w.name}, {"priority", w.priority}});
        if (render) tx.reply(render(w));
        return w;
    });
}

Result<WarehouseRow> InventoryService::update_warehouse(const Ctx& ctx, const std::string& code, std::optional<std::string> name,
                                                        std::optional<std::int64_t> priority) {
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<WarehouseRow> {
        auto row = tx.one("SELECT name, priority FROM inventory.warehouses WHERE code = ?", code);
        if (!row) return not_found(fmt::format("no warehouse '{}'", code));
        WarehouseRow w{code, name.value_or(row->str(0)), priority.value_or(row->i64(1))};
        tx.exec("UPDATE inventory.warehouses SET name = ?, priority = ? WHERE code = ?", w.name, w.priority, code);
        audit::record(tx, "inventory.warehouse.updated", code, {{"name", w.name}, {"priority", w.priority}});
        return w;
    });
}

Result<void> InventoryService::reserve_in(db::Tx& s, const std::string& reference, const std::vector<ReserveLine>& lines,
                                          const std::string& status, std::map<std::string, std::vector<std::string>>* low_before) {
    std::int64_t expires = status == "committed" ? kNever : now_ms() + ttl_ms_;
    std::string at = now_iso8601();
    std::string actor = actor_of(s.ctx());
    std::string backorder_warehouse = "main";
    if (auto w = s.one("SELECT code FROM inventory.warehouses ORDER BY priority DESC, code LIMIT 1")) backorder_warehouse = w->str(0);
    for (auto& line : merge_lines(lines)) {
        lock_sku(s, line.sku, at);
        auto levels = levels_of(s, line.sku);
        if (low_before) {
            auto& low = (*low_before)[line.sku];  // an entry for every SKU, low or not
            for (auto& l : levels)
                if (domain::is_low(l)) low.push_back(l.warehouse);
        }
        auto backorders = backorders_of(s, line.sku);
        auto takes = domain::allocate(levels, line.quantity, backorders, backorder_warehouse);
        if (!takes) {
            auto avail = summarize(line.sku, levels, backorders);
            return Error(errc::out_of_stock,
                         fmt::format("only {} of SKU '{}' available, {} requested", avail.available, line.sku, line.quantity),
                         {{"sku", fmt::format("{}: only {} available", line.sku, avail.available)}});
        }
        for (auto& t : *takes) {
            if (t.backorder) {
                // Held where the backorder will be filled; a paid one (status committed asked) waits for stock.
                s.exec("INSERT INTO inventory.levels (sku, warehouse, on_hand, low_stock_threshold, updated_at) VALUES (?, ?, 0, 0, ?) "
                       "ON CONFLICT (sku, warehouse) DO NOTHING",
                       line.sku, t.warehouse, at);
                s.exec("INSERT INTO inventory.reservations (id, reference, sku, warehouse, quantity, status, expires_ms, created_at, "
                       "updated_at, backorder) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, 1)",
                       new_id("rsv"), reference, line.sku, t.warehouse, t.quantity, expires, at, at);
                continue;
            }
            s.exec("INSERT INTO inventory.reservations (id, reference, sku, warehouse, quantity, status, expires_ms, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   new_id("rsv"), reference, line.sku, t.warehouse, t.quantity, status, expires, at, at);
            if (status == "committed") {
                s.exec("UPDATE inventory.levels SET on_hand = on_hand - ?, updated_at = ? WHERE sku = ? AND warehouse = ?", t.quantity, at,
                       line.sku, t.warehouse);
                record_movement(s, line.sku, t.warehouse, -t.quantity, "sale", reference, actor);
            }
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
        StockFlips flips(tx);
        for (auto& l : lines) flips.note(l.sku);
        std::map<std::string, std::vector<std::string>> before;
        auto r = reserve_in(tx, reference, lines, "active", &before);
        if (r) {
            for (auto& [sku, low] : before) publish_low_crossings(tx, sku, low);
            flips.publish();
        }
        return r;
    });
}

std::vector<std::string> InventoryService::held_references(std::int64_t before_ms, int limit) {
    std::vector<std::string> out;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT reference, MIN(created_at) AS first FROM inventory.reservations WHERE status = 'active' "
                                 "AND created_at < ? GROUP BY reference ORDER BY first LIMIT ?",
                                 iso8601(before_ms), limit))
            out.push_back(row.str(0));
    });
    return out;
}

Result<void> InventoryService::release(const Ctx& ctx, const std::string& reference) {
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        cancel_in(tx, reference);
        return {};
    });
}

void InventoryService::publish_low_crossings(db::Tx& tx, const std::string& sku, const std::vector<std::string>& low_before) {
    for (auto& l : levels_of(tx, sku)) {
        if (!domain::is_low(l)) continue;
        if (std::find(low_before.begin(), low_before.end(), l.warehouse) != low_before.end()) continue;
        tx.publish(events::LowStock{sku, l.warehouse, l.on_hand, domain::free_of(l), l.low_stock_threshold});
    }
}

void InventoryService::fill_backorders(db::Tx& tx, const std::string& sku) {
    struct Waiting {
        std::string id, warehouse, reference;
        std::int64_t quantity = 0;
    };
    std::vector<Waiting> waiting;
    for (auto& r : tx.query("SELECT id, warehouse, reference, quantity FROM inventory.reservations "
                            "WHERE sku = ? AND status = 'active' AND backorder = 1 AND expires_ms = ? ORDER BY id",
                            sku, kNever))
        waiting.push_back({r.str(0), r.str(1), r.str(2), r.i64(3)});
    if (waiting.empty()) return;
    std::map<std::string, std::int64_t> claimable;  // per warehouse: stock not held by covered reservations
    for (auto& l : levels_of(tx, sku)) claimable[l.warehouse] = l.on_hand - held_in(tx, sku, l.warehouse);
    std::string at = now_iso8601();
    for (auto& w : waiting) {
        auto& c = claimable[w.warehouse];
        if (c < w.quantity) continue;  // oldest first per warehouse; a smaller later one may still fit
        c -= w.quantity;
        tx.exec("UPDATE inventory.reservations SET status = 'committed', updated_at = ? WHERE id = ?", at, w.id);
        tx.exec("UPDATE inventory.levels SET on_hand = on_hand - ?, updated_at = ? WHERE sku = ? AND warehouse = ?", w.quantity, at, sku,
                w.warehouse);
        record_movement(tx, sku, w.warehouse, -w.quantity, "sale", w.reference, "system");
    }
}

Result<void> InventoryService::set_stock(const Ctx& ctx, std::string_view sku, std::string_view warehouse, std::int64_t on_hand,
                                         std::optional<std::int64_t> threshold) {
    StockUpdate u;
    u.warehouse = std::string(warehouse);
    u.on_hand = on_hand;
    u.low_stock_threshold = threshold;
    return update_stock(ctx, std::string(sku), u);
}

Result<void> InventoryService::update_stock(const Ctx& ctx, const std::string& sku, const StockUpdate& u) {
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        std::string at = now_iso8601();
        lock_sku(tx, sku, at);
        auto low_before = low_levels(tx, sku);
        StockFlips flips(tx);
        flips.note(sku);
        if (u.on_hand || u.low_stock_threshold) {
            if (!tx.count("SELECT COUNT(*) FROM inventory.warehouses WHERE code = ?", u.warehouse)) return unknown_warehouse(u.warehouse);
            std::int64_t old = 0, old_threshold = 0;
            if (auto row = tx.one("SELECT on_hand, low_stock_threshold FROM inventory.levels WHERE sku = ? AND warehouse = ?", sku,
                                  u.warehouse)) {
                old = row->i64(0);
                old_threshold = row->i64(1);
            }
            std::int64_t on_hand = u.on_hand.value_or(old);
            std::int64_t held = held_in(tx, sku, u.warehouse);
            if (on_hand < held)
                return Error(shop::errc::conflict,
                             fmt::format("{} units of '{}' in '{}' are reserved by unpaid orders; on_hand cannot go below that", held, sku,
                                         u.warehouse),
                             {{"on_hand", fmt::format("must be at least {} (reserved)", held)}});
            tx.exec("INSERT INTO inventory.levels (sku, warehouse, on_hand, low_stock_threshold, updated_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (sku, warehouse) DO UPDATE SET on_hand = excluded.on_hand, "
                    "low_stock_threshold = excluded.low_stock_threshold, updated_at = excluded.updated_at",
                    sku, u.warehouse, on_hand, u.low_stock_threshold.value_or(old_threshold), at);
            if (on_hand != old) record_movement(tx, sku, u.warehouse, on_hand - old, "set", "", actor_of(ctx));
        }
        if (u.backorderable || u.backorder_limit) {
            auto current = backorders_of(tx, sku);
            bool backorderable = u.backorderable.value_or(current.backorderable);
            std::int64_t limit = u.backorder_limit.value_or(current.limit);
            if (backorderable && limit < 1)
                return validation("backorder_limit", "must be at least 1 for a backorderable SKU");
            tx.exec("INSERT INTO inventory.skus (sku, backorderable, backorder_limit, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (sku) DO UPDATE SET backorderable = excluded.backorderable, "
                    "backorder_limit = excluded.backorder_limit, updated_at = excluded.updated_at",
                    sku, backorderable ? 1 : 0, limit, at);
        }
        fill_backorders(tx, sku);
        publish_low_crossings(tx, sku, low_before);
        boost::json::object given{{"warehouse", u.warehouse}};
        if (u.on_hand) given["on_hand"] = *u.on_hand;
        if (u.low_stock_threshold) given["low_stock_threshold"] = *u.low_stock_threshold;
        if (u.backorderable) given["backorderable"] = *u.backorderable;
        if (u.backorder_limit) given["backorder_limit"] = *u.backorder_limit;
        audit::record(tx, "inventory.stock.set", sku, std::move(given));
        flips.publish();
        return {};
    });
}

Result<void> InventoryService::adjust(const Ctx& ctx, const std::string& sku, const std::string& warehouse, std::int64_t delta,
                                      const std::string& reason, const RenderStock& render) {
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        if (!tx.count("SELECT COUNT(*) FROM inventory.warehouses WHERE code = ?", warehouse)) return unknown_warehouse(warehouse);
        std::string at = now_iso8601();
        lock_sku(tx, sku, at);
        auto low_before = low_levels(tx, sku);
        StockFlips flips(tx);
        flips.note(sku);
        auto level = tx.one("SELECT on_hand FROM inventory.levels WHERE sku = ? AND warehouse = ?", sku, warehouse);
        std::int64_t on_hand = level ? level->i64(0) : 0;
        if (auto why = domain::adjustment_problem(on_hand, held_in(tx, sku, warehouse), delta); !why.empty())
            return Error(delta == 0 ? shop::errc::validation_failed : shop::errc::conflict,
                         fmt::format("cannot adjust '{}' in '{}' by {}: {}", sku, warehouse, delta, why), {{"delta", why}});
        // A first level of this warehouse: a concurrent first adjustment conflicts on its key (and
        // is retried) instead of failing on a duplicate.
        if (!level)
            tx.exec("INSERT INTO inventory.levels (sku, warehouse, on_hand, low_stock_threshold, updated_at) VALUES (?, ?, 0, 0, ?) "
                    "ON CONFLICT (sku, warehouse) DO NOTHING",
                    sku, warehouse, at);
        tx.exec("UPDATE inventory.levels SET on_hand = on_hand + ?, updated_at = ? WHERE sku = ? AND warehouse = ?", delta, at, sku,
                warehouse);
        record_movement(tx, sku, warehouse, delta, reason, "", actor_of(ctx));
        audit::record(tx, "inventory.stock.adjusted", sku, {{"warehouse", warehouse}, {"delta", delta}, {"reason", reason}});
        if (delta > 0) fill_backorders(tx, sku);
        publish_low_crossings(tx, sku, low_before);
        flips.publish();
        if (render) tx.reply(render(report_in(tx, sku)));
        return {};
    });
}

std::vector<std::string> InventoryService::skus(const std::string& after, int limit, bool low_only) {
    std::vector<std::string> out;
    db_.read([&](db::Reader& r) {
        if (low_only) {
            for (auto& row : r.query("SELECT DISTINCT l.sku FROM inventory.levels l WHERE l.sku > ? AND l.low_stock_threshold > 0 "
                                     "AND l.on_hand - (SELECT COALESCE(SUM(x.quantity), 0) FROM inventory.reservations x "
                                     "WHERE x.sku = l.sku AND x.warehouse = l.warehouse AND x.status = 'active') <= l.low_stock_threshold "
                                     "ORDER BY l.sku LIMIT ?",
                                     after, limit))
                out.push_back(row.str(0));
        } else {
            for (auto& row : r.query("SELECT sku FROM (SELECT sku FROM inventory.levels UNION SELECT sku FROM inventory.skus) u "
                                     "WHERE sku > ? ORDER BY sku LIMIT ?",
                                     after, limit))
                out.push_back(row.str(0));
        }
    });
    return out;
}

std::vector<MovementRow> InventoryService::movements(const std::optional<std::string>& sku, const std::optional<std::string>& warehouse,
                                                     const std::string& before, int limit) {
    std::string sql = "SELECT id, sku, warehouse, delta, reason, reference, actor, created_at FROM inventory.movements WHERE 1 = 1";
    std::vector<db::Param> params;
    if (sku) {
        sql += " AND sku = ?";
        params.emplace_back(std::string_view(*sku));
    }
    if (warehouse) {
        sql += " AND warehouse = ?";
        params.emplace_back(std::string_view(*warehouse));
    }
    if (!before.empty()) {
        sql += " AND id < ?";
        params.emplace_back(std::string_view(before));
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(limit));
    std::vector<MovementRow> out;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query_params(sql, params))
            out.push_back({row.str(0), row.str(1), row.str(2), row.i64(3), row.str(4), row.str(5), row.str(6), row.str(7)});
    });
    return out;
}

void InventoryService::commit_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines) {
    // Turning held units into sold ones changes no SKU's free stock, so no level crosses its threshold.
    auto rows = reservations_of(tx, reference);
    StockFlips flips(tx);
    for (auto& l : lines) flips.note(l.sku);
    for (auto& r : rows) flips.note(r.sku);
    bool any_held = false;
    std::string at = now_iso8601();
    std::set<std::string> backordered;
    for (auto& r : rows) {
        if (r.status == "committed") any_held = true;
        if (r.status != "active") continue;
        any_held = true;
        if (r.backorder) {
            tx.exec("UPDATE inventory.reservations SET expires_ms = ?, updated_at = ? WHERE id = ?", kNever, at, r.id);
            backordered.insert(r.sku);
            continue;
        }
        tx.exec("UPDATE inventory.reservations SET status = 'committed', updated_at = ? WHERE id = ?", at, r.id);
        tx.exec("UPDATE inventory.levels SET on_hand = on_hand - ?, updated_at = ? WHERE sku = ? AND warehouse = ?", r.quantity, at, r.sku,
                r.warehouse);
        record_movement(tx, r.sku, r.warehouse, -r.quantity, "sale", reference, "system");
    }
    if (!any_held) {
        // The reservation expired before the payment arrived: sell from free stock if possible.
        std::map<std::string, std::vector<std::string>> before;
        auto sold = reserve_in(tx, reference, lines, "committed", &before);
        if (!sold)
            throw ErrorException(Error(sold.error().ec, "paid order " + reference + " cannot be fulfilled: " + sold.error().detail));
        for (auto& [sku, low] : before) {
            fill_backorders(tx, sku);
            publish_low_crossings(tx, sku, low);
        }
        log_.warn("reservation had expired; paid order sold from free stock", {{"reference", reference}});
    }
    for (auto& sku : backordered) fill_backorders(tx, sku);
    flips.publish();
}

namespace {
/// Units of `sku` sold under `reference` that came back already (restock_in), per warehouse.
std::map<std::string, std::int64_t> returned_of(db::Sql& sql, const std::string& reference, const std::string& sku) {
    std::map<std::string, std::int64_t> out;
    for (auto& r : sql.query("SELECT warehouse, COALESCE(SUM(delta), 0) FROM inventory.movements WHERE reference = ? AND sku = ? AND reason = 'return' "
                             "GROUP BY warehouse",
                             reference, sku))
        out[r.str(0)] = r.i64(1);
    return out;
}
}  // namespace

void InventoryService::cancel_in(db::Tx& tx, const std::string& reference) {
    std::string at = now_iso8601();
    std::set<std::string> restocked;
    std::map<std::string, std::map<std::string, std::int64_t>> returned;  // per SKU, per warehouse
    auto rows = reservations_of(tx, reference);
    StockFlips flips(tx);
    for (auto& r : rows) flips.note(r.sku);
    for (auto& r : rows) {
        if (r.status == "active") {
            tx.exec("UPDATE inventory.reservations SET status = 'released', updated_at = ? WHERE id = ?", at, r.id);
        } else if (r.status == "committed") {
            if (!returned.count(r.sku)) returned[r.sku] = returned_of(tx, reference, r.sku);
            auto& back = returned[r.sku][r.warehouse];
            std::int64_t already = std::min(back, r.quantity);
            back -= already;
            tx.exec("UPDATE inventory.reservations SET status = 'returned', updated_at = ? WHERE id = ?", at, r.id);
            if (r.quantity - already <= 0) continue;
            tx.exec("UPDATE inventory.levels SET on_hand = on_hand + ?, updated_at = ? WHERE sku = ? AND warehouse = ?", r.quantity - already,
                    at, r.sku, r.warehouse);
            record_movement(tx, r.sku, r.warehouse, r.quantity - already, "restock", reference, "system");
            restocked.insert(r.sku);
        }
    }
    // Released and restocked units only add free stock: no level crosses its threshold downward.
    for (auto& sku : restocked) fill_backorders(tx, sku);
    flips.publish();
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
            StockFlips flips(tx);
            for (auto& sku : skus) flips.note(sku);
            tx.exec("UPDATE inventory.reservations SET status = 'released', updated_at = ? WHERE reference = ? AND status = 'active' "
                    "AND expires_ms <= ?",
                    now_iso8601(), ref, now);
            tx.publish(events::ReservationExpired{ref, skus});
            flips.publish();
        });
        log_.info("reservation expired", {{"reference", ref}});
    }
    return static_cast<int>(refs.size());
}

}  // namespace shop::inventory

namespace shop::inventory {

void InventoryService::restock_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines) {
    std::string at = now_iso8601();
    auto rows = reservations_of(tx, reference);
    StockFlips flips(tx);  // a return can bring a sold-out SKU back into stock
    for (auto& line : lines) flips.note(line.sku);
    for (auto& line : lines) {
        // Into the warehouses the units were sold from, each at most what it sold less what came back.
        std::vector<std::pair<std::string, std::int64_t>> room;  // warehouse, units, in the order they were reserved
        for (auto& r : rows) {
            if (r.sku != line.sku || r.status != "committed") continue;
            auto it = std::find_if(room.begin(), room.end(), [&](auto& w) { return w.first == r.warehouse; });
            if (it == room.end()) room.emplace_back(r.warehouse, r.quantity);
            else it->second += r.quantity;
        }
        for (auto& [warehouse, back] : returned_of(tx, reference, line.sku))
            for (auto& w : room)
                if (w.first == warehouse) w.second -= back;
        std::int64_t left = line.quantity;
        for (auto& [warehouse, units] : room) {
            std::int64_t n = std::min(units, left);
            if (n <= 0) continue;
            left -= n;
            tx.exec("UPDATE inventory.levels SET on_hand = on_hand + ?, updated_at = ? WHERE sku = ? AND warehouse = ?", n, at, line.sku, warehouse);
            record_movement(tx, line.sku, warehouse, n, "return", reference, "system");
        }
        if (left > 0)
            log_.warn("a restock asked for more units than were sold", {{"reference", reference}, {"sku", line.sku}, {"units_left", left}});
        fill_backorders(tx, line.sku);
    }
    flips.publish();
}

}  // namespace shop::inventory
