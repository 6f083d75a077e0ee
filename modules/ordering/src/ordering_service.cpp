#include "ordering_service.hpp"

#include "order_records.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "catalog/errors.hpp"
#include "domain/fulfilment.hpp"
#include "domain/order_rules.hpp"
#include "domain/pricing.hpp"
#include "ordering/errors.hpp"
#include "ordering/events.hpp"
#include "platform/audit.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::ordering {

namespace {

class OrderingCategory final : public ErrorCategory {
public:
    const char* name() const noexcept override { return "ordering"; }
    int http_status(int ev) const noexcept override { return static_cast<errc>(ev) == errc::cart_empty ? 422 : 409; }
    std::string_view problem_code(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::cart_empty: return "cart_empty";
            case errc::cart_checked_out: return "cart_checked_out";
            case errc::order_not_payable: return "order_not_payable";
            case errc::invalid_transition: return "invalid_state";
            case errc::coupon_unavailable: return "coupon_unavailable";
        }
        return "internal_error";
    }
};

const char* kOrderColumns =
    "SELECT id, number, customer_id, guest_token_hash, email, status, currency, subtotal, discount, shipping, tax, total, "
    "shipping_method, shipping_address, billing_address, payment_id, created_at, updated_at, cart_id, payable_until_ms, "
    "promotion_code, prices_include_tax FROM ordering.orders ";

Address address_of(const std::string& stored) {
    // Written by checkout from a validated Address: reading it back cannot fail.
    std::vector<FieldError> errors;
    api::Reader r(errors);
    Address a;
    api::read_value(boost::json::parse(stored), a, "", r);
    if (!errors.empty()) throw std::runtime_error("a stored address does not read back: " + errors.front().field);
    return a;
}

std::vector<ShipmentLineOut> shipment_lines(db::Sql& sql, const std::string& shipment_id) {
    std::vector<ShipmentLineOut> out;
    for (auto& l : sql.query("SELECT sl.line_id, l.sku, sl.quantity FROM ordering.shipment_lines sl "
                             "JOIN ordering.order_lines l ON l.id = sl.line_id WHERE sl.shipment_id = ? ORDER BY l.position",
                             shipment_id))
        out.push_back({api::of<api::Id<"oln">>(l.str(0)), l.str(1), l.i64(2)});
    return out;
}

Order order_from_row(db::Sql& sql, const db::Row& r) {
    Order o;
    std::string currency = r.str(6);
    o.id = api::of<api::Id<"ord">>(r.str(0));
    o.number = std::to_string(r.i64(1));
    if (!r.str(2).empty()) o.customer_id = api::of<api::Id<"usr">>(r.str(2));
    o.email = r.str(4);
    o.status.value = r.str(5);
    o.currency = currency;
    o.subtotal = {r.i64(7), currency};
    o.discount = {r.i64(8), currency};
    o.shipping = {r.i64(9), currency};
    o.tax = {r.i64(10), currency};
    o.total = {r.i64(11), currency};
    o.shipping_method = r.str(12);
    o.shipping_address = address_of(r.str(13));
    o.billing_address = address_of(r.str(14));
    if (!r.str(15).empty()) o.payment_id = api::of<api::Id<"pay">>(r.str(15));
    o.created_at.value = r.str(16);
    o.updated_at.value = r.str(17);
    o.cart_id = api::of<api::Id<"cart">>(r.str(18));
    o.payable_until.value = iso8601(r.i64(19));
    if (!r.str(20).empty()) o.promotion_code = r.str(20);
    o.prices_include_tax = r.i64(21) != 0;
    for (auto& t : sql.query("SELECT tax_class, rate_bp, taxable, amount FROM ordering.order_tax_lines WHERE order_id = ? ORDER BY position",
                             o.id.value))
        o.tax_lines.push_back({t.str(0), t.i64(1), {t.i64(2), currency}, {t.i64(3), currency}});
    for (auto& l : sql.query("SELECT id, sku, product_id, variant_id, title, quantity, unit_price, line_total "
                             "FROM ordering.order_lines WHERE order_id = ? ORDER BY position",
                             o.id.value))
        o.lines.push_back({api::of<api::Id<"oln">>(l.str(0)), l.str(1), api::of<api::Id<"prd">>(l.str(2)), api::of<api::Id<"var">>(l.str(3)),
                           l.str(4), l.i64(5), {l.i64(6), currency}, {l.i64(7), currency}});
    for (auto& r : sql.query("SELECT id, carrier, tracking_number, status, shipped_at, delivered_at FROM ordering.shipments "
                             "WHERE order_id = ? ORDER BY id",
                             o.id.value)) {
        Shipment s;
        s.id = api::of<api::Id<"shp">>(r.str(0));
        if (!r.str(1).empty()) s.carrier = r.str(1);
        if (!r.str(2).empty()) s.tracking_number = r.str(2);
        s.status.value = r.str(3);
        s.shipped_at.value = r.str(4);
        if (!r.str(5).empty()) s.delivered_at = api::of<api::Timestamp>(r.str(5));
        o.shipments.push_back(std::move(s));
    }
    for (auto& s : o.shipments) s.lines = shipment_lines(sql, s.id.value);  // after the cursor above is done
    return o;
}

}  // namespace

