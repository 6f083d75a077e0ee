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
    std::string merged_into;
};

std::optional<CartRow> load_cart(db::Sql& sql, const std::string& cart_id) {
    auto r = sql.one("SELECT id, customer_id, currency, status, token_hash, coupon_code, merged_into FROM cart.carts WHERE id = ?", cart_id);
    if (!r) return std::nullopt;
    CartRow out;
    out.cart = {r->str(0), r->str(1), r->str(2), r->str(3), {}, r->str(5)};
    out.token_hash = r->str(4);
    out.merged_into = r->str(6);
    for (auto& l : sql.query("SELECT id, sku, quantity FROM cart.lines WHERE cart_id = ? ORDER BY created_at, id", cart_id))
        out.cart.lines.push_back({l.str(0), l.str(1), l.i64(2)});
    return out;
}

/// The buyer's cart: its customer, or for a guest cart whoever holds its token.
bool owns(const Ctx& ctx, const CartRow& c, std::string_view cart_token) {
    if (!c.cart.customer_id.empty()) return ctx.user_id() == c.cart.customer_id;
    return !cart_token.empty() && crypto::equal_constant_time(crypto::sha256_hex(cart_token), c.token_hash);
}

/// Why `ctx` may not change or check out the cart: 404 to anyone but an admin, who may look at
/// every cart (GET) - so it exists for them - but buys nothing and edits nothing on a customer's
/// behalf: an order checked out of someone else's cart would be the admin's.
Error not_the_buyer(const Ctx& ctx, const std::string& cart_id) {
    if (ctx.is_admin()) return forbidden("an admin may view another's cart, not change or check it out");
    return not_found(fmt::format("no cart {}", cart_id));
}

}  // namespace

Result<CheckoutCart> CartService::load_owned(db::Sql& sql, const Ctx& ctx, std::string_view cart_id_in, std::string_view cart_token) {
    std::string cart_id(cart_id_in);
    auto c = load_cart(sql, cart_id);
    if (!c) return not_found(fmt::format("no cart {}", cart_id));
    if (!owns(ctx, *c, cart_token)) return not_the_buyer(ctx, cart_id);
    return std::move(c->cart);
}

Result<CheckoutCart> CartService::cart_for_checkout(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) {
    return db_.read_snapshot([&](db::Reader& r) { return load_owned(r, ctx, cart_id, cart_token); });
}

Cart CartService::render(const Ctx& ctx, const CheckoutCart& c) {
    Cart out;
    out.id = api::of<api::Id<"cart">>(c.id);
    out.status.value = c.status;
    std::vector<PromotionLine> priced;
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
            priced.push_back({l.sku, p->product_id, l.quantity, p->unit_price.amount, p->category_ids});
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
    out.discount = {0, c.currency};
    if (!c.coupon_code.empty()) out.coupon_code = c.coupon_code;
    if (promotions_ && c.status == "open") {
        auto d = promotions_->preview(ctx, c.currency, c.coupon_code, priced);
        out.discount.amount = d.discount;
        out.free_shipping = d.free_shipping;
        if (!d.promotion_id.empty()) out.promotion = CartPromotion{d.promotion_id, d.promotion_code.empty() ? api::Nullable<std::string>{} : api::Nullable<std::string>{d.promotion_code}};
        if (!d.promotion_code.empty()) out.promotion_code = d.promotion_code;
        if (!d.coupon_refusal.empty()) out.coupon_problem = "coupon " + c.coupon_code + " " + d.coupon_refusal;
    }
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
        auto view = render(ctx, CheckoutCart{id, customer, currency, "open", {}, ""});
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
    return db_.read_snapshot([&](db::Reader& r) -> Result<Cart> {
        auto c = load_cart(r, std::string(cart_id));
        if (!c || !(owns(ctx, *c, cart_token) || ctx.is_admin())) return not_found(fmt::format("no cart {}", cart_id));
        auto view = render(ctx, c->cart);
        if (!c->merged_into.empty()) {
            view.status.value = "merged";
            view.merged_into = api::of<api::Id<"cart">>(c->merged_into);
        }
        return view;
    });
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
        if (total > max_line_quantity_)
            return validation("quantity", fmt::format("a cart line holds at most {} units", max_line_quantity_));
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
        auto view = render(ctx, *c);
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
        if (quantity > max_line_quantity_)
            return validation("quantity", fmt::format("a cart line holds at most {} units", max_line_quantity_));
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
        return render(ctx, *c);
    });
}

Result<Cart> CartService::set_coupon(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, std::string code) {
    for (auto& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<Cart> {
        auto c = load_owned(tx, ctx, cart_id, cart_token);
        if (!c) return c.error();
        if (c->status != "open") return conflict("this cart has already been checked out");
        tx.exec("UPDATE cart.carts SET coupon_code = ?, updated_at = ? WHERE id = ?", code, now_iso8601(), c->id);
        c->coupon_code = code;
        auto view = render(ctx, *c);
        // Rendering asked the promotion rules about this coupon: one that does not apply is refused,
        // and the error rolls the update back.
        if (!code.empty() && view.coupon_problem) return validation("code", *view.coupon_problem);
        tx.reply(api::write_value(view));
        return view;
    });
}

