#include "pricing_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "ordering/errors.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"

namespace shop::ordering {

namespace {

constexpr const char* kPromotionColumns =
    "SELECT id, code, name, kind, percent, amount, currency, min_subtotal, min_currency, starts_ms, ends_ms, usage_limit, "
    "per_customer_limit, times_used, product_ids, active, created_at, updated_at, category_ids FROM ordering.promotions ";

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (auto& w : v) out += (out.empty() ? "" : " ") + w;
    return out;
}

domain::Promotion promotion_of(const db::Row& r) {
    domain::Promotion p;
    p.id = r.str(0);
    p.code = r.str(1);
    p.kind = r.str(3);
    p.percent = r.i64(4);
    p.amount = r.i64(5);
    p.currency = r.str(6);
    p.min_subtotal = r.i64(7);
    p.min_currency = r.str(8);
    p.starts_ms = r.i64(9);
    p.ends_ms = r.i64(10);
    p.usage_limit = r.i64(11);
    p.per_customer_limit = r.i64(12);
    p.times_used = r.i64(13);
    for (auto& w : words(r.str(14))) p.product_ids.insert(w);
    for (auto& w : words(r.str(18))) p.category_ids.insert(w);
    p.active = r.i64(15) != 0;
    return p;
}

PromotionOut promotion_out(const db::Row& r) {
    auto p = promotion_of(r);
    PromotionOut o;
    o.id = api::of<api::Id<"pro">>(p.id);
    if (!p.code.empty()) o.code = p.code;
    o.name = r.str(2);
    o.kind.value = p.kind;
    if (p.kind == "percent") o.percent = p.percent;
    if (p.kind == "fixed") o.amount = api::Money{p.amount, p.currency};
    if (!p.min_currency.empty()) o.min_subtotal = api::Money{p.min_subtotal, p.min_currency};
    if (p.starts_ms) o.starts_at = api::of<api::Timestamp>(iso8601(p.starts_ms));
    if (p.ends_ms) o.ends_at = api::of<api::Timestamp>(iso8601(p.ends_ms));
    o.usage_limit = p.usage_limit;
    o.per_customer_limit = p.per_customer_limit;
    o.times_used = p.times_used;
    o.product_ids.assign(p.product_ids.begin(), p.product_ids.end());
    o.category_ids.assign(p.category_ids.begin(), p.category_ids.end());
    o.active = p.active;
    o.created_at.value = r.str(16);
    o.updated_at.value = r.str(17);
    return o;
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool is_code(std::string_view s, bool lower_only) {
    for (char c : s) {
        bool ok = (c >= '0' && c <= '9') || c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (!lower_only && c >= 'A' && c <= 'Z');
        if (!ok) return false;
    }
    return !s.empty();
}

/// A tax class as the catalog accepts one on products (lower-case letters and digits separated by
/// single dashes), so every rate can match some product.
bool is_tax_class(std::string_view s) {
    if (s.empty() || s.front() == '-' || s.back() == '-') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c == '-' && s[i - 1] != '-');
        if (!ok) return false;
    }
    return true;
}

std::int64_t customer_uses(db::Sql& sql, const std::string& promotion_id, const std::string& customer_key) {
    if (customer_key.empty()) return 0;
    return sql.count("SELECT COUNT(*) FROM ordering.promotion_usages WHERE promotion_id = ? AND customer_key = ? AND status = 'active'",
                     promotion_id, customer_key);
}

std::vector<domain::TaxRate> tax_rates_for(db::Sql& sql, const std::string& country) {
    std::vector<domain::TaxRate> out;
    for (auto& r : sql.query("SELECT country, region, tax_class, rate_bp FROM ordering.tax_rates WHERE country = ?", country))
        out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3)});
    return out;
}

TaxRateOut tax_out(const db::Row& r) {
    TaxRateOut t;
    t.id = api::of<api::Id<"txr">>(r.str(0));
    t.country = r.str(1);
    if (!r.str(2).empty()) t.region = r.str(2);
    t.tax_class = r.str(3);
    t.rate_bp = r.i64(4);
    t.name = r.str(5);
    t.created_at.value = r.str(6);
    t.updated_at.value = r.str(7);
    return t;
}