bool may_see(const Ctx& ctx, const OrderAccess& a, std::string_view cart_token) {
    if (ctx.is_admin()) return true;
    if (!a.customer_id.empty()) return ctx.user_id() == a.customer_id;
    return !cart_token.empty() && crypto::equal_constant_time(crypto::sha256_hex(cart_token), a.guest_token_hash);
}

namespace {
std::vector<events::OrderLine> event_lines(const Order& order) {
    std::vector<events::OrderLine> out;
    for (auto& l : order.lines)
        out.push_back({l.sku, l.product_id.value, l.variant_id.value, l.title, l.quantity, l.unit_price.amount, l.line_total.amount});
    return out;
}

}  // namespace

Error refused(const std::string& from, const std::string& to) {
    return Error(errc::invalid_transition, fmt::format("an order that is {} cannot become {}", from.empty() ? "new" : from, to),
                 {{"status", fmt::format("is {}", from)}});
}

void record_transition(db::Sql& sql, const std::string& order_id, const std::string& from, const std::string& to,
                       const std::string& note) {
    if (from.empty() ? to != "pending_payment" : (from != to && !domain::can_transition(from, to))) throw ErrorException(refused(from, to));
    std::string at = now_iso8601();
    sql.exec("INSERT INTO ordering.status_history (id, order_id, from_status, to_status, note, at) VALUES (?, ?, ?, ?, ?, ?)",
             new_id("osh"), order_id, from, to, note, at);
    if (from != to) sql.exec("UPDATE ordering.orders SET status = ?, updated_at = ? WHERE id = ?", to, at, order_id);
}

std::optional<Order> load_in(db::Sql& sql, const std::string& id, OrderAccess* access) {
    auto r = sql.one(std::string(kOrderColumns) + "WHERE id = ?", id);
    if (!r) return std::nullopt;
    if (access) *access = {r->str(2), r->str(3), r->i64(19)};
    return order_from_row(sql, *r);
}


const ErrorCategory& ordering_category() noexcept {
    static const OrderingCategory kCategory;
    return kCategory;
}

std::optional<Order> OrderingService::load_order(const std::string& id, OrderAccess* access) {
    return db_.read([&](db::Reader& r) { return load_in(r, id, access); });
}

Result<PayableOrder> OrderingService::order_for_payment(const Ctx& ctx, std::string_view order_id_in, std::string_view cart_token) {
    std::string order_id(order_id_in);
    auto r = db_.read([&](db::Reader& sql) {
        return sql.one("SELECT id, number, status, customer_id, guest_token_hash, email, total, currency, payable_until_ms "
                       "FROM ordering.orders WHERE id = ?",
                       order_id);
    });
    if (!r || !may_see(ctx, OrderAccess{r->str(3), r->str(4), r->i64(8)}, cart_token)) return not_found(fmt::format("no order {}", order_id));
    return PayableOrder{r->str(0), std::to_string(r->i64(1)), r->str(2), r->str(3), r->str(5), Money{r->i64(6), r->str(7)}, r->i64(8)};
}

Result<Order> OrderingService::get_order(const Ctx& ctx, std::string_view order_id, std::string_view cart_token) {
    OrderAccess access;
    auto o = load_order(std::string(order_id), &access);
    if (!o || !may_see(ctx, access, cart_token)) return not_found(fmt::format("no order {}", order_id));
    return std::move(*o);
}

