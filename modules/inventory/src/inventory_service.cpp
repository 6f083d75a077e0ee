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
std::vector<LevelRow> levels_of(soci::session& s, const std::string& sku) {
    std::vector<LevelRow> out;
    soci::rowset<soci::row> rs = (s.prepare <<
        "SELECT l.warehouse, l.on_hand, l.low_stock_threshold, "
        "(SELECT COALESCE(SUM(r.quantity), 0) FROM inventory.reservations r "
        " WHERE r.sku = l.sku AND r.warehouse = l.warehouse AND r.status = 'active') "
        "FROM inventory.levels l WHERE l.sku = :sku ORDER BY l.warehouse", soci::use(sku));
    for (auto& r : rs) out.push_back({db::col_str(r, 0), db::col_int(r, 1), db::col_int(r, 3), db::col_int(r, 2)});
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

void record_movement(soci::session& s, const std::string& sku, const std::string& warehouse, std::int64_t delta,
                     const std::string& reason, const std::string& reference) {
    std::string id = new_id("mov"), at = now_iso8601();
    s << "INSERT INTO inventory.movements (id, sku, warehouse, delta, reason, reference, created_at) "
         "VALUES (:id, :sku, :w, :d, :r, :ref, :at)",
        soci::use(id), soci::use(sku), soci::use(warehouse), soci::use(delta), soci::use(reason), soci::use(reference), soci::use(at);
}

struct ReservationRow {
    std::string id, sku, warehouse, status;
    long long quantity = 0;
};

std::vector<ReservationRow> reservations_of(soci::session& s, const std::string& reference) {
    std::vector<ReservationRow> out;
    soci::rowset<soci::row> rs = (s.prepare << "SELECT id, sku, warehouse, quantity, status FROM inventory.reservations "
                                               "WHERE reference = :r ORDER BY id", soci::use(reference));
    for (auto& r : rs) out.push_back({db::col_str(r, 0), db::col_str(r, 1), db::col_str(r, 2), db::col_str(r, 4), db::col_int(r, 3)});
    return out;
}

}  // namespace

const ErrorCategory& inventory_category() noexcept {
    static const InventoryCategory kCategory;
    return kCategory;
}

Availability InventoryService::availability(std::string_view sku_in) {
    std::string sku(sku_in);
    return db_.read([&](soci::session& s) { return summarize(sku, levels_of(s, sku)); });
}

StockReport InventoryService::report(std::string_view sku_in) {
    std::string sku(sku_in);
    return db_.read([&](soci::session& s) {
        StockReport r;
        r.levels = levels_of(s, sku);
        r.availability = summarize(sku, r.levels);
        long long sold = 0;
        s << "SELECT COALESCE(SUM(quantity), 0) FROM inventory.reservations WHERE sku = :sku AND status = 'committed'",
            soci::into(sold), soci::use(sku);
        r.sold = sold;
        return r;
    });
}

std::vector<std::pair<std::string, std::string>> InventoryService::warehouses() {
    std::vector<std::pair<std::string, std::string>> out;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT code, name FROM inventory.warehouses ORDER BY code");
        for (auto& r : rs) out.emplace_back(db::col_str(r, 0), db::col_str(r, 1));
    });
    return out;
}