constexpr const char* kTaxColumns = "SELECT id, country, region, tax_class, rate_bp, name, created_at, updated_at FROM ordering.tax_rates ";

std::optional<ShippingMethodOut> shipping_out(db::Sql& sql, const std::string& code) {
    auto m = sql.one("SELECT code, name, countries, active FROM ordering.shipping_methods WHERE code = ?", code);
    if (!m) return std::nullopt;
    ShippingMethodOut o{m->str(0), m->str(1), {}, words(m->str(2)), m->i64(3) != 0};
    for (auto& r : sql.query("SELECT currency, amount, free_over FROM ordering.shipping_rates WHERE method = ? ORDER BY currency", code)) {
        ShippingRateOut rate{{r.i64(1), r.str(0)}, {}, {}};
        if (r.i64(2) >= 0) rate.free_over = api::Money{r.i64(2), r.str(0)};
        for (auto& b : sql.query("SELECT up_to_grams, amount FROM ordering.shipping_bands WHERE method = ? AND currency = ? ORDER BY up_to_grams",
                                 code, r.str(0)))
            rate.weight_bands.push_back({b.i64(0), {b.i64(1), r.str(0)}});
        o.rates.push_back(rate);
    }
    return o;
}

struct RateRow {
    api::MoneyIn price;
    std::int64_t free_over = -1;
    std::vector<domain::WeightBand> bands;
};

/// The rates of a create or a patch, checked: one per currency, free_over and bands in the
/// price's currency, band weights distinct.
Result<std::vector<RateRow>> rates_of(const std::vector<ShippingRateIn>& in, const std::string& field) {
    std::vector<RateRow> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto& r = in[i];
        std::string f = fmt::format("{}[{}]", field, i);
        if (!seen.insert(r.price.currency.value).second) return validation(f + ".price.currency", "has a rate already");
        if (r.free_over && r.free_over->currency.value != r.price.currency.value)
            return validation(f + ".free_over.currency", "must be the price's currency");
        RateRow row{r.price, r.free_over ? r.free_over->amount.value : -1, {}};
        std::set<std::int64_t> weights;
        if (r.weight_bands)
            for (std::size_t j = 0; j < r.weight_bands->size(); ++j) {
                auto& b = (*r.weight_bands)[j];
                std::string bf = fmt::format("{}.weight_bands[{}]", f, j);
                if (b.price.currency.value != r.price.currency.value) return validation(bf + ".price.currency", "must be the price's currency");
                if (!weights.insert(b.up_to_grams.value).second) return validation(bf + ".up_to_grams", "is repeated");
                row.bands.push_back({b.up_to_grams.value, b.price.amount.value});
            }
        std::sort(row.bands.begin(), row.bands.end(), [](auto& a, auto& b) { return a.up_to_grams < b.up_to_grams; });
        out.push_back(std::move(row));
    }
    return out;
}

void write_rates(db::Tx& tx, const std::string& code, const std::vector<RateRow>& rates) {
    tx.exec("DELETE FROM ordering.shipping_bands WHERE method = ?", code);
    tx.exec("DELETE FROM ordering.shipping_rates WHERE method = ?", code);
    for (auto& r : rates) {
        tx.exec("INSERT INTO ordering.shipping_rates (method, currency, amount, free_over) VALUES (?, ?, ?, ?)", code, r.price.currency.value,
                r.price.amount.value, r.free_over);
        for (auto& b : r.bands)
            tx.exec("INSERT INTO ordering.shipping_bands (method, currency, up_to_grams, amount) VALUES (?, ?, ?, ?)", code,
                    r.price.currency.value, b.up_to_grams, b.amount);
    }
}

domain::ShippingRate rate_of(db::Sql& sql, const std::string& method, const std::string& currency, std::int64_t amount,
                             std::int64_t free_over) {
    domain::ShippingRate rate{amount, free_over, {}};
    for (auto& b : sql.query("SELECT up_to_grams, amount FROM ordering.shipping_bands WHERE method = ? AND currency = ? ORDER BY up_to_grams",
                             method, currency))
        rate.bands.push_back({b.i64(0), b.i64(1)});
    return rate;
}