Result<OrderHistory> OrderingService::history(const Ctx& ctx, std::string_view order_id, std::string_view cart_token) {
    auto o = get_order(ctx, order_id, cart_token);
    if (!o) return o.error();
    OrderHistory h{o->id, o->status, {}, {}};
    // Sorted by time, then by the time-ordered part of the row's id (several rows of one
    // transaction share a millisecond); "" sorts a delivery before the status change it causes.
    struct Timed {
        std::string at, seq;
        HistoryEvent event;
    };
    std::vector<Timed> timed;
    auto seq_of = [](const std::string& id) { return id.substr(id.find('_') + 1); };
    db_.read_snapshot([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, from_status, to_status, note, at FROM ordering.status_history WHERE order_id = ? ORDER BY id",
                                 o->id.value)) {
            h.history.push_back({row.str(1), api::of<OrderStatus>(row.str(2)), row.str(3), api::of<api::Timestamp>(row.str(4))});
            HistoryEvent e;
            e.kind.value = "status";
            e.at.value = row.str(4);
            e.event = row.str(2);
            e.note = row.str(3);
            e.from = row.str(1);
            e.to = api::of<OrderStatus>(row.str(2));
            timed.push_back({row.str(4), seq_of(row.str(0)), std::move(e)});
        }
        for (auto& row : r.query("SELECT id, payment_id, kind, amount, currency, detail, at FROM ordering.payment_facts WHERE order_id = ? "
                                 "ORDER BY id",
                                 o->id.value)) {
            HistoryEvent e;
            e.kind.value = "payment";
            e.at.value = row.str(6);
            e.event = row.str(2);
            e.payment_id = api::of<api::Id<"pay">>(row.str(1));
            if (e.event == "refunded") {
                e.refund_id = row.str(5);
                e.note = "refunded";
            } else {
                e.note = row.str(5);
            }
            if (!row.str(4).empty()) e.amount = api::Money{row.i64(3), row.str(4)};
            timed.push_back({row.str(6), seq_of(row.str(0)), std::move(e)});
        }
        for (auto& row : r.query("SELECT id, amount, currency, reason, status, failure_code, created_at, settled_at, return_id "
                                 "FROM ordering.refunds WHERE order_id = ? ORDER BY id",
                                 o->id.value)) {
            HistoryEvent e;
            e.kind.value = "refund";
            e.at.value = row.str(6);
            e.event = "requested";
            e.refund_id = row.str(0);
            e.amount = api::Money{row.i64(1), row.str(2)};
            e.note = row.str(3);
            if (!row.str(8).empty()) e.return_id = api::of<api::Id<"ret">>(row.str(8));
            timed.push_back({e.at.value, seq_of(row.str(0)), e});
            if (row.str(4) != "pending") {
                e.at.value = row.str(7);
                e.event = row.str(4);
                e.note = row.str(4) == "failed" ? "refund failed: " + row.str(5) : "refund went through";
                timed.push_back({e.at.value, seq_of(row.str(0)), std::move(e)});
            }
        }
        for (auto& row : r.query("SELECT id, status, reason, note, created_at, decided_at, received_at FROM ordering.returns "
                                 "WHERE order_id = ? ORDER BY id",
                                 o->id.value)) {
            HistoryEvent e;
            e.kind.value = "return";
            e.return_id = api::of<api::Id<"ret">>(row.str(0));
            e.at.value = row.str(4);
            e.event = "requested";
            e.note = row.str(2);
            timed.push_back({e.at.value, seq_of(row.str(0)), e});
            std::string status = row.str(1);
            if (!row.str(5).empty()) {  // approved or rejected
                e.at.value = row.str(5);
                e.event = status == "rejected" ? "rejected" : "approved";
                e.note = row.str(3);
                timed.push_back({e.at.value, seq_of(row.str(0)), e});
            }
            if (!row.str(6).empty()) {
                e.at.value = row.str(6);
                e.event = "received";
                e.note = row.str(3);
                timed.push_back({e.at.value, seq_of(row.str(0)), std::move(e)});
            }
        }
    });
    for (auto& s : o->shipments) {
        HistoryEvent e;
        e.kind.value = "shipment";
        e.at = s.shipped_at;
        e.event = "shipped";
        e.shipment_id = s.id;
        if (s.carrier.value) e.carrier = *s.carrier.value;
        if (s.tracking_number.value) e.tracking_number = *s.tracking_number.value;
        e.lines = s.lines;
        std::int64_t units = 0;
        for (auto& l : s.lines) units += l.quantity;
        e.note = fmt::format("{} unit(s) shipped", units);
        timed.push_back({s.shipped_at.value, seq_of(s.id.value), e});
        if (s.delivered_at.value) {
            e.at = *s.delivered_at.value;
            e.event = "delivered";
            e.note = "delivered";
            // In the same millisecond as its shipping (an admin steps fast), still after it.
            timed.push_back({e.at.value, seq_of(s.id.value) + "~", std::move(e)});
        }
    }
    std::stable_sort(timed.begin(), timed.end(), [](const Timed& a, const Timed& b) { return std::tie(a.at, a.seq) < std::tie(b.at, b.seq); });
    for (auto& t : timed) h.events.push_back(std::move(t.event));
    return h;
}

