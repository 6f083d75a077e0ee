// Refunds, returns and the sales report: the part of the order's life after payment.
#include <fmt/format.h>

#include <algorithm>

#include "order_records.hpp"
#include "ordering/errors.hpp"
#include "ordering/events.hpp"
#include "ordering_service.hpp"
#include "platform/audit.hpp"
#include "platform/day_range.hpp"
#include "platform/db.hpp"
#include "platform/json_input.hpp"

namespace shop::ordering {

namespace {

/// Each line's units: ordered, delivered, in returns (not rejected), restocked.
std::vector<domain::LineUnits> line_units(db::Sql& sql, const Order& o) {
    std::vector<domain::LineUnits> out;
    for (auto& l : o.lines) out.push_back({l.id.value, l.quantity, 0, 0, 0, l.line_total.amount});
    auto line = [&](const std::string& id) -> domain::LineUnits* {
        auto it = std::find_if(out.begin(), out.end(), [&](const domain::LineUnits& u) { return u.line_id == id; });
        return it == out.end() ? nullptr : &*it;
    };
    for (auto& s : o.shipments)
        if (s.status == "delivered")
            for (auto& sl : s.lines)
                if (auto* u = line(sl.line_id.value)) u->delivered += sl.quantity;
    for (auto& r : sql.query("SELECT rl.line_id, rl.quantity FROM ordering.return_lines rl JOIN ordering.returns t ON t.id = rl.return_id "
                             "WHERE t.order_id = ? AND t.status <> 'rejected'",
                             o.id.value))
        if (auto* u = line(r.str(0))) u->returned += r.i64(1);
    for (auto& r : sql.query("SELECT line_id, quantity FROM ordering.restocks WHERE order_id = ?", o.id.value))
        if (auto* u = line(r.str(0))) u->restocked += r.i64(1);
    return out;
}

/// What is captured for an order and not refunded or being refunded: captures ordering learnt of,
/// less its own refunds (not failed) and refunds payment made without being asked (a payment
/// refunded directly, a cancellation).
std::int64_t refundable_left(db::Sql& sql, const std::string& order_id) {
    std::int64_t captured = sql.count("SELECT COALESCE(SUM(amount), 0) FROM ordering.payment_facts WHERE order_id = ? AND kind = 'captured'", order_id);
    std::int64_t asked = sql.count("SELECT COALESCE(SUM(amount), 0) FROM ordering.refunds WHERE order_id = ? AND status <> 'failed'", order_id);
    std::int64_t unasked = sql.count("SELECT COALESCE(SUM(f.amount), 0) FROM ordering.payment_facts f WHERE f.order_id = ? AND f.kind = 'refunded' "
                                     "AND NOT EXISTS (SELECT 1 FROM ordering.refunds r WHERE r.id = f.detail)",
                                     order_id);
    return captured - asked - unasked;
}

/// Puts `lines` back in stock (recorded per line, told to inventory); `source`: the refund or return.
std::vector<RestockedLine> restock_in(db::Tx& tx, const Order& o, const std::vector<domain::AskedLine>& lines, const std::string& source) {
    std::vector<RestockedLine> out;
    std::vector<events::RestockLine> stock;
    std::string at = now_iso8601();
    for (auto& l : lines) {
        auto it = std::find_if(o.lines.begin(), o.lines.end(), [&](const OrderLine& ol) { return ol.id.value == l.line_id; });
        if (it == o.lines.end() || l.quantity <= 0) continue;
        tx.exec("INSERT INTO ordering.restocks (id, order_id, line_id, quantity, source, at) VALUES (?, ?, ?, ?, ?, ?)", new_id("rst"), o.id.value,
                l.line_id, l.quantity, source, at);
        out.push_back({it->id, it->sku, l.quantity});
        stock.push_back({it->sku, l.quantity});
    }
    if (!stock.empty()) tx.publish(events::ItemsRestocked{o.id.value, source, stock});
    return out;
}

std::optional<ReturnOut> load_return(db::Sql& sql, const std::string& id) {
    auto r = sql.one("SELECT t.id, t.order_id, o.number, t.status, t.reason, t.note, t.restocked, t.refund_id, t.refund_amount, o.currency, "
                     "t.created_at, t.decided_at, t.received_at FROM ordering.returns t JOIN ordering.orders o ON o.id = t.order_id "
                     "WHERE t.id = ?",
                     id);
    if (!r) return std::nullopt;
    ReturnOut out;
    out.id = api::of<api::Id<"ret">>(r->str(0));
    out.order_id = api::of<api::Id<"ord">>(r->str(1));
    out.order_number = std::to_string(r->i64(2));
    out.status.value = r->str(3);
    out.reason = r->str(4);
    out.note = r->str(5);
    out.restocked = r->i64(6) != 0;
    if (!r->str(7).empty()) out.refund_id = r->str(7);
    out.refund_amount = {r->i64(8), r->str(9)};
    out.created_at.value = r->str(10);
    if (!r->str(11).empty()) out.decided_at = api::of<api::Timestamp>(r->str(11));
    if (!r->str(12).empty()) out.received_at = api::of<api::Timestamp>(r->str(12));
    for (auto& l : sql.query("SELECT rl.line_id, l.sku, l.title, rl.quantity FROM ordering.return_lines rl "
                             "JOIN ordering.order_lines l ON l.id = rl.line_id WHERE rl.return_id = ? ORDER BY l.position",
                             id))
        out.lines.push_back({api::of<api::Id<"oln">>(l.str(0)), l.str(1), l.str(2), l.i64(3)});
    return out;
}

std::vector<domain::AskedLine> asked_lines(const api::List<LineQuantity, 1, 500>& lines) {
    std::vector<domain::AskedLine> out;
    for (auto& l : lines) out.push_back({l.line_id.value, l.quantity.value});
    return out;
}

}  // namespace

OrderRefund OrderingService::start_refund(db::Tx& tx, const Ctx& ctx, const Order& o, std::int64_t amount, const std::string& reason,
                                          const std::vector<domain::AskedLine>& restock, const std::string& return_id) {
    std::string id = new_id("ref"), at = now_iso8601();
    tx.exec("INSERT INTO ordering.refunds (id, order_id, amount, currency, reason, return_id, status, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            id, o.id.value, amount, o.currency, reason, return_id, ctx.user_id(), at);
    tx.publish(events::RefundRequested{id, o.id.value, amount, o.currency, reason});
    OrderRefund out;
    out.id = id;
    out.order_id = o.id;
    out.amount = {amount, o.currency};
    out.reason = reason;
    out.status.value = "pending";
    if (!return_id.empty()) out.return_id = api::of<api::Id<"ret">>(return_id);
    out.restocked = restock_in(tx, o, restock, id);
    out.created_at.value = at;
    return out;
}

Result<OrderRefund> OrderingService::refund(const Ctx& ctx, std::string_view order_id_in, const RefundRequest& in) {
    std::string order_id(order_id_in);
    if (in.lines && !in.restock.value_or(false)) return validation("lines", "goes only with restock: true");
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<OrderRefund> {
        // The order row is written first: concurrent refunds of one order run one after the other
        // (on PostgreSQL the later one is retried and sees the earlier), so together they never
        // exceed what was captured.
        if (tx.exec("UPDATE ordering.orders SET updated_at = ? WHERE id = ?", now_iso8601(), order_id) == 0)
            return not_found(fmt::format("no order {}", order_id));
        auto o = *load_in(tx, order_id, nullptr);
        const std::string& status = o.status.value;
        if (!domain::refundable_status(status))
            return Error(errc::invalid_transition, fmt::format("an order that is {} cannot be refunded", status), {{"status", "is " + status}});
        std::int64_t left = refundable_left(tx, order_id);
        if (left <= 0)
            return Error(errc::invalid_transition, "everything captured for this order is refunded or being refunded",
                         {{"amount", "nothing is left to refund"}});
        std::int64_t amount = in.amount ? in.amount->value : left;
        if (amount > left) return validation("amount", fmt::format("exceeds what is left to refund ({} {})", left, o.currency));
        std::vector<domain::AskedLine> restock;
        if (in.restock.value_or(false)) {
            std::optional<std::vector<domain::AskedLine>> asked;
            if (in.lines) asked = asked_lines(*in.lines);
            auto plan = domain::plan_restock(line_units(tx, o), asked);
            if (!plan) return plan.error();
            restock = std::move(*plan);
        }
        auto out = start_refund(tx, ctx, o, amount, in.reason.value, restock, "");
        audit::record(tx, "ordering.order.refunded", order_id,
                      {{"refund_id", out.id}, {"amount", amount}, {"reason", in.reason.value}, {"restock", in.restock.value_or(false)}});
        tx.reply(api::write_value(out));
        return out;
    });
}

Result<ReturnOut> OrderingService::request_return(const Ctx& ctx, std::string_view order_id_in, std::string_view cart_token,
                                                  const ReturnRequest& in) {
    std::string order_id(order_id_in);
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<ReturnOut> {
        OrderAccess access;
        auto o = load_in(tx, order_id, &access);
        if (!o || !may_see(ctx, access, cart_token)) return not_found(fmt::format("no order {}", order_id));
        // Written first, so two returns of one order at once cannot both take the same units.
        tx.exec("UPDATE ordering.orders SET updated_at = ? WHERE id = ?", now_iso8601(), order_id);
        const std::string& status = o->status.value;
        if (status != "delivered" && status != "partially_refunded")
            return Error(errc::invalid_transition, fmt::format("an order that is {} cannot be returned: returns follow delivery", status),
                         {{"status", "is " + status}});
        auto plan = domain::plan_return(line_units(tx, *o), asked_lines(in.lines));
        if (!plan) return plan.error();
        std::string id = new_id("ret"), at = now_iso8601();
        tx.exec("INSERT INTO ordering.returns (id, order_id, status, reason, created_at) VALUES (?, ?, 'requested', ?, ?)", id, order_id,
                in.reason.value, at);
        for (auto& l : *plan)
            tx.exec("INSERT INTO ordering.return_lines (return_id, line_id, quantity) VALUES (?, ?, ?)", id, l.line_id, l.quantity);
        tx.publish(events::ReturnUpdated{id, order_id, o->number, o->email, "requested", in.reason.value});
        auto out = *load_return(tx, id);
        tx.reply(api::write_value(out));
        return out;
    });
}

