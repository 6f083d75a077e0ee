#include "ordering_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "catalog/errors.hpp"
#include "domain/order_rules.hpp"
#include "ordering/errors.hpp"
#include "ordering/events.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"

namespace shop::ordering {
namespace json = boost::json;

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
            case errc::invalid_transition: return "invalid_transition";
        }
        return "internal_error";
    }
};

json::object money(std::int64_t amount, const std::string& currency) { return {{"amount", amount}, {"currency", currency}}; }

const char* kOrderColumns =
    "SELECT id, number, customer_id, guest_token_hash, email, status, currency, subtotal, discount, shipping, tax, total, "
    "shipping_method, shipping_address, billing_address, payment_id, created_at, updated_at, cart_id, payable_until_ms "
    "FROM ordering.orders ";

json::object order_from_row(soci::session& s, const soci::row& r) {
    std::string id = db::col_str(r, 0), currency = db::col_str(r, 6);
    json::object o{{"id", id},
                   {"number", std::to_string(db::col_int(r, 1))},
                   {"customer_id", db::col_str(r, 2).empty() ? json::value(nullptr) : json::value(db::col_str(r, 2))},
                   {"email", db::col_str(r, 4)},
                   {"status", db::col_str(r, 5)},
                   {"currency", currency},
                   {"subtotal", money(db::col_int(r, 7), currency)},
                   {"discount", money(db::col_int(r, 8), currency)},
                   {"shipping", money(db::col_int(r, 9), currency)},
                   {"tax", money(db::col_int(r, 10), currency)},
                   {"total", money(db::col_int(r, 11), currency)},
                   {"shipping_method", db::col_str(r, 12)},
                   {"shipping_address", json::parse(db::col_str(r, 13))},
                   {"billing_address", json::parse(db::col_str(r, 14))},
                   {"payment_id", db::col_str(r, 15).empty() ? json::value(nullptr) : json::value(db::col_str(r, 15))},
                   {"created_at", db::col_str(r, 16)},
                   {"updated_at", db::col_str(r, 17)},
                   {"cart_id", db::col_str(r, 18)},
                   {"payable_until", iso8601(db::col_int(r, 19))}};
    json::array lines;
    soci::rowset<soci::row> ls = (s.prepare << "SELECT id, sku, product_id, variant_id, title, quantity, unit_price, line_total "
                                               "FROM ordering.order_lines WHERE order_id = :id ORDER BY position", soci::use(id));
    for (auto& l : ls)
        lines.push_back(json::object{{"id", db::col_str(l, 0)},
                                     {"sku", db::col_str(l, 1)},
                                     {"product_id", db::col_str(l, 2)},
                                     {"variant_id", db::col_str(l, 3)},
                                     {"title", db::col_str(l, 4)},
                                     {"quantity", db::col_int(l, 5)},
                                     {"unit_price", money(db::col_int(l, 6), currency)},
                                     {"line_total", money(db::col_int(l, 7), currency)}});
    o["lines"] = std::move(lines);
    return o;
}

bool may_see(const Ctx& ctx, const OrderAccess& a, std::string_view cart_token) {
    if (ctx.is_admin()) return true;
    if (!a.customer_id.empty()) return ctx.user_id() == a.customer_id;
    return !cart_token.empty() && crypto::equal_constant_time(crypto::sha256_hex(cart_token), a.guest_token_hash);
}

std::vector<events::OrderLine> event_lines(const json::object& order) {
    std::vector<events::OrderLine> out;
    for (auto& v : order.at("lines").as_array()) {
        auto& l = v.as_object();
        out.push_back({std::string(l.at("sku").as_string()), std::string(l.at("product_id").as_string()),
                       std::string(l.at("variant_id").as_string()), std::string(l.at("title").as_string()),
                       l.at("quantity").as_int64(), l.at("unit_price").at("amount").as_int64(),
                       l.at("line_total").at("amount").as_int64()});
    }
    return out;
}

std::int64_t amount_of(const json::object& o, std::string_view key) { return o.at(key).at("amount").as_int64(); }
std::string str_of(const json::object& o, std::string_view key) {
    auto& v = o.at(key);
    return v.is_string() ? std::string(v.as_string()) : std::string();
}

