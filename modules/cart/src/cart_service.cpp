#include "cart_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/errors.hpp"
#include "inventory/errors.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/money.hpp"

namespace shop::cart {

namespace {

struct CartRow {
    CheckoutCart cart;
    std::string token_hash;
};

std::optional<CartRow> load_cart(db::Sql& sql, const std::string& cart_id) {
    auto r = sql.one("SELECT id, customer_id, currency, status, token_hash FROM cart.carts WHERE id = ?", cart_id);
    if (!r) return std::nullopt;
    CartRow out;
    out.cart = {r->str(0), r->str(1), r->str(2), r->str(3), {}};
    out.token_hash = r->str(4);
    for (auto& l : sql.query("SELECT id, sku, quantity FROM cart.lines WHERE cart_id = ? ORDER BY created_at, id", cart_id))
        out.cart.lines.push_back({l.str(0), l.str(1), l.i64(2)});
    return out;
}

bool owns(const Ctx& ctx, const CartRow& c, std::string_view cart_token) {
    if (ctx.is_admin()) return true;
    if (!c.cart.customer_id.empty()) return ctx.user_id() == c.cart.customer_id;
    return !cart_token.empty() && crypto::equal_constant_time(crypto::sha256_hex(cart_token), c.token_hash);
}

}  // namespace

Result<CheckoutCart> CartService::load_owned(db::Sql& sql, const Ctx& ctx, std::string_view cart_id_in, std::string_view cart_token) {
    std::string cart_id(cart_id_in);
    auto c = load_cart(sql, cart_id);
    if (!c || !owns(ctx, *c, cart_token)) return not_found(fmt::format("no cart {}", cart_id));
    return std::move(c->cart);
}

Result<CheckoutCart> CartService::cart_for_checkout(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) {
    return db_.read_snapshot([&](db::Reader& r) { return load_owned(r, ctx, cart_id, cart_token); });
}

Cart CartService::render(const CheckoutCart& c) {
    Cart out;
    out.id = api::of<api::Id<"cart">>(c.id);
    out.status.value = c.status;
    if (!c.customer_id.empty()) out.customer_id = api::of<api::Id<"usr">>(c.customer_id);
    out.currency = c.currency;
    std::int64_t subtotal = 0;
    bool checkout_ready = !c.lines.empty();
    for (auto& l : c.lines) {
        CartLine o;
        o.id = api::of<api::Id<"line">>(l.id);
        o.sku = l.sku;
        o.quantity = l.quantity;
        auto p = catalog_.purchasable(l.sku, c.currency);
        auto a = inventory_.availability(l.sku);
        if (p) {
            o.product_id = api::of<api::Id<"prd">>(p->product_id);
            o.variant_id = api::of<api::Id<"var">>(p->variant_id);
            o.title = p->variant_title.empty() ? p->product_title : p->product_title + " — " + p->variant_title;
            o.unit_price = api::Money{p->unit_price.amount, c.currency};
            o.line_total = api::Money{p->unit_price.amount * l.quantity, c.currency};
            subtotal += p->unit_price.amount * l.quantity;
        } else {
            o.problem = std::string(p.error().code());
            checkout_ready = false;
        }
        o.available = a.available;
        o.in_stock = a.available >= l.quantity;
        if (a.available < l.quantity) checkout_ready = false;
        out.lines.push_back(std::move(o));
    }
    out.subtotal = {subtotal, c.currency};
    out.checkout_ready = checkout_ready && c.status == "open";
    return out;
}

Result<Cart> CartService::create(const Ctx& ctx, const std::string& currency, std::string& token) {
    std::string id = new_id("cart"), customer = ctx.user_id(), hash;
    token.clear();
    if (customer.empty()) {
        token = crypto::random_token(24);
        hash = crypto::sha256_hex(token);
    }
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<Cart> {
        std::string at = now_iso8601();
        tx.exec("INSERT INTO cart.carts (id, customer_id, token_hash, currency, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, 'open', ?, ?)",
                id, customer, hash, currency, at, at);
        auto view = render(CheckoutCart{id, customer, currency, "open", {}});
        tx.reply(api::write_value(view));  // without the guest token: a replay issues a new one (reissue_token)
        return view;
    });
}