OrderPage OrderingService::list_orders(const Ctx& ctx, const std::string& after, int limit, const std::string& status) {
    OrderPage page;
    db_.read_snapshot([&](db::Reader& r) {
        std::string cursor = after.empty() ? "~" : after, customer = ctx.user_id();
        int all = ctx.is_admin() ? 1 : 0;
        std::vector<db::Row> found;
        for (auto& row : r.query(std::string(kOrderColumns) +
                                     "WHERE id < ? AND (? = 1 OR customer_id = ?) AND (? = '' OR status = ?) ORDER BY id DESC LIMIT ?",
                                 cursor, all, customer, status, status, limit + 1))
            found.push_back(row);
        bool more = static_cast<int>(found.size()) > limit;
        if (more) found.resize(limit);
        for (auto& row : found) page.data.push_back(order_from_row(r, row));
        if (more && !page.data.empty()) page.next_cursor = api::of<api::Cursor>(page.data.back().id.value);
    });
    return page;
}

Result<std::vector<domain::PriceLine>> OrderingService::price_lines(const cart::CheckoutCart& cart,
                                                                      std::vector<events::OrderLine>* order_lines) {
    // Never trust a price the client saw: re-price every line now.
    std::vector<domain::PriceLine> out;
    for (auto& l : cart.lines) {
        auto p = catalog_.purchasable(l.sku, cart.currency);
        if (!p) return Error(p.error().ec, fmt::format("SKU '{}' can no longer be bought: {}", l.sku, p.error().detail),
                             {{"cart_id", fmt::format("holds {}, which is no longer on sale in {}", l.sku, cart.currency)}});
        if (order_lines) {
            std::string title = p->variant_title.empty() ? p->product_title : p->product_title + " — " + p->variant_title;
            order_lines->push_back(
                {l.sku, p->product_id, p->variant_id, title, l.quantity, p->unit_price.amount, p->unit_price.amount * l.quantity});
        }
        out.push_back({l.sku, p->product_id, p->tax_class, l.quantity, p->unit_price.amount, p->weight_grams, p->category_ids});
    }
    return out;
}

Result<ShippingMethods> OrderingService::shipping_methods(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token,
                                                          const std::string& country) {
    auto cart = cart_.cart_for_checkout(ctx, cart_id, cart_token);
    if (!cart) return Error(cart.error().ec, cart.error().detail, {{"cart_id", "is not a cart of yours"}});
    auto lines = price_lines(*cart, nullptr);
    std::int64_t net = 0, grams = 0;
    bool free_shipping = false;
    if (lines) {
        auto p = pricing_.discount(cart->currency, cart->coupon_code, *lines, PricingService::customer_key(ctx, ""));
        for (auto& l : *lines) {
            net += l.line_total();
            grams += l.weight_grams * l.quantity;
        }
        net -= p.discount;
        free_shipping = p.free_shipping;
    }
    ShippingMethods out;
    out.data = pricing_.methods_for(cart->currency, country, net, grams, free_shipping);
    return out;
}

Result<Quote> OrderingService::quote(const Ctx& ctx, const QuoteRequest& in, std::string_view cart_token) {
    auto cart = cart_.cart_for_checkout(ctx, in.cart_id.value, cart_token);
    if (!cart) return Error(cart.error().ec, cart.error().detail, {{"cart_id", "is not a cart of yours"}});
    if (cart->lines.empty()) return Error(errc::cart_empty, "the cart is empty", {{"cart_id", "has no items"}});
    auto lines = price_lines(*cart, nullptr);
    if (!lines) return lines.error();
    std::string email = in.email ? in.email->value : "";
    auto plan = db_.read([&](db::Reader& r) {
        return pricing_.plan(r, cart->currency, *lines, cart->coupon_code, PricingService::customer_key(ctx, email), in.shipping_method.value,
                             in.shipping_address.country.value, in.shipping_address.region ? in.shipping_address.region->value : "");
    });
    if (!plan) return plan.error();
    const auto& p = plan->priced;
    const auto& c = cart->currency;
    Quote q{c, {p.subtotal, c}, {p.discount, c}, {p.shipping, c}, {p.tax, c}, {p.total, c}, plan->prices_include_tax, p.free_shipping, {}, {}};
    if (plan->promotion && !plan->promotion->code.empty()) q.promotion_code = plan->promotion->code;
    for (auto& t : p.tax_lines) q.tax_lines.push_back({t.tax_class, t.rate_bp, {t.taxable, c}, {t.amount, c}});
    return q;
}