std::string countries_of(const std::optional<api::List<api::Country, 0, 250>>& in) {
    std::vector<std::string> out;
    if (in)
        for (auto& c : *in)
            if (std::find(out.begin(), out.end(), c.value) == out.end()) out.push_back(c.value);
    return joined(out);
}

}  // namespace

PricingService::Choice PricingService::choose(db::Sql& sql, const std::string& currency, const std::vector<domain::PriceLine>& lines,
                                              const std::string& coupon, const std::string& customer_key,
                                              const std::set<std::string>& exclude) {
    Choice out;
    std::int64_t now = now_ms();
    if (!coupon.empty()) {
        auto row = sql.one(std::string(kPromotionColumns) + "WHERE code = ?", coupon);
        if (!row) {
            out.coupon_refusal = "does not exist";
        } else {
            auto p = promotion_of(*row);
            out.coupon_refusal = domain::refusal(p, currency, lines, now, customer_uses(sql, p.id, customer_key));
            if (out.coupon_refusal.empty() && exclude.count(p.id)) out.coupon_refusal = "has been used up";
            if (out.coupon_refusal.empty()) {
                out.promotion = std::move(p);
                return out;
            }
        }
    }
    // No coupon (or one that does not apply): the automatic promotion worth most, the older on a tie.
    std::int64_t best = -1;
    for (auto& row : sql.query(std::string(kPromotionColumns) + "WHERE code = '' AND active = 1 ORDER BY id")) {
        auto p = promotion_of(row);
        if (exclude.count(p.id) || !domain::refusal(p, currency, lines, now, customer_uses(sql, p.id, customer_key)).empty()) continue;
        // Free shipping is worth its own kind of money; among line discounts the larger wins, and a
        // line discount beats free shipping (whose value is not known before a method is chosen).
        std::int64_t worth = p.kind == "free_shipping" ? 0 : domain::line_discount(p, currency, lines);
        if (worth > best) {
            best = worth;
            out.promotion = std::move(p);
        }
    }
    return out;
}

std::string PricingService::customer_key(const Ctx& ctx, const std::string& email) {
    if (!ctx.user_id().empty()) return "usr:" + ctx.user_id();
    return email.empty() ? "" : "email:" + email;
}

cart::DiscountPreview PricingService::preview(const Ctx& ctx, const std::string& currency, const std::string& coupon_code,
                                              const std::vector<cart::PromotionLine>& in) {
    std::vector<domain::PriceLine> lines;
    for (auto& l : in) lines.push_back({l.sku, l.product_id, "standard", l.quantity, l.unit_price, 0, l.category_ids});
    return discount(currency, coupon_code, lines, customer_key(ctx, ""));
}

cart::DiscountPreview PricingService::discount(const std::string& currency, const std::string& coupon_code,
                                               const std::vector<domain::PriceLine>& lines, const std::string& key) {
    return db_.read([&](db::Reader& r) {
        auto c = choose(r, currency, lines, coupon_code, key, {});
        cart::DiscountPreview out;
        out.coupon_refusal = c.coupon_refusal;
        if (c.promotion) {
            auto priced = domain::price({currency, lines, c.promotion, std::nullopt, "", "", {}, prices_include_tax_});
            out.discount = priced.discount;
            out.free_shipping = c.promotion->kind == "free_shipping";
            out.promotion_id = c.promotion->id;
            out.promotion_code = c.promotion->code;
        }
        return out;
    });
}

Result<PricingService::Plan> PricingService::plan(db::Sql& sql, const std::string& currency, const std::vector<domain::PriceLine>& lines,
                                                  const std::string& coupon, const std::string& customer_key, const std::string& method,
                                                  const std::string& country, const std::string& region,
                                                  const std::set<std::string>& exclude) {
    auto m = sql.one("SELECT countries FROM ordering.shipping_methods WHERE code = ? AND active = 1", method);
    if (!m) return validation("shipping_method", "is not an available shipping method");
    auto allowed = words(m->str(0));
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), country) == allowed.end())
        return validation("shipping_method", fmt::format("does not ship to {}", country));
    auto rate = sql.one("SELECT amount, free_over FROM ordering.shipping_rates WHERE method = ? AND currency = ?", method, currency);
    if (!rate) return validation("shipping_method", fmt::format("has no price in {}", currency));
    auto c = choose(sql, currency, lines, coupon, customer_key, exclude);
    if (!c.coupon_refusal.empty())
        return Error(errc::coupon_unavailable, fmt::format("coupon {} {}; remove it from the cart or try another", coupon, c.coupon_refusal),
                     {{"coupon_code", fmt::format("coupon {} {}", coupon, c.coupon_refusal)}});
    Plan out;
    out.promotion = c.promotion;
    out.prices_include_tax = prices_include_tax_;
    out.priced = domain::price({currency, lines, c.promotion, rate_of(sql, method, currency, rate->i64(0), rate->i64(1)), country, upper(region),
                                tax_rates_for(sql, country), prices_include_tax_});
    return out;
}