Result<std::string> CartService::reissue_token(const Ctx& ctx, std::string_view cart_id_in) {
    std::string cart_id(cart_id_in), token = crypto::random_token(24);
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<std::string> {
        auto n = tx.exec("UPDATE cart.carts SET token_hash = ?, updated_at = ? WHERE id = ? AND customer_id = '' AND status = 'open'",
                         crypto::sha256_hex(token), now_iso8601(), cart_id);
        if (n == 0) return not_found(fmt::format("no open guest cart {}", cart_id));
        return token;
    });
}

Result<Cart> CartService::view(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) {
    auto c = cart_for_checkout(ctx, cart_id, cart_token);
    if (!c) return c.error();
    return render(*c);
}

Result<void> CartService::check_stock(const std::string& sku, std::int64_t quantity) {
    auto a = inventory_.availability(sku);
    if (a.available < quantity)
        return Error(inventory::errc::out_of_stock,
                     fmt::format("only {} of SKU '{}' available, {} requested", a.available, sku, quantity),
                     {{"quantity", fmt::format("only {} of {} available", a.available, sku)}});
    return {};
}

Result<Cart> CartService::add_item(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, const std::string& sku,
                                           std::int64_t quantity) {
    // Read, decide and write in one transaction on the cart's writer: no other change to this cart
    // can slip in between the checks and the write.
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<Cart> {
        auto c = load_owned(tx, ctx, cart_id, cart_token);
        if (!c) return c.error();
        if (c->status != "open") return conflict("this cart has already been checked out");
        auto p = catalog_.purchasable(sku, c->currency);
        if (!p) {
            if (p.error().ec == make_error_code(errc::not_found)) return validation("sku", "is not a product on sale");
            return Error(p.error().ec, p.error().detail, {{"sku", p.error().detail}});
        }
        CheckoutLine* line = nullptr;
        for (auto& l : c->lines)
            if (l.sku == sku) line = &l;
        std::int64_t total = (line ? line->quantity : 0) + quantity;
        if (total > 999) return validation("quantity", "a cart line holds at most 999 units");
        if (auto s = check_stock(sku, total); !s) return s.error();
        std::string at = now_iso8601();
        if (line) {
            tx.exec("UPDATE cart.lines SET quantity = ?, updated_at = ? WHERE id = ?", total, at, line->id);
            line->quantity = total;
        } else {
            std::string id = new_id("line");
            tx.exec("INSERT INTO cart.lines (id, cart_id, sku, quantity, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", id, c->id, sku,
                    quantity, at, at);
            c->lines.push_back({id, sku, quantity});
        }
        tx.exec("UPDATE cart.carts SET updated_at = ? WHERE id = ?", at, c->id);
        auto view = render(*c);
        tx.reply(api::write_value(view));
        return view;
    });
}

Result<Cart> CartService::set_quantity(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token,
                                               const std::string& line_id, std::int64_t quantity) {
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<Cart> {
        auto c = load_owned(tx, ctx, cart_id, cart_token);
        if (!c) return c.error();
        if (c->status != "open") return conflict("this cart has already been checked out");
        auto line = std::find_if(c->lines.begin(), c->lines.end(), [&](auto& l) { return l.id == line_id; });
        if (line == c->lines.end()) return not_found(fmt::format("no line {} in this cart", line_id));
        if (quantity > 0)
            if (auto s = check_stock(line->sku, quantity); !s) return s.error();
        std::string at = now_iso8601();
        if (quantity == 0) {
            tx.exec("DELETE FROM cart.lines WHERE id = ?", line_id);
            c->lines.erase(line);
        } else {
            tx.exec("UPDATE cart.lines SET quantity = ?, updated_at = ? WHERE id = ?", quantity, at, line_id);
            line->quantity = quantity;
        }
        tx.exec("UPDATE cart.carts SET updated_at = ? WHERE id = ?", at, c->id);
        return render(*c);
    });
}

void CartService::mark_converted(db::Tx& tx, const std::string& cart_id, const std::string& order_id) {
    tx.exec("UPDATE cart.carts SET status = 'converted', order_id = ?, updated_at = ? WHERE id = ?", order_id, now_iso8601(), cart_id);
}

}  // namespace shop::cart