Result<Order> OrderingService::checkout(const Ctx& ctx, const CheckoutRequest& in, std::string_view cart_token) {
    auto cart = cart_.cart_for_checkout(ctx, in.cart_id.value, cart_token);
    if (!cart) return Error(cart.error().ec, cart.error().detail, {{"cart_id", "is not a cart of yours"}});
    if (cart->status != "open") return Error(errc::cart_checked_out, "this cart has already been checked out");
    if (cart->lines.empty()) return Error(errc::cart_empty, "the cart is empty", {{"cart_id", "has no items"}});
    std::string email = in.email ? in.email->value : "";
    if (email.empty() && ctx.principal) email = ctx.principal->email;
    if (email.empty()) return validation("email", "is required for guest checkout");

    std::vector<events::OrderLine> lines;
    auto priced_lines = price_lines(*cart, &lines);
    if (!priced_lines) return priced_lines.error();
    std::string key = PricingService::customer_key(ctx, email);
    std::string country = in.shipping_address.country.value;
    std::string region = in.shipping_address.region ? in.shipping_address.region->value : "";
    std::set<std::string> used_up;  // automatic promotions that ran out while this order was placed
    auto plan_now = [&] {
        return db_.read(
            [&](db::Reader& r) { return pricing_.plan(r, cart->currency, *priced_lines, cart->coupon_code, key, in.shipping_method.value, country, region, used_up); });
    };
    auto plan = plan_now();
    if (!plan) return plan.error();

    std::string order_id = new_id("ord");
    std::vector<inventory::ReserveLine> reserve;
    for (auto& l : lines) reserve.push_back({l.sku, l.quantity});
    if (auto r = inventory_.reserve(ctx, order_id, reserve); !r) return r.error();

    try {
        for (int attempt = 0;; ++attempt) {
            bool promotion_ran_out = false;
            auto result = db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<Order> {
                if (tx.count("SELECT COUNT(*) FROM ordering.orders WHERE cart_id = ?", cart->id))
                    return Error(errc::cart_checked_out, "this cart has already been checked out");
                std::string customer = ctx.user_id();
                if (plan->promotion && !pricing_.take(tx, *plan->promotion, order_id, key)) {
                    if (!plan->promotion->code.empty())
                        return Error(errc::coupon_unavailable,
                                     fmt::format("coupon {} has been used up; remove it from the cart or try another", plan->promotion->code),
                                     {{"coupon_code", fmt::format("coupon {} has been used up", plan->promotion->code)}});
                    promotion_ran_out = true;
                    return Error(errc::coupon_unavailable, "an automatic promotion ran out");
                }
                const auto& totals = plan->priced;
                // Not MAX(number) + 1: on PostgreSQL concurrent checkouts would draw the same number.
                std::int64_t number = tx.next_number("ordering.order_numbers");
                std::string status = "pending_payment", at = now_iso8601();
                std::string guest_hash = customer.empty() ? crypto::sha256_hex(cart_token) : "";
                std::string promotion_code = plan->promotion ? plan->promotion->code : "";
                tx.exec("INSERT INTO ordering.orders (id, number, customer_id, guest_token_hash, email, cart_id, status, currency, subtotal, "
                        "discount, shipping, tax, total, shipping_method, shipping_address, billing_address, created_at, updated_at, "
                        "payable_until_ms, promotion_code, prices_include_tax) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        order_id, number, customer, guest_hash, email, cart->id, status, cart->currency, totals.subtotal, totals.discount,
                        totals.shipping, totals.tax, totals.total, in.shipping_method.value,
                        boost::json::serialize(api::write_value(in.shipping_address)),
                        boost::json::serialize(api::write_value(in.billing_address ? *in.billing_address : in.shipping_address)), at, at,
                        now_ms() + payment_window_ms_, promotion_code, plan->prices_include_tax ? 1 : 0);
                int position = 0;
                for (auto& l : lines) {
                    tx.exec("INSERT INTO ordering.order_lines (id, order_id, position, sku, product_id, variant_id, title, quantity, "
                            "unit_price, line_total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            new_id("oln"), order_id, position, l.sku, l.product_id, l.variant_id, l.title, l.quantity, l.unit_price,
                            l.line_total);
                    ++position;
                }
                position = 0;
                for (auto& t : totals.tax_lines)
                    tx.exec("INSERT INTO ordering.order_tax_lines (order_id, position, tax_class, rate_bp, taxable, amount) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            order_id, position++, t.tax_class, t.rate_bp, t.taxable, t.amount);
                record_transition(tx, order_id, "", status, "order placed");
                tx.publish(events::OrderPlaced{order_id, std::to_string(number), customer, email, cart->id, cart->currency,
                                               totals.subtotal, totals.discount, totals.shipping, totals.tax, totals.total, lines});
                auto order = *load_in(tx, order_id, nullptr);
                tx.reply(api::write_value(order));
                return order;
            });
            if (promotion_ran_out && attempt < 5) {
                // Price again without it: the buyer gets the next best promotion, or none.
                used_up.insert(plan->promotion->id);
                plan = plan_now();
                if (plan) continue;
                result = plan.error();
            }
            if (!result) inventory_.release(ctx, order_id);  // compensate: nothing was ordered
            return result;
        }
    } catch (...) {
        inventory_.release(ctx, order_id);
        throw;
    }
}