bool PricingService::take(db::Tx& tx, const domain::Promotion& p, const std::string& order_id, const std::string& customer_key) {
    // The promotion's row first: every order carrying it writes this row, so on PostgreSQL a
    // concurrent one conflicts and is retried, and on SQLite the single writer orders them.
    auto n = tx.exec("UPDATE ordering.promotions SET times_used = times_used + 1 "
                     "WHERE id = ? AND active = 1 AND (usage_limit = 0 OR times_used < usage_limit)",
                     p.id);
    if (n == 0) return false;
    if (p.per_customer_limit && customer_uses(tx, p.id, customer_key) >= p.per_customer_limit) return false;
    tx.exec("INSERT INTO ordering.promotion_usages (promotion_id, order_id, customer_key, status, created_at) VALUES (?, ?, ?, 'active', ?)",
            p.id, order_id, customer_key, now_iso8601());
    return true;
}

void PricingService::give_back(db::Tx& tx, const std::string& order_id) {
    for (auto& r : tx.query("SELECT promotion_id FROM ordering.promotion_usages WHERE order_id = ? AND status = 'active'", order_id)) {
        std::string id = r.str(0);
        tx.exec("UPDATE ordering.promotion_usages SET status = 'returned' WHERE promotion_id = ? AND order_id = ?", id, order_id);
        tx.exec("UPDATE ordering.promotions SET times_used = times_used - 1 WHERE id = ? AND times_used > 0", id);
    }
}

std::vector<ShippingMethod> PricingService::methods_for(const std::string& currency, const std::string& country, std::int64_t net,
                                                        std::int64_t grams, bool free_shipping) {
    std::vector<ShippingMethod> out;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT m.code, m.name, m.countries, r.amount, r.free_over FROM ordering.shipping_methods m "
                                 "JOIN ordering.shipping_rates r ON r.method = m.code WHERE m.active = 1 AND r.currency = ? "
                                 "ORDER BY r.amount, m.code",
                                 currency)) {
            auto allowed = words(row.str(2));
            if (!country.empty() && !allowed.empty() && std::find(allowed.begin(), allowed.end(), country) == allowed.end()) continue;
            auto rate = rate_of(r, row.str(0), currency, row.i64(3), row.i64(4));
            std::int64_t by_weight = domain::shipping_amount(rate, grams);
            ShippingMethod m{row.str(0), row.str(1), {by_weight, currency}, {}, {by_weight, currency}};
            if (row.i64(4) >= 0) m.free_over = api::Money{row.i64(4), currency};
            if (free_shipping || (row.i64(4) >= 0 && net >= row.i64(4))) m.price_for_cart.amount = 0;
            out.push_back(std::move(m));
        }
    });
    return out;
}

PromotionPage PricingService::list_promotions(const std::string& after, int limit) {
    PromotionPage page;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query(std::string(kPromotionColumns) + "WHERE id < ? ORDER BY id DESC LIMIT ?", after.empty() ? "~" : after,
                                 limit + 1))
            page.data.push_back(promotion_out(row));
    });
    if (static_cast<int>(page.data.size()) > limit) {
        page.data.resize(limit);
        page.next_cursor = api::of<api::Cursor>(page.data.back().id.value);
    }
    return page;
}

Result<PromotionOut> PricingService::get_promotion(const std::string& id) {
    auto row = db_.read([&](db::Reader& r) { return r.one(std::string(kPromotionColumns) + "WHERE id = ?", id); });
    if (!row) return not_found(fmt::format("no promotion {}", id));
    return promotion_out(*row);
}