ReturnPage OrderingService::list_returns(const ReturnListQuery& q) {
    ReturnPage page;
    int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
    std::string cursor = q.cursor ? q.cursor->value : "~", status = q.status ? q.status->value : "", order = q.order_id ? q.order_id->value : "";
    db_.read_snapshot([&](db::Reader& r) {
        std::vector<std::string> ids;
        for (auto& row : r.query("SELECT id FROM ordering.returns WHERE id < ? AND (? = '' OR status = ?) AND (? = '' OR order_id = ?) "
                                 "ORDER BY id DESC LIMIT ?",
                                 cursor, status, status, order, order, limit + 1))
            ids.push_back(row.str(0));
        bool more = static_cast<int>(ids.size()) > limit;
        if (more) ids.resize(limit);
        for (auto& id : ids) page.data.push_back(*load_return(r, id));
        if (more && !ids.empty()) page.next_cursor = api::of<api::Cursor>(ids.back());
    });
    return page;
}

Result<ReturnOut> OrderingService::decide_return(const Ctx& ctx, std::string_view return_id_in, const std::string& to, const ReturnDecision& in) {
    std::string return_id(return_id_in);
    if (in.restock && to != "received") return validation("restock", "goes only with receiving a return");
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<ReturnOut> {
        auto r = tx.one("SELECT order_id FROM ordering.returns WHERE id = ?", return_id);
        if (!r) return not_found(fmt::format("no return {}", return_id));
        std::string order_id = r->str(0), at = now_iso8601();
        tx.exec("UPDATE ordering.orders SET updated_at = ? WHERE id = ?", at, order_id);  // one step of an order's returns at a time
        auto ret = *load_return(tx, return_id);
        const std::string& from = ret.status.value;
        if (!domain::can_move_return(from, to))
            return Error(errc::invalid_transition, fmt::format("a return that is {} cannot become {}", from, to), {{"status", "is " + from}});
        std::string note = in.note ? in.note->value : "";
        auto o = *load_in(tx, order_id, nullptr);
        if (to != "received") {
            tx.exec("UPDATE ordering.returns SET status = ?, note = ?, decided_at = ? WHERE id = ?", to, note, at, return_id);
        } else {
            auto units = line_units(tx, o);
            std::int64_t value = 0;
            std::vector<domain::AskedLine> back;
            for (auto& l : ret.lines) {
                auto it = std::find_if(units.begin(), units.end(), [&](const domain::LineUnits& u) { return u.line_id == l.line_id.value; });
                if (it == units.end()) continue;
                value += domain::returned_value(o.total.amount - o.shipping.amount, o.subtotal.amount, *it, l.quantity);
                // Units an earlier refund restocked already are not put back twice.
                std::int64_t n = std::min(l.quantity, it->quantity - it->restocked);
                if (n > 0) back.push_back({l.line_id.value, n});
            }
            bool restock = in.restock.value_or(true);
            if (!restock) back.clear();
            std::int64_t amount = std::min(value, std::max<std::int64_t>(0, refundable_left(tx, order_id)));
            std::string refund_id;
            if (amount > 0) {
                refund_id = start_refund(tx, ctx, o, amount, "return " + return_id, back, return_id).id;
            } else {
                restock_in(tx, o, back, return_id);
            }
            tx.exec("UPDATE ordering.returns SET status = 'received', note = ?, received_at = ?, restocked = ?, refund_id = ?, refund_amount = ? "
                    "WHERE id = ?",
                    note, at, restock ? 1 : 0, refund_id, amount, return_id);
        }
        audit::record(tx, "ordering.return." + to, return_id, {{"order_id", order_id}, {"note", note}});
        tx.publish(events::ReturnUpdated{return_id, order_id, o.number, o.email, to, note});
        auto out = *load_return(tx, return_id);
        tx.reply(api::write_value(out));
        return out;
    });
}