Result<void> InventoryService::reserve_in(soci::session& s, const std::string& reference, const std::vector<ReserveLine>& lines,
                                          const std::string& status) {
    long long expires = now_ms() + ttl_ms_;
    std::string at = now_iso8601();
    for (auto& line : merge_lines(lines)) {
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
            std::string id = new_id("rsv");
            s << "INSERT INTO inventory.reservations (id, reference, sku, warehouse, quantity, status, expires_ms, created_at, updated_at) "
                 "VALUES (:id, :ref, :sku, :w, :q, :st, :e, :c, :u)",
                soci::use(id), soci::use(reference), soci::use(line.sku), soci::use(l.warehouse), soci::use(take),
                soci::use(status), soci::use(expires), soci::use(at), soci::use(at);
            if (status == "committed") {
                s << "UPDATE inventory.levels SET on_hand = on_hand - :q, updated_at = :u WHERE sku = :sku AND warehouse = :w",
                    soci::use(take), soci::use(at), soci::use(line.sku), soci::use(l.warehouse);
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
        int existing = 0;
        tx.sql() << "SELECT COUNT(*) FROM inventory.reservations WHERE reference = :r", soci::into(existing), soci::use(reference);
        if (existing) return {};  // already reserved for this reference: idempotent
        auto r = reserve_in(tx.sql(), reference, lines, "active");
        if (r)
            for (auto& l : merge_lines(lines)) publish_stock(tx, l.sku);
        return r;
    });
}

Result<void> InventoryService::release(const Ctx& ctx, const std::string& reference) {
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        cancel_in(tx, reference);
        return {};
    });
}

void InventoryService::publish_stock(db::Tx& tx, const std::string& sku) {
    auto levels = levels_of(tx.sql(), sku);
    auto a = summarize(sku, levels);
    bool low = false;
    for (auto& l : levels)
        if (l.low_stock_threshold > 0 && l.on_hand - l.reserved <= l.low_stock_threshold) low = true;
    tx.publish(events::StockChanged{sku, a.on_hand, a.available, low});
}

Result<void> InventoryService::set_stock(const Ctx& ctx, std::string_view sku_in, std::string_view warehouse_in,
                                         std::int64_t on_hand, std::optional<std::int64_t> threshold) {
    std::string sku(sku_in), warehouse(warehouse_in);
    return db_.write("inventory", ctx, [&](db::Tx& tx) -> Result<void> {
        auto& s = tx.sql();
        int known = 0;
        s << "SELECT COUNT(*) FROM inventory.warehouses WHERE code = :w", soci::into(known), soci::use(warehouse);
        if (!known)
            return Error(errc::unknown_warehouse, fmt::format("no warehouse '{}'", warehouse), {{"warehouse", "is not a known warehouse"}});
        long long old = 0, old_threshold = 0;
        soci::indicator ind = soci::i_null;
        s << "SELECT on_hand, low_stock_threshold FROM inventory.levels WHERE sku = :s AND warehouse = :w", soci::into(old, ind),
            soci::into(old_threshold), soci::use(sku), soci::use(warehouse);
        if (ind != soci::i_ok) old = old_threshold = 0;
        long long held = 0;
        s << "SELECT COALESCE(SUM(quantity), 0) FROM inventory.reservations WHERE sku = :s AND warehouse = :w AND status = 'active'",
            soci::into(held), soci::use(sku), soci::use(warehouse);
        if (on_hand < held)
            return Error(shop::errc::conflict,
                         fmt::format("{} units of '{}' in '{}' are reserved by unpaid orders; on_hand cannot go below that", held, sku, warehouse),
                         {{"on_hand", fmt::format("must be at least {} (reserved)", held)}});
        long long t = threshold.value_or(old_threshold);
        std::string at = now_iso8601();
        s << "INSERT INTO inventory.levels (sku, warehouse, on_hand, low_stock_threshold, updated_at) VALUES (:s, :w, :o, :t, :u) "
             "ON CONFLICT (sku, warehouse) DO UPDATE SET on_hand = excluded.on_hand, "
             "low_stock_threshold = excluded.low_stock_threshold, updated_at = excluded.updated_at",
            soci::use(sku), soci::use(warehouse), soci::use(on_hand), soci::use(t), soci::use(at);
        if (on_hand != old) record_movement(s, sku, warehouse, on_hand - old, "set", "");
        publish_stock(tx, sku);
        return {};
    });
}