Result<PromotionOut> PricingService::create_promotion(const Ctx& ctx, const PromotionRequest& in) {
    std::string code = in.code ? upper(in.code->value) : "";
    if (in.code && !is_code(in.code->value, false)) return validation("code", "may hold only letters, digits, '-' and '_'");
    const std::string& kind = in.kind.value;
    if (kind == "percent" && !in.percent) return validation("percent", "is required for a percent promotion");
    if (kind != "percent" && in.percent) return validation("percent", "is only for a percent promotion");
    if (kind == "fixed" && !in.amount) return validation("amount", "is required for a fixed promotion");
    if (kind != "fixed" && in.amount) return validation("amount", "is only for a fixed promotion");
    if (kind == "fixed" && in.amount->amount.value == 0) return validation("amount.amount", "must be positive");
    if (in.min_subtotal && kind == "fixed" && in.min_subtotal->currency.value != in.amount->currency.value)
        return validation("min_subtotal.currency", "must be the amount's currency");
    if (in.starts_at && in.ends_at && in.ends_at->ms <= in.starts_at->ms) return validation("ends_at", "must be after starts_at");
    std::vector<std::string> products, categories;
    if (in.product_ids)
        for (auto& p : *in.product_ids) products.push_back(p.value);
    if (in.category_ids) {
        auto known = known_categories(*in.category_ids, "category_ids");
        if (!known) return known.error();
        categories = std::move(*known);
    }
    std::string id = new_id("pro"), at = now_iso8601();
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<PromotionOut> {
        if (!code.empty() && tx.count("SELECT COUNT(*) FROM ordering.promotions WHERE code = ?", code))
            return Error(shop::errc::conflict, fmt::format("a promotion with code {} exists", code), {{"code", "is taken"}});
        tx.exec("INSERT INTO ordering.promotions (id, code, name, kind, percent, amount, currency, min_subtotal, min_currency, starts_ms, "
                "ends_ms, usage_limit, per_customer_limit, times_used, product_ids, active, created_at, updated_at, category_ids) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                id, code, in.name ? in.name->value : "", kind, in.percent ? in.percent->value : 0,
                in.amount ? in.amount->amount.value : 0, in.amount ? in.amount->currency.value : "",
                in.min_subtotal ? in.min_subtotal->amount.value : 0, in.min_subtotal ? in.min_subtotal->currency.value : "",
                in.starts_at ? in.starts_at->ms : 0, in.ends_at ? in.ends_at->ms : 0, in.usage_limit ? in.usage_limit->value : 0,
                in.per_customer_limit ? in.per_customer_limit->value : 0, joined(products), in.active.value_or(true) ? 1 : 0, at, at,
                joined(categories));
        auto out = promotion_out(*tx.one(std::string(kPromotionColumns) + "WHERE id = ?", id));
        audit::record(tx, "ordering.promotion.created", id, {{"changes", api::write_value(in)}});
        tx.reply(api::write_value(out));
        return out;
    });
}

Result<std::vector<std::string>> PricingService::known_categories(const api::List<api::Id<"cat">, 0, 100>& ids, const std::string& field) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (!catalog_.category_exists(ids[i].value)) return validation(fmt::format("{}[{}]", field, i), "is not a category");
        if (std::find(out.begin(), out.end(), ids[i].value) == out.end()) out.push_back(ids[i].value);
    }
    return out;
}