void OrderingService::on_payment_refunded(db::Tx& tx, const std::string& order_id, const std::string& refund_id, std::int64_t amount,
                                          const std::string& currency, const std::string& reason) {
    std::string at = now_iso8601();
    tx.exec("UPDATE ordering.refunds SET status = 'succeeded', settled_at = ? WHERE id = ? AND status = 'pending'", at, refund_id);
    auto o = load_in(tx, order_id, nullptr);
    if (!o) return;
    std::int64_t captured = tx.count("SELECT COALESCE(SUM(amount), 0) FROM ordering.payment_facts WHERE order_id = ? AND kind = 'captured'", order_id);
    std::int64_t refunded = tx.count("SELECT COALESCE(SUM(amount), 0) FROM ordering.payment_facts WHERE order_id = ? AND kind = 'refunded'", order_id);
    const std::string& status = o->status.value;
    std::string to = domain::status_after_refund(status, refunded, captured);
    // The refund itself is in the history as a payment fact; the status list notes only a change.
    if (to != status) record_transition(tx, order_id, status, to, fmt::format("refund {} of {} {}", refund_id, amount, currency));
    tx.publish(events::OrderRefunded{order_id, o->number, o->email, refund_id, amount, refunded, currency, reason, to});
}

void OrderingService::on_refund_failed(db::Tx& tx, const std::string& refund_id, const std::string& code) {
    tx.exec("UPDATE ordering.refunds SET status = 'failed', failure_code = ?, settled_at = ? WHERE id = ? AND status = 'pending'", code,
            now_iso8601(), refund_id);
}

