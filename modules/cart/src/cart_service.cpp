#include "cart_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "catalog/errors.hpp"
#include "inventory/errors.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/money.hpp"

namespace shop::cart {
namespace json = boost::json;

Result<CheckoutCart> CartService::load_owned(const Ctx& ctx, std::string_view cart_id_in, std::string_view cart_token) {
    std::string cart_id(cart_id_in);
    CheckoutCart c;
    std::string token_hash;
    bool found = false;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT id, customer_id, currency, status, token_hash FROM cart.carts WHERE id = :id",
                                      soci::use(cart_id));
        for (auto& r : rs) {
            found = true;
            c.id = db::col_str(r, 0);
            c.customer_id = db::col_str(r, 1);
            c.currency = db::col_str(r, 2);
            c.status = db::col_str(r, 3);
            token_hash = db::col_str(r, 4);
        }
        if (!found) return;
        soci::rowset<soci::row> ls = (s.prepare << "SELECT id, sku, quantity FROM cart.lines WHERE cart_id = :id ORDER BY created_at, id",
                                      soci::use(cart_id));
        for (auto& r : ls) c.lines.push_back({db::col_str(r, 0), db::col_str(r, 1), db::col_int(r, 2)});
    });
    if (!found) return not_found(fmt::format("no cart {}", cart_id));
    bool owner = c.customer_id.empty()
                     ? (!cart_token.empty() && crypto::equal_constant_time(crypto::sha256_hex(cart_token), token_hash))
                     : (ctx.user_id() == c.customer_id);
    if (!owner && !ctx.is_admin()) return not_found(fmt::format("no cart {}", cart_id));
    return c;
}

Result<CheckoutCart> CartService::cart_for_checkout(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) {
    return load_owned(ctx, cart_id, cart_token);
}

Result<CreatedCart> CartService::create(const Ctx& ctx, const std::string& currency) {
    CreatedCart out{new_id("cart"), ""};
    std::string customer = ctx.user_id(), hash;
    if (customer.empty()) {
        out.token = crypto::random_token(24);
        hash = crypto::sha256_hex(out.token);
    }
    db_.write("cart", ctx, [&](db::Tx& tx) {
        std::string at = now_iso8601(), status = "open";
        tx.sql() << "INSERT INTO cart.carts (id, customer_id, token_hash, currency, status, created_at, updated_at) "
                    "VALUES (:id, :c, :h, :cur, :st, :a, :u)",
            soci::use(out.id), soci::use(customer), soci::use(hash), soci::use(currency), soci::use(status), soci::use(at),
            soci::use(at);
    });
    return out;
}

Result<json::object> CartService::view(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) {
    auto c = load_owned(ctx, cart_id, cart_token);
    if (!c) return c.error();
    json::array lines;
    std::int64_t subtotal = 0;
    bool checkout_ready = !c->lines.empty();
    for (auto& l : c->lines) {
        json::object o{{"id", l.id}, {"sku", l.sku}, {"quantity", l.quantity}};
        auto p = catalog_.purchasable(l.sku, c->currency);
        auto a = inventory_.availability(l.sku);
        if (p) {
            o["product_id"] = p->product_id;
            o["variant_id"] = p->variant_id;
            o["title"] = p->variant_title.empty() ? p->product_title : p->product_title + " — " + p->variant_title;
            o["unit_price"] = to_json(p->unit_price);
            o["line_total"] = to_json(Money{p->unit_price.amount * l.quantity, c->currency});
            subtotal += p->unit_price.amount * l.quantity;
        } else {
            o["unit_price"] = nullptr;
            o["line_total"] = nullptr;
            o["problem"] = std::string(p.error().code());
            checkout_ready = false;
        }
        o["available"] = a.available;
        o["in_stock"] = a.available >= l.quantity;
        if (a.available < l.quantity) checkout_ready = false;
        lines.push_back(std::move(o));
    }
    return json::object{{"id", c->id},
                        {"status", c->status},
                        {"customer_id", c->customer_id.empty() ? json::value(nullptr) : json::value(c->customer_id)},
                        {"currency", c->currency},
                        {"lines", std::move(lines)},
                        {"subtotal", to_json(Money{subtotal, c->currency})},
                        {"checkout_ready", checkout_ready && c->status == "open"}};
}