Result<Order> OrderingService::cancel(const Ctx& ctx, std::string_view order_id_in, std::string_view cart_token, const std::string& reason) {
    std::string order_id(order_id_in);
    std::string why = reason.empty() ? (ctx.is_admin() ? "cancelled by the shop" : "cancelled by the customer") : reason;
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<Order> {
        OrderAccess access;
        auto o = load_in(tx, order_id, &access);
        if (!o || !may_see(ctx, access, cart_token)) return not_found(fmt::format("no order {}", order_id));
        const std::string& status = o->status.value;
        if (status == "cancelled") {  // asked again: the same answer
            tx.reply(api::write_value(*o));
            return std::move(*o);
        }
        // Shipped or later: record_transition refuses it by the transition table (409 invalid_state).
        if (!o->shipments.empty())
            return Error(errc::invalid_transition, "part of this order has already shipped; it can no longer be cancelled",
                         {{"status", fmt::format("is {} with {} shipment(s) sent", status, o->shipments.size())}});
        record_transition(tx, order_id, status, "cancelled", why);
        pricing_.give_back(tx, order_id);
        // Inventory releases or restocks, payment refunds what was taken, notification mails.
        tx.publish(events::OrderCancelled{order_id, o->number, o->email, ctx.is_admin() ? "cancelled_by_shop" : "cancelled_by_customer"});
        audit::record(tx, "ordering.order.cancelled", order_id, {{"from", status}, {"reason", why}, {"by_shop", ctx.is_admin()}});
        auto out = *load_in(tx, order_id, nullptr);
        tx.reply(api::write_value(out));
        return out;
    });
}