void OrderingService::count_sale(db::Tx& tx, const std::string& day, const events::OrderConfirmed& e) {
    tx.exec("INSERT INTO ordering.sales_daily (day, currency) VALUES (?, ?) ON CONFLICT (day, currency) DO NOTHING", day, e.currency);
    tx.exec("UPDATE ordering.sales_daily SET orders = orders + 1, revenue = revenue + ? WHERE day = ? AND currency = ?", e.total, day, e.currency);
    for (auto& l : e.lines) {
        tx.exec("INSERT INTO ordering.sales_products (day, currency, sku, product_id, title) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (day, currency, sku) DO NOTHING",
                day, e.currency, l.sku, l.product_id, l.title);
        tx.exec("UPDATE ordering.sales_products SET quantity = quantity + ?, revenue = revenue + ? WHERE day = ? AND currency = ? AND sku = ?",
                l.quantity, l.line_total, day, e.currency, l.sku);
    }
}

void OrderingService::count_refund_in_sales(db::Tx& tx, const std::string& day, const std::string& currency, std::int64_t amount) {
    tx.exec("INSERT INTO ordering.sales_daily (day, currency) VALUES (?, ?) ON CONFLICT (day, currency) DO NOTHING", day, currency);
    tx.exec("UPDATE ordering.sales_daily SET refunded = refunded + ? WHERE day = ? AND currency = ?", amount, day, currency);
}