Result<PromotionOut> PricingService::patch_promotion(const Ctx& ctx, const std::string& id, const PromotionPatch& in) {
    std::optional<std::vector<std::string>> categories;
    if (in.category_ids) {
        auto known = known_categories(*in.category_ids, "category_ids");
        if (!known) return known.error();
        categories = std::move(*known);
    }
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<PromotionOut> {
        auto row = tx.one(std::string(kPromotionColumns) + "WHERE id = ?", id);
        if (!row) return not_found(fmt::format("no promotion {}", id));
        auto p = promotion_of(*row);
        if (in.percent && p.kind != "percent") return validation("percent", "is only for a percent promotion");
        if (in.amount && p.kind != "fixed") return validation("amount", "is only for a fixed promotion");
        if (in.amount && in.amount->amount.value == 0) return validation("amount.amount", "must be positive");
        std::int64_t starts = p.starts_ms, ends = p.ends_ms;
        if (in.starts_at) starts = in.starts_at->value ? in.starts_at->value->ms : 0;
        if (in.ends_at) ends = in.ends_at->value ? in.ends_at->value->ms : 0;
        if (starts && ends && ends <= starts) return validation("ends_at", "must be after starts_at");
        std::string at = now_iso8601();
        if (in.name) tx.exec("UPDATE ordering.promotions SET name = ? WHERE id = ?", in.name->value, id);
        if (in.percent) tx.exec("UPDATE ordering.promotions SET percent = ? WHERE id = ?", in.percent->value, id);
        if (in.amount)
            tx.exec("UPDATE ordering.promotions SET amount = ?, currency = ? WHERE id = ?", in.amount->amount.value, in.amount->currency.value, id);
        if (in.min_subtotal) {
            auto& m = in.min_subtotal->value;
            tx.exec("UPDATE ordering.promotions SET min_subtotal = ?, min_currency = ? WHERE id = ?", m ? m->amount.value : 0,
                    m ? m->currency.value : "", id);
        }
        tx.exec("UPDATE ordering.promotions SET starts_ms = ?, ends_ms = ? WHERE id = ?", starts, ends, id);
        if (in.usage_limit) tx.exec("UPDATE ordering.promotions SET usage_limit = ? WHERE id = ?", in.usage_limit->value, id);
        if (in.per_customer_limit) tx.exec("UPDATE ordering.promotions SET per_customer_limit = ? WHERE id = ?", in.per_customer_limit->value, id);
        if (in.product_ids) {
            std::vector<std::string> products;
            for (auto& x : *in.product_ids) products.push_back(x.value);
            tx.exec("UPDATE ordering.promotions SET product_ids = ? WHERE id = ?", joined(products), id);
        }
        if (categories) tx.exec("UPDATE ordering.promotions SET category_ids = ? WHERE id = ?", joined(*categories), id);
        if (in.active) tx.exec("UPDATE ordering.promotions SET active = ? WHERE id = ?", *in.active ? 1 : 0, id);
        tx.exec("UPDATE ordering.promotions SET updated_at = ? WHERE id = ?", at, id);
        audit::record(tx, "ordering.promotion.updated", id, {{"changes", api::write_value(in)}});
        return promotion_out(*tx.one(std::string(kPromotionColumns) + "WHERE id = ?", id));
    });
}

ShippingMethodAdminPage PricingService::list_shipping_methods() {
    ShippingMethodAdminPage page;
    db_.read([&](db::Reader& r) {
        std::vector<std::string> codes;
        for (auto& row : r.query("SELECT code FROM ordering.shipping_methods ORDER BY code")) codes.push_back(row.str(0));
        for (auto& c : codes) page.data.push_back(*shipping_out(r, c));
    });
    return page;
}

Result<ShippingMethodOut> PricingService::create_shipping_method(const Ctx& ctx, const ShippingMethodRequest& in) {
    if (!is_code(in.code.value, true)) return validation("code", "may hold only lower-case letters, digits, '-' and '_'");
    std::vector<ShippingRateIn> all{{in.price, in.free_over, in.weight_bands}};
    if (in.rates)
        for (auto& r : *in.rates) all.push_back(r);
    if (in.free_over && in.free_over->currency.value != in.price.currency.value)
        return validation("free_over.currency", "must be the price's currency");
    auto rates = rates_of(all, "rates");
    if (!rates) return rates.error();
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<ShippingMethodOut> {
        if (tx.count("SELECT COUNT(*) FROM ordering.shipping_methods WHERE code = ?", in.code.value))
            return Error(shop::errc::conflict, fmt::format("a shipping method {} exists", in.code.value), {{"code", "is taken"}});
        tx.exec("INSERT INTO ordering.shipping_methods (code, name, amount, active, countries, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                in.code.value, in.name.value, in.price.amount.value, in.active.value_or(true) ? 1 : 0, countries_of(in.countries),
                now_iso8601());
        write_rates(tx, in.code.value, *rates);
        auto out = *shipping_out(tx, in.code.value);
        audit::record(tx, "ordering.shipping_method.created", in.code.value, {{"changes", api::write_value(in)}});
        tx.reply(api::write_value(out));
        return out;
    });
}