Result<void> CartService::check_stock(const std::string& sku, std::int64_t quantity) {
    auto a = inventory_.availability(sku);
    if (a.available < quantity)
        return Error(inventory::errc::out_of_stock,
                     fmt::format("only {} of SKU '{}' available, {} requested", a.available, sku, quantity),
                     {{"quantity", fmt::format("only {} of {} available", a.available, sku)}});
    return {};
}

Result<void> CartService::add_item(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, const std::string& sku,
                                   std::int64_t quantity) {
    auto c = load_owned(ctx, cart_id, cart_token);
    if (!c) return c.error();
    if (c->status != "open") return conflict("this cart has already been checked out");
    auto p = catalog_.purchasable(sku, c->currency);
    if (!p) {
        if (p.error().ec == make_error_code(errc::not_found)) return validation("sku", "is not a product on sale");
        return Error(p.error().ec, p.error().detail, {{"sku", p.error().detail}});
    }
    std::int64_t existing = 0;
    for (auto& l : c->lines)
        if (l.sku == sku) existing = l.quantity;
    if (existing + quantity > 999) return validation("quantity", "a cart line holds at most 999 units");
    if (auto s = check_stock(sku, existing + quantity); !s) return s;
    std::string id(cart_id);
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<void> {
        std::string line_id = new_id("line"), at = now_iso8601();
        tx.sql() << "INSERT INTO cart.lines (id, cart_id, sku, quantity, created_at, updated_at) VALUES (:id, :c, :s, :q, :a, :u) "
                    "ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = quantity + excluded.quantity, updated_at = excluded.updated_at",
            soci::use(line_id), soci::use(id), soci::use(sku), soci::use(quantity), soci::use(at), soci::use(at);
        tx.sql() << "UPDATE cart.carts SET updated_at = :u WHERE id = :id", soci::use(at), soci::use(id);
        return {};
    });
}

Result<void> CartService::set_quantity(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token,
                                       const std::string& line_id, std::int64_t quantity) {
    auto c = load_owned(ctx, cart_id, cart_token);
    if (!c) return c.error();
    if (c->status != "open") return conflict("this cart has already been checked out");
    std::string id(cart_id), sku;
    soci::indicator ind = soci::i_null;
    db_.read([&](soci::session& s) {
        s << "SELECT sku FROM cart.lines WHERE id = :l AND cart_id = :c", soci::into(sku, ind), soci::use(line_id), soci::use(id);
    });
    if (ind != soci::i_ok) return not_found(fmt::format("no line {} in this cart", line_id));
    if (quantity > 0)
        if (auto s = check_stock(sku, quantity); !s) return s;
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<void> {
        std::string at = now_iso8601();
        if (quantity == 0)
            tx.sql() << "DELETE FROM cart.lines WHERE id = :l", soci::use(line_id);
        else
            tx.sql() << "UPDATE cart.lines SET quantity = :q, updated_at = :u WHERE id = :l", soci::use(quantity), soci::use(at),
                soci::use(line_id);
        tx.sql() << "UPDATE cart.carts SET updated_at = :u WHERE id = :id", soci::use(at), soci::use(id);
        return {};
    });
}

void CartService::mark_converted(db::Tx& tx, const std::string& cart_id, const std::string& order_id) {
    std::string at = now_iso8601();
    tx.sql() << "UPDATE cart.carts SET status = 'converted', order_id = :o, updated_at = :u WHERE id = :id", soci::use(order_id),
        soci::use(at), soci::use(cart_id);
}

}  // namespace shop::cart