Result<SalesReport> OrderingService::sales_report(const SalesQuery& q) {
    auto range = day_range(q.from ? std::optional(q.from->value) : std::nullopt, q.to ? std::optional(q.to->value) : std::nullopt);
    if (!range) return range.error();
    SalesReport out{range->from, range->to, {}, {}, {}};
    auto row_of = [](const db::Row& r, bool with_day) {
        SalesRow s;
        int c = 0;
        if (with_day) s.day = r.str(c++);
        s.currency = r.str(c);
        s.orders = r.i64(c + 1);
        std::int64_t revenue = r.i64(c + 2), refunded = r.i64(c + 3);
        s.revenue = {revenue, s.currency};
        s.refunded = {refunded, s.currency};
        s.net_revenue = {revenue - refunded, s.currency};
        s.average_order_value = {s.orders > 0 ? revenue / s.orders : 0, s.currency};
        return s;
    };
    db_.read_snapshot([&](db::Reader& r) {
        for (auto& row : r.query("SELECT day, currency, orders, revenue, refunded FROM ordering.sales_daily WHERE day >= ? AND day <= ? "
                                 "ORDER BY day, currency",
                                 range->from, range->to))
            out.days.push_back(row_of(row, true));
        for (auto& row : r.query("SELECT currency, SUM(orders), SUM(revenue), SUM(refunded) FROM ordering.sales_daily WHERE day >= ? AND day <= ? "
                                 "GROUP BY currency ORDER BY currency",
                                 range->from, range->to))
            out.totals.push_back(row_of(row, false));
        for (auto& row : r.query("SELECT MAX(product_id), sku, MAX(title), currency, SUM(quantity), SUM(revenue) FROM ordering.sales_products "
                                 "WHERE day >= ? AND day <= ? GROUP BY currency, sku ORDER BY SUM(quantity) DESC, SUM(revenue) DESC, sku LIMIT 10",
                                 range->from, range->to))
            out.top_products.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.i64(4), {row.i64(5), row.str(3)}});
    });
    return out;
}

}  // namespace shop::ordering