void record_transition(soci::session& s, const std::string& order_id, const std::string& from, const std::string& to,
                       const std::string& note) {
    std::string id = new_id("osh"), at = now_iso8601();
    s << "INSERT INTO ordering.status_history (id, order_id, from_status, to_status, note, at) VALUES (:id, :o, :f, :t, :n, :a)",
        soci::use(id), soci::use(order_id), soci::use(from), soci::use(to), soci::use(note), soci::use(at);
    if (from != to)
        s << "UPDATE ordering.orders SET status = :t, updated_at = :a WHERE id = :o", soci::use(to), soci::use(at), soci::use(order_id);
}

std::optional<json::object> load_in(soci::session& s, const std::string& id, OrderAccess* access) {
    std::optional<json::object> out;
    soci::rowset<soci::row> rs = (s.prepare << std::string(kOrderColumns) + "WHERE id = :id", soci::use(id));
    for (auto& r : rs) {
        if (access) *access = {db::col_str(r, 2), db::col_str(r, 3), db::col_int(r, 19)};
        out = order_from_row(s, r);
    }
    return out;
}

}  // namespace

const ErrorCategory& ordering_category() noexcept {
    static const OrderingCategory kCategory;
    return kCategory;
}

std::optional<json::object> OrderingService::load_order(const std::string& id, OrderAccess* access) {
    return db_.read([&](soci::session& s) { return load_in(s, id, access); });
}

Result<PayableOrder> OrderingService::order_for_payment(const Ctx& ctx, std::string_view order_id, std::string_view cart_token) {
    OrderAccess access;
    auto o = load_order(std::string(order_id), &access);
    if (!o || !may_see(ctx, access, cart_token)) return not_found(fmt::format("no order {}", order_id));
    return PayableOrder{str_of(*o, "id"), str_of(*o, "number"), str_of(*o, "status"), access.customer_id, str_of(*o, "email"),
                        Money{amount_of(*o, "total"), str_of(*o, "currency")}, access.payable_until_ms};
}

Result<json::object> OrderingService::get_order(const Ctx& ctx, std::string_view order_id, std::string_view cart_token) {
    OrderAccess access;
    auto o = load_order(std::string(order_id), &access);
    if (!o || !may_see(ctx, access, cart_token)) return not_found(fmt::format("no order {}", order_id));
    return *o;
}

Result<json::object> OrderingService::history(const Ctx& ctx, std::string_view order_id, std::string_view cart_token) {
    auto o = get_order(ctx, order_id, cart_token);
    if (!o) return o.error();
    json::array entries;
    std::string id(order_id);
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT from_status, to_status, note, at FROM ordering.status_history "
                                                   "WHERE order_id = :id ORDER BY id", soci::use(id));
        for (auto& r : rs)
            entries.push_back(json::object{{"from", db::col_str(r, 0)}, {"to", db::col_str(r, 1)}, {"note", db::col_str(r, 2)},
                                           {"at", db::col_str(r, 3)}});
    });
    return json::object{{"order_id", id}, {"status", o->at("status")}, {"history", std::move(entries)}};
}

json::object OrderingService::list_orders(const Ctx& ctx, const std::string& after, int limit, const std::string& status) {
    json::array data;
    std::string last;
    bool more = false;
    db_.read([&](soci::session& s) {
        std::string cursor = after.empty() ? "~" : after, customer = ctx.user_id();
        int n = limit + 1;
        int all = ctx.is_admin() ? 1 : 0;
        std::vector<std::pair<std::string, json::object>> rows;
        soci::rowset<soci::row> rs = (s.prepare << std::string(kOrderColumns) +
                                          "WHERE id < :after AND (:all_orders = 1 OR customer_id = :customer) "
                                          "AND (:status = '' OR status = :status) ORDER BY id DESC LIMIT :n",
                                      soci::use(cursor, "after"), soci::use(all, "all_orders"), soci::use(customer, "customer"),
                                      soci::use(status, "status"), soci::use(n, "n"));
        for (auto& row : rs) rows.emplace_back(db::col_str(row, 0), order_from_row(s, row));
        more = static_cast<int>(rows.size()) > limit;
        if (more) rows.resize(limit);
        for (auto& [id, o] : rows) {
            last = id;
            data.push_back(std::move(o));
        }
    });
    return json::object{{"data", std::move(data)}, {"next_cursor", more ? json::value(http::encode_cursor(last)) : json::value(nullptr)}};
}