void InventoryService::commit_in(db::Tx& tx, const std::string& reference, const std::vector<ReserveLine>& lines) {
    auto& s = tx.sql();
    auto rows = reservations_of(s, reference);
    std::set<std::string> skus;
    bool any_held = false;
    std::string at = now_iso8601();
    for (auto& r : rows) {
        if (r.status == "committed") any_held = true;
        if (r.status != "active") continue;
        any_held = true;
        s << "UPDATE inventory.reservations SET status = 'committed', updated_at = :u WHERE id = :id", soci::use(at), soci::use(r.id);
        s << "UPDATE inventory.levels SET on_hand = on_hand - :q, updated_at = :u WHERE sku = :sku AND warehouse = :w",
            soci::use(r.quantity), soci::use(at), soci::use(r.sku), soci::use(r.warehouse);
        record_movement(s, r.sku, r.warehouse, -r.quantity, "sale", reference);
        skus.insert(r.sku);
    }
    if (!any_held) {
        // The reservation expired before the payment arrived: sell from free stock if possible.
        auto sold = reserve_in(s, reference, lines, "committed");
        if (!sold)
            throw ErrorException(Error(sold.error().ec, "paid order " + reference + " cannot be fulfilled: " + sold.error().detail));
        for (auto& l : lines) skus.insert(l.sku);
        log_.warn("reservation had expired; paid order sold from free stock", {{"reference", reference}});
    }
    for (auto& sku : skus) publish_stock(tx, sku);
}

void InventoryService::cancel_in(db::Tx& tx, const std::string& reference) {
    auto& s = tx.sql();
    std::string at = now_iso8601();
    std::set<std::string> skus;
    for (auto& r : reservations_of(s, reference)) {
        if (r.status != "active" && r.status != "committed") continue;
        if (r.status == "active") {
            s << "UPDATE inventory.reservations SET status = 'released', updated_at = :u WHERE id = :id", soci::use(at), soci::use(r.id);
        } else {
            s << "UPDATE inventory.reservations SET status = 'returned', updated_at = :u WHERE id = :id", soci::use(at), soci::use(r.id);
            s << "UPDATE inventory.levels SET on_hand = on_hand + :q, updated_at = :u WHERE sku = :sku AND warehouse = :w",
                soci::use(r.quantity), soci::use(at), soci::use(r.sku), soci::use(r.warehouse);
            record_movement(s, r.sku, r.warehouse, r.quantity, "restock", reference);
        }
        skus.insert(r.sku);
    }
    for (auto& sku : skus) publish_stock(tx, sku);
}

int InventoryService::expire_reservations() {
    long long now = now_ms();
    std::vector<std::string> refs;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT DISTINCT reference FROM inventory.reservations "
                                                   "WHERE status = 'active' AND expires_ms <= :now", soci::use(now));
        for (auto& r : rs) refs.push_back(db::col_str(r, 0));
    });
    for (auto& ref : refs) {
        Ctx ctx = Ctx::system("reservation-expiry:" + ref);
        db_.write("inventory", ctx, [&](db::Tx& tx) {
            std::vector<std::string> skus;
            soci::rowset<soci::row> rs = (tx.sql().prepare << "SELECT DISTINCT sku FROM inventory.reservations "
                                                              "WHERE reference = :r AND status = 'active' AND expires_ms <= :now",
                                          soci::use(ref), soci::use(now));
            for (auto& r : rs) skus.push_back(db::col_str(r, 0));
            if (skus.empty()) return;  // committed meanwhile
            std::string at = now_iso8601();
            tx.sql() << "UPDATE inventory.reservations SET status = 'released', updated_at = :u "
                        "WHERE reference = :r AND status = 'active'", soci::use(at), soci::use(ref);
            tx.publish(events::ReservationExpired{ref, skus});
            for (auto& sku : skus) publish_stock(tx, sku);
        });
        log_.info("reservation expired", {{"reference", ref}});
    }
    return static_cast<int>(refs.size());
}

}  // namespace shop::inventory