Result<Order> OrderingService::fulfil(const Ctx& ctx, std::string_view order_id_in, const FulfilmentRequest& in) {
    std::string order_id(order_id_in);
    const std::string step = in.status.value;
    // A field meant for another step is a mistake the caller should hear about, not something to ignore.
    std::vector<FieldError> misplaced;
    if (step != "shipped") {
        if (in.carrier) misplaced.push_back({"carrier", "goes only with status shipped"});
        if (in.tracking_number) misplaced.push_back({"tracking_number", "goes only with status shipped"});
        if (in.lines) misplaced.push_back({"lines", "goes only with status shipped"});
    }
    if (step != "delivered" && in.shipment_id) misplaced.push_back({"shipment_id", "goes only with status delivered"});
    if (!misplaced.empty()) return validation_error(std::move(misplaced));

    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<Order> {
        // The order row is written first: on PostgreSQL (REPEATABLE READ) two steps on one order at
        // once then conflict and one is retried, instead of both counting the same units left to ship.
        if (tx.exec("UPDATE ordering.orders SET updated_at = ? WHERE id = ?", now_iso8601(), order_id) == 0)
            return not_found(fmt::format("no order {}", order_id));
        auto o = *load_in(tx, order_id, nullptr);
        std::string status = o.status.value;
        auto to_processing = [&](const std::string& note) {
            record_transition(tx, order_id, status, "processing", note);
            tx.publish(events::OrderStatusChanged{order_id, o.number, status, "processing"});
            status = "processing";
        };

        if (step == "processing") {
            if (status == "processing") return refused(status, step);  // the table's from == to would only add a note
            to_processing("being prepared for shipping");
        } else if (step == "shipped") {
            if (status != "confirmed" && status != "processing") return refused(status, step);
            std::vector<domain::LineToShip> lines;
            for (auto& l : o.lines) lines.push_back({l.id.value, l.quantity, 0});
            for (auto& sh : o.shipments)
                for (auto& sl : sh.lines)
                    for (auto& l : lines)
                        if (l.line_id == sl.line_id.value) l.shipped += sl.quantity;
            std::optional<std::vector<domain::ShipLine>> asked;
            if (in.lines) {
                asked.emplace();
                for (auto& l : *in.lines) asked->push_back({l.line_id.value, l.quantity.value});
            }
            auto plan = domain::plan_shipment(lines, asked);
            if (!plan) return plan.error();
            if (status == "confirmed") to_processing("being prepared for shipping");
            std::string shipment_id = new_id("shp"), at = now_iso8601();
            std::string carrier = in.carrier ? in.carrier->value : "", tracking = in.tracking_number ? in.tracking_number->value : "";
            tx.exec("INSERT INTO ordering.shipments (id, order_id, carrier, tracking_number, status, shipped_at) VALUES (?, ?, ?, ?, 'shipped', ?)",
                    shipment_id, order_id, carrier, tracking, at);
            std::vector<events::ShipmentLine> shipped;
            for (auto& l : plan->lines) {
                tx.exec("INSERT INTO ordering.shipment_lines (shipment_id, line_id, quantity) VALUES (?, ?, ?)", shipment_id, l.line_id, l.quantity);
                for (auto& ol : o.lines)
                    if (ol.id.value == l.line_id) shipped.push_back({l.line_id, ol.sku, ol.title, l.quantity});
            }
            if (plan->completes) {
                std::string note = fmt::format("shipment {}", shipment_id);
                if (!carrier.empty()) note += " via " + carrier;
                if (!tracking.empty()) note += ", tracking " + tracking;
                record_transition(tx, order_id, status, "shipped", note);
            }
            tx.publish(events::OrderShipped{order_id, o.number, o.email, shipment_id, carrier, tracking, shipped, plan->completes});
        } else {  // delivered
            std::vector<std::string> delivered;
            std::string at = now_iso8601();
            bool complete = false;
            if (in.shipment_id) {
                const std::string& id = in.shipment_id->value;
                auto it = std::find_if(o.shipments.begin(), o.shipments.end(), [&](const Shipment& s) { return s.id.value == id; });
                if (it == o.shipments.end()) return validation("shipment_id", "is not a shipment of this order");
                if (it->status == "delivered")
                    return Error(errc::invalid_transition, fmt::format("shipment {} is already delivered", id), {{"shipment_id", "is already delivered"}});
                delivered.push_back(id);
                auto open = std::count_if(o.shipments.begin(), o.shipments.end(), [](const Shipment& s) { return s.status == "shipped"; });
                // The order arrives with its last parcel, once every unit has shipped.
                complete = status == "shipped" && open == 1;
            } else {
                if (status == "delivered" || !domain::can_transition(status, "delivered")) return refused(status, step);
                for (auto& sh : o.shipments)
                    if (sh.status == "shipped") delivered.push_back(sh.id.value);
                complete = true;
            }
            for (auto& id : delivered)
                tx.exec("UPDATE ordering.shipments SET status = 'delivered', delivered_at = ? WHERE id = ?", at, id);
            if (complete) record_transition(tx, order_id, status, "delivered", "every shipment delivered");
            tx.publish(events::OrderDelivered{order_id, o.number, o.email, delivered, complete});
        }
        auto out = *load_in(tx, order_id, nullptr);
        audit::record(tx, "ordering.order." + step, order_id, {{"changes", api::write_value(in)}, {"status", out.status.value}});
        tx.reply(api::write_value(out));
        return out;
    });
}