json::array OrderingService::shipping_methods(const std::string& currency) {
    json::array out;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT code, name, amount FROM ordering.shipping_methods WHERE active = 1 ORDER BY amount");
        for (auto& r : rs)
            out.push_back(json::object{{"code", db::col_str(r, 0)}, {"name", db::col_str(r, 1)}, {"price", money(db::col_int(r, 2), currency)}});
    });
    return out;
}

Result<json::object> OrderingService::checkout(const Ctx& ctx, const CheckoutInput& in, const Caller& caller, bool& created) {
    created = false;
    std::string scope = ctx.user_id().empty() ? "guest:" + crypto::sha256_hex(caller.cart_token) : "user:" + ctx.user_id();
    // A retried checkout with the same Idempotency-Key answers the order it created the first time.
    if (!caller.idempotency_key.empty()) {
        std::string existing;
        soci::indicator ind = soci::i_null;
        db_.read([&](soci::session& s) {
            s << "SELECT id FROM ordering.orders WHERE idempotency_scope = :s AND idempotency_key = :k", soci::into(existing, ind),
                soci::use(scope), soci::use(caller.idempotency_key);
        });
        if (ind == soci::i_ok) return *load_order(existing, nullptr);
    }
    auto cart = cart_.cart_for_checkout(ctx, in.cart_id, caller.cart_token);
    if (!cart) return Error(cart.error().ec, cart.error().detail, {{"cart_id", "is not a cart of yours"}});
    if (cart->status != "open") return Error(errc::cart_checked_out, "this cart has already been checked out");
    if (cart->lines.empty()) return Error(errc::cart_empty, "the cart is empty", {{"cart_id", "has no items"}});
    std::string email = in.email;
    if (email.empty() && ctx.principal) email = ctx.principal->email;
    if (email.empty()) return validation("email", "is required for guest checkout");

    // Never trust a price the client saw: re-price every line now.
    std::vector<events::OrderLine> lines;
    std::int64_t subtotal = 0;
    for (auto& l : cart->lines) {
        auto p = catalog_.purchasable(l.sku, cart->currency);
        if (!p) return Error(errc::cart_checked_out, fmt::format("SKU '{}' can no longer be bought: {}", l.sku, p.error().detail),
                             {{"cart_id", "holds an item that is no longer on sale"}});
        std::string title = p->variant_title.empty() ? p->product_title : p->product_title + " — " + p->variant_title;
        lines.push_back({l.sku, p->product_id, p->variant_id, title, l.quantity, p->unit_price.amount, p->unit_price.amount * l.quantity});
        subtotal += p->unit_price.amount * l.quantity;
    }
    std::int64_t shipping = -1;
    db_.read([&](soci::session& s) {
        soci::indicator ind = soci::i_null;
        long long amount = 0;
        s << "SELECT amount FROM ordering.shipping_methods WHERE code = :c AND active = 1", soci::into(amount, ind),
            soci::use(in.shipping_method);
        if (ind == soci::i_ok) shipping = amount;
    });
    if (shipping < 0) return validation("shipping_method", "is not an available shipping method");
    auto totals = domain::compute_totals(subtotal, 0, shipping, 0);

    std::string order_id = new_id("ord");
    std::vector<inventory::ReserveLine> reserve;
    for (auto& l : lines) reserve.push_back({l.sku, l.quantity});
    if (auto r = inventory_.reserve(ctx, order_id, reserve); !r) return r.error();

    try {
        auto result = db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<json::object> {
            auto& s = tx.sql();
            int taken = 0;
            s << "SELECT COUNT(*) FROM ordering.orders WHERE cart_id = :c", soci::into(taken), soci::use(cart->id);
            if (taken) return Error(errc::cart_checked_out, "this cart has already been checked out");
            long long number = 0;
            s << "SELECT COALESCE(MAX(number), 1000) + 1 FROM ordering.orders", soci::into(number);
            std::string status = "pending_payment", at = now_iso8601();
            long long payable_until = now_ms() + payment_window_ms_;
            std::string ship = json::serialize(in.shipping_address);
            std::string bill = json::serialize(in.billing_address.empty() ? in.shipping_address : in.billing_address);
            std::string customer = ctx.user_id();
            std::string guest_hash = customer.empty() ? crypto::sha256_hex(caller.cart_token) : "";
            soci::indicator key_ind = caller.idempotency_key.empty() ? soci::i_null : soci::i_ok;
            s << "INSERT INTO ordering.orders (id, number, customer_id, guest_token_hash, email, cart_id, status, currency, subtotal, "
                 "discount, shipping, tax, total, shipping_method, shipping_address, billing_address, idempotency_scope, "
                 "idempotency_key, created_at, updated_at, payable_until_ms) VALUES (:id, :num, :cust, :gh, :email, :cart, :st, "
                 ":cur, :sub, :disc, :ship, :tax, :total, :sm, :sa, :ba, :iscope, :ikey, :c, :u, :until)",
                soci::use(order_id), soci::use(number), soci::use(customer), soci::use(guest_hash), soci::use(email),
                soci::use(cart->id), soci::use(status), soci::use(cart->currency), soci::use(totals.subtotal),
                soci::use(totals.discount), soci::use(totals.shipping), soci::use(totals.tax), soci::use(totals.total),
                soci::use(in.shipping_method), soci::use(ship), soci::use(bill), soci::use(scope, key_ind),
                soci::use(caller.idempotency_key, key_ind), soci::use(at), soci::use(at), soci::use(payable_until);
            int position = 0;
            for (auto& l : lines) {
                std::string line_id = new_id("oln");
                s << "INSERT INTO ordering.order_lines (id, order_id, position, sku, product_id, variant_id, title, quantity, "
                     "unit_price, line_total) VALUES (:id, :o, :p, :sku, :prod, :var, :t, :q, :up, :lt)",
                    soci::use(line_id), soci::use(order_id), soci::use(position), soci::use(l.sku), soci::use(l.product_id),
                    soci::use(l.variant_id), soci::use(l.title), soci::use(l.quantity), soci::use(l.unit_price),
                    soci::use(l.line_total);
                ++position;
            }
            record_transition(s, order_id, "", status, "order placed");
            tx.publish(events::OrderPlaced{order_id, std::to_string(number), customer, email, cart->id, cart->currency,
                                           totals.subtotal, totals.discount, totals.shipping, totals.tax, totals.total, lines});
            return *load_in(s, order_id, nullptr);
        });
        if (!result) inventory_.release(ctx, order_id);  // compensate: nothing was ordered
        else created = true;
        return result;
    } catch (...) {
        inventory_.release(ctx, order_id);
        throw;
    }
}