Result<ShippingMethodOut> PricingService::patch_shipping_method(const Ctx& ctx, const std::string& code, const ShippingMethodPatch& in) {
    std::optional<std::vector<RateRow>> rates;
    if (in.rates) {
        auto r = rates_of(in.rates->items, "rates");
        if (!r) return r.error();
        rates = std::move(*r);
    }
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<ShippingMethodOut> {
        if (!tx.count("SELECT COUNT(*) FROM ordering.shipping_methods WHERE code = ?", code))
            return not_found(fmt::format("no shipping method {}", code));
        if (in.name) tx.exec("UPDATE ordering.shipping_methods SET name = ? WHERE code = ?", in.name->value, code);
        if (in.countries) tx.exec("UPDATE ordering.shipping_methods SET countries = ? WHERE code = ?", countries_of(in.countries), code);
        if (in.active) tx.exec("UPDATE ordering.shipping_methods SET active = ? WHERE code = ?", *in.active ? 1 : 0, code);
        if (rates) write_rates(tx, code, *rates);
        audit::record(tx, "ordering.shipping_method.updated", code, {{"changes", api::write_value(in)}});
        return *shipping_out(tx, code);
    });
}

TaxRatePage PricingService::list_tax_rates(const std::string& after, int limit) {
    TaxRatePage page;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query(std::string(kTaxColumns) + "WHERE id > ? ORDER BY id LIMIT ?", after, limit + 1))
            page.data.push_back(tax_out(row));
    });
    if (static_cast<int>(page.data.size()) > limit) {
        page.data.resize(limit);
        page.next_cursor = api::of<api::Cursor>(page.data.back().id.value);
    }
    return page;
}

Result<TaxRateOut> PricingService::create_tax_rate(const Ctx& ctx, const TaxRateRequest& in) {
    std::string region = in.region ? upper(in.region->value) : "";
    std::string tax_class = in.tax_class ? in.tax_class->value : "standard";
    if (!is_tax_class(tax_class)) return validation("tax_class", "must be lower-case letters and digits separated by dashes");
    std::string id = new_id("txr"), at = now_iso8601();
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<TaxRateOut> {
        if (tx.count("SELECT COUNT(*) FROM ordering.tax_rates WHERE country = ? AND region = ? AND tax_class = ?", in.country.value, region,
                     tax_class))
            return Error(shop::errc::conflict, "a rate for this country, region and tax class exists; change it with PATCH",
                         {{"tax_class", "has a rate here already"}});
        tx.exec("INSERT INTO ordering.tax_rates (id, country, region, tax_class, rate_bp, name, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id, in.country.value, region, tax_class, in.rate_bp.value, in.name ? in.name->value : "", at, at);
        auto out = tax_out(*tx.one(std::string(kTaxColumns) + "WHERE id = ?", id));
        audit::record(tx, "ordering.tax_rate.created", id, {{"changes", api::write_value(in)}});
        tx.reply(api::write_value(out));
        return out;
    });
}

Result<TaxRateOut> PricingService::patch_tax_rate(const Ctx& ctx, const std::string& id, const TaxRatePatch& in) {
    return db_.write("ordering", ctx, [&](db::Tx& tx) -> Result<TaxRateOut> {
        if (!tx.count("SELECT COUNT(*) FROM ordering.tax_rates WHERE id = ?", id)) return not_found(fmt::format("no tax rate {}", id));
        if (in.rate_bp) tx.exec("UPDATE ordering.tax_rates SET rate_bp = ? WHERE id = ?", in.rate_bp->value, id);
        if (in.name) tx.exec("UPDATE ordering.tax_rates SET name = ? WHERE id = ?", in.name->value, id);
        tx.exec("UPDATE ordering.tax_rates SET updated_at = ? WHERE id = ?", now_iso8601(), id);
        audit::record(tx, "ordering.tax_rate.updated", id, {{"changes", api::write_value(in)}});
        return tax_out(*tx.one(std::string(kTaxColumns) + "WHERE id = ?", id));
    });
}

}  // namespace shop::ordering