void OrderingService::record_payment_fact(db::Tx& tx, const std::string& order_id, const std::string& payment_id, const std::string& kind,
                                          std::int64_t amount, const std::string& currency, const std::string& detail,
                                          const std::string& at) {
    tx.exec("INSERT INTO ordering.payment_facts (id, order_id, payment_id, kind, amount, currency, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            new_id("opf"), order_id, payment_id, kind, amount, currency, detail, at.empty() ? now_iso8601() : at);
}

int OrderingService::release_orphaned_reservations(std::int64_t grace_ms) {
    int released = 0;
    for (auto& ref : inventory_.held_references(now_ms() - grace_ms, 500)) {
        // Checkout mints the order id before reserving under it, so an order id with no order row
        // after the grace period is a checkout that never finished.
        bool exists = db_.read([&](db::Reader& r) { return r.count("SELECT COUNT(*) FROM ordering.orders WHERE id = ?", ref) > 0; });
        if (exists) continue;
        if (inventory_.release(Ctx::system("orphaned-reservation:" + ref), ref)) {
            ++released;
            log_.warn("released stock held for an order that was never written", {{"reference", ref}});
        }
    }
    return released;
}

void OrderingService::on_payment_authorized(db::Tx& tx, const std::string& order_id, const std::string& payment_id) {
    auto& s = tx;
    OrderAccess access;
    auto o = load_in(s, order_id, &access);
    if (!o) throw std::runtime_error("payment authorized for unknown order " + order_id);
    std::string status = o->status.value;
    if (status != "pending_payment") {
        if (status == "confirmed" && o->payment_id.value && o->payment_id.value->value == payment_id) return;  // redelivery
        // Cancelled meanwhile, or paid by another payment: give this payment back.
        log_.warn("payment authorized for an order that can no longer take it; rejecting it for a refund",
                  {{"order_id", order_id}, {"status", status}, {"payment_id", payment_id}});
        tx.publish(events::PaymentRejected{order_id, payment_id, "order is " + status});
        return;
    }
    record_transition(s, order_id, status, "confirmed", "payment " + payment_id + " authorized");
    s.exec("UPDATE ordering.orders SET payment_id = ? WHERE id = ?", payment_id, order_id);
    tx.publish(events::OrderConfirmed{order_id, o->number, access.customer_id, o->email, payment_id, o->currency, o->subtotal.amount,
                                      o->discount.amount, o->shipping.amount, o->tax.amount, o->total.amount, event_lines(*o)});
}

void OrderingService::on_payment_captured(db::Tx& tx, const std::string& order_id, const std::string& payment_id) {
    auto row = tx.one("SELECT status FROM ordering.orders WHERE id = ?", order_id);
    if (!row || row->str(0) != "cancelled") return;
    log_.warn("a capture settled after its order was cancelled; rejecting it for a refund", {{"order_id", order_id}, {"payment_id", payment_id}});
    tx.publish(events::PaymentRejected{order_id, payment_id, "order is cancelled"});
}

void OrderingService::on_payment_failed(db::Tx& tx, const std::string& order_id, const std::string& code) {
    auto& s = tx;
    auto o = load_in(s, order_id, nullptr);
    if (!o) return;
    record_transition(s, order_id, o->status.value, o->status.value, "payment failed: " + code);
}

void OrderingService::on_reservation_expired(db::Tx& tx, const std::string& order_id) {
    auto& s = tx;
    auto o = load_in(s, order_id, nullptr);
    if (!o || o->status.value != "pending_payment") return;
    record_transition(s, order_id, "pending_payment", "cancelled", "stock reservation expired before payment");
    pricing_.give_back(tx, order_id);
    tx.publish(events::OrderCancelled{order_id, o->number, o->email, "reservation_expired"});
}

void OrderingService::collect_metrics(std::string& out) {
    std::string by_status, revenue;
    std::int64_t placed = 0;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT status, COUNT(*) FROM ordering.orders GROUP BY status ORDER BY status")) {
            by_status += fmt::format("shop_orders{{status=\"{}\"}} {}\n", row.str(0), row.i64(1));
            placed += row.i64(1);
        }
        for (auto& row : r.query("SELECT currency, SUM(total) FROM ordering.orders WHERE status NOT IN ('pending_payment', 'cancelled') "
                                 "GROUP BY currency ORDER BY currency"))
            revenue += fmt::format("shop_order_revenue_minor_units{{currency=\"{}\"}} {}\n", row.str(0), row.i64(1));
    });
    out += fmt::format("# HELP shop_orders_placed_total Orders placed (checkouts that created an order).\n"
                       "# TYPE shop_orders_placed_total counter\nshop_orders_placed_total {}\n"
                       "# HELP shop_orders Orders by current status.\n# TYPE shop_orders gauge\n{}"
                       "# HELP shop_order_revenue_minor_units Totals of orders paid and not cancelled, in minor units of their currency.\n"
                       "# TYPE shop_order_revenue_minor_units gauge\n{}",
                       placed, by_status, revenue);
}

}  // namespace shop::ordering