void OrderingService::on_payment_authorized(db::Tx& tx, const std::string& order_id, const std::string& payment_id) {
    auto& s = tx.sql();
    OrderAccess access;
    auto o = load_in(s, order_id, &access);
    if (!o) throw std::runtime_error("payment authorized for unknown order " + order_id);
    std::string status = str_of(*o, "status");
    if (status != "pending_payment") {
        if (status == "confirmed" && str_of(*o, "payment_id") == payment_id) return;  // redelivery
        // Cancelled meanwhile, or paid by another payment: give this payment back.
        log_.warn("payment authorized for an order that can no longer take it; rejecting it for a refund",
                  {{"order_id", order_id}, {"status", status}, {"payment_id", payment_id}});
        tx.publish(events::PaymentRejected{order_id, payment_id, "order is " + status});
        return;
    }
    record_transition(s, order_id, status, "confirmed", "payment " + payment_id + " authorized");
    std::string at = now_iso8601();
    s << "UPDATE ordering.orders SET payment_id = :p WHERE id = :o", soci::use(payment_id), soci::use(order_id);
    tx.publish(events::OrderConfirmed{order_id, str_of(*o, "number"), access.customer_id, str_of(*o, "email"), payment_id,
                                      str_of(*o, "currency"), amount_of(*o, "subtotal"), amount_of(*o, "discount"),
                                      amount_of(*o, "shipping"), amount_of(*o, "tax"), amount_of(*o, "total"), event_lines(*o)});
}

void OrderingService::on_payment_failed(db::Tx& tx, const std::string& order_id, const std::string& code) {
    auto& s = tx.sql();
    auto o = load_in(s, order_id, nullptr);
    if (!o) return;
    std::string status = str_of(*o, "status");
    record_transition(s, order_id, status, status, "payment failed: " + code);
}

void OrderingService::on_reservation_expired(db::Tx& tx, const std::string& order_id) {
    auto& s = tx.sql();
    auto o = load_in(s, order_id, nullptr);
    if (!o || str_of(*o, "status") != "pending_payment") return;
    record_transition(s, order_id, "pending_payment", "cancelled", "stock reservation expired before payment");
    tx.publish(events::OrderCancelled{order_id, str_of(*o, "number"), str_of(*o, "email"), "reservation_expired"});
}

}  // namespace shop::ordering