Result<Cart> CartService::merge(const Ctx& ctx, std::string_view into_id, const std::string& guest_id, std::string_view guest_token) {
    if (ctx.user_id().empty()) return Error(errc::unauthorized, "sign in to merge a guest cart into your cart");
    return db_.write("cart", ctx, [&](db::Tx& tx) -> Result<Cart> {
        auto into = load_cart(tx, std::string(into_id));
        // Only the customer's own cart takes a merge (an admin cannot merge into someone else's).
        if (!into || into->cart.customer_id != ctx.user_id()) return not_found(fmt::format("no cart {}", into_id));
        if (into->cart.status != "open") return conflict("this cart has already been checked out");
        auto guest = load_cart(tx, guest_id);
        bool guest_owned = guest && guest->cart.customer_id.empty() && !guest_token.empty() &&
                           crypto::equal_constant_time(crypto::sha256_hex(guest_token), guest->token_hash);
        if (!guest_owned) return Error(errc::not_found, fmt::format("no guest cart {} with this token", guest_id), {{"cart_id", "is not a guest cart whose token you hold"}});
        if (guest->cart.id == into->cart.id) return validation("cart_id", "is the cart itself");
        if (guest->cart.status != "open") return Error(errc::conflict, "the guest cart has already been checked out or merged", {{"cart_id", "is closed"}});
        if (guest->cart.currency != into->cart.currency)
            return validation("cart_id", fmt::format("is in {}, your cart in {}", guest->cart.currency, into->cart.currency));
        std::string at = now_iso8601();
        auto& c = into->cart;
        for (auto& g : guest->cart.lines) {
            auto line = std::find_if(c.lines.begin(), c.lines.end(), [&](auto& l) { return l.sku == g.sku; });
            std::int64_t have = line == c.lines.end() ? 0 : line->quantity;
            // Summed, then capped by free stock and the line maximum; what cannot be had is dropped.
            std::int64_t want = std::min(have + g.quantity, max_line_quantity_);
            want = std::max(have, std::min(want, inventory_.availability(g.sku).available));
            if (want == have) continue;
            if (line != c.lines.end()) {
                tx.exec("UPDATE cart.lines SET quantity = ?, updated_at = ? WHERE id = ?", want, at, line->id);
                line->quantity = want;
            } else {
                std::string id = new_id("line");
                tx.exec("INSERT INTO cart.lines (id, cart_id, sku, quantity, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", id, c.id,
                        g.sku, want, at, at);
                c.lines.push_back({id, g.sku, want});
            }
        }
        if (c.coupon_code.empty() && !guest->cart.coupon_code.empty()) {
            c.coupon_code = guest->cart.coupon_code;
            tx.exec("UPDATE cart.carts SET coupon_code = ? WHERE id = ?", c.coupon_code, c.id);
        }
        tx.exec("UPDATE cart.carts SET updated_at = ? WHERE id = ?", at, c.id);
        tx.exec("UPDATE cart.carts SET status = 'converted', merged_into = ?, updated_at = ? WHERE id = ?", c.id, at,
                guest->cart.id);
        auto view = render(ctx, c);
        tx.reply(api::write_value(view));
        return view;
    });
}

std::int64_t CartService::expire_abandoned() {
    if (abandoned_after_ms_ <= 0) return 0;
    std::string before = iso8601(now_ms() - abandoned_after_ms_);
    std::int64_t removed = 0;
    for (;;) {
        auto ids = db_.read([&](db::Reader& r) {
            std::vector<std::string> out;
            for (auto& row : r.query("SELECT id FROM cart.carts WHERE status = 'open' AND updated_at < ? ORDER BY updated_at LIMIT 200", before))
                out.push_back(row.str(0));
            return out;
        });
        if (ids.empty()) break;
        db_.write("cart", Ctx::system("cart.expiry"), [&](db::Tx& tx) -> Result<void> {
            for (auto& id : ids) {
                // Re-checked in the transaction: a cart touched since the read is kept.
                if (!tx.count("SELECT COUNT(*) FROM cart.carts WHERE id = ? AND status = 'open' AND updated_at < ?", id, before)) continue;
                tx.exec("DELETE FROM cart.lines WHERE cart_id = ?", id);
                tx.exec("DELETE FROM cart.carts WHERE id = ?", id);
                ++removed;
            }
            return {};
        });
        if (ids.size() < 200) break;
    }
    if (removed) log_.info("abandoned carts deleted", {{"count", removed}});
    return removed;
}

void CartService::mark_converted(db::Tx& tx, const std::string& cart_id, const std::string& order_id) {
    tx.exec("UPDATE cart.carts SET status = 'converted', order_id = ?, updated_at = ? WHERE id = ?", order_id, now_iso8601(), cart_id);
}

}  // namespace shop::cart
