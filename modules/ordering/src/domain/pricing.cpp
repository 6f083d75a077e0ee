#include "domain/pricing.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace shop::ordering::domain {

std::int64_t mul_div_round(std::int64_t a, std::int64_t b, std::int64_t c) {
    if (a < 0 || b < 0 || c <= 0) throw std::invalid_argument("mul_div_round: negative operand or zero divisor");
    auto p = static_cast<__int128>(a) * b;
    return static_cast<std::int64_t>((p + c / 2) / c);
}

std::vector<std::int64_t> allocate(std::int64_t amount, const std::vector<std::int64_t>& weights) {
    std::vector<std::int64_t> parts(weights.size(), 0);
    std::int64_t total = std::accumulate(weights.begin(), weights.end(), std::int64_t{0});
    if (total <= 0 || amount == 0) return parts;
    std::vector<std::pair<__int128, std::size_t>> remainders;
    std::int64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        auto p = static_cast<__int128>(amount) * weights[i];
        parts[i] = static_cast<std::int64_t>(p / total);
        given += parts[i];
        remainders.push_back({p % total, i});
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](auto& a, auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < amount && k < remainders.size(); ++k, ++given) ++parts[remainders[k].second];
    return parts;
}

namespace {

bool eligible(const Promotion& p, const PriceLine& l) {
    if (p.product_ids.empty() && p.category_ids.empty()) return true;
    if (p.product_ids.count(l.product_id)) return true;
    for (auto& c : l.category_ids)
        if (p.category_ids.count(c)) return true;
    return false;
}

std::int64_t subtotal_of(const std::vector<PriceLine>& lines) {
    std::int64_t s = 0;
    for (auto& l : lines) s += l.line_total();
    return s;
}

std::int64_t eligible_amount(const Promotion& p, const std::vector<PriceLine>& lines) {
    std::int64_t s = 0;
    for (auto& l : lines)
        if (eligible(p, l)) s += l.line_total();
    return s;
}

}  // namespace

std::string refusal(const Promotion& p, const std::string& currency, const std::vector<PriceLine>& lines, std::int64_t now_ms,
                    std::int64_t customer_uses) {
    if (!p.active) return "is not active";
    if (p.starts_ms && now_ms < p.starts_ms) return "is not valid yet";
    if (p.ends_ms && now_ms >= p.ends_ms) return "has expired";
    if (p.usage_limit && p.times_used >= p.usage_limit) return "has been used up";
    if (p.per_customer_limit && customer_uses >= p.per_customer_limit) return "has already been used as often as allowed per customer";
    if (p.kind == "fixed" && p.currency != currency) return "does not apply to carts in " + currency;
    if (!p.min_currency.empty()) {
        if (p.min_currency != currency) return "does not apply to carts in " + currency;
        if (subtotal_of(lines) < p.min_subtotal) return "needs a subtotal of at least " + std::to_string(p.min_subtotal) + " minor units";
    }
    if (p.kind != "free_shipping" && eligible_amount(p, lines) == 0) return "applies to none of the items in the cart";
    return "";
}

std::int64_t line_discount(const Promotion& p, const std::string& currency, const std::vector<PriceLine>& lines) {
    std::int64_t base = eligible_amount(p, lines);
    if (p.kind == "percent") return std::min(base, mul_div_round(base, p.percent, 100));
    if (p.kind == "fixed" && p.currency == currency) return std::min(base, p.amount);
    return 0;
}

std::optional<TaxRate> rate_for(const std::vector<TaxRate>& rates, const std::string& country, const std::string& region,
                                const std::string& tax_class) {
    const TaxRate* country_wide = nullptr;
    for (auto& r : rates) {
        if (r.country != country || r.tax_class != tax_class) continue;
        if (!region.empty() && r.region == region) return r;
        if (r.region.empty()) country_wide = &r;
    }
    if (country_wide) return *country_wide;
    return std::nullopt;
}

std::int64_t shipping_amount(const ShippingRate& rate, std::int64_t grams) {
    for (auto& b : rate.bands)
        if (grams <= b.up_to_grams) return b.amount;
    return rate.amount;
}

Priced price(const PricingInput& in) {
    Priced out;
    out.subtotal = subtotal_of(in.lines);
    out.line_discounts.assign(in.lines.size(), 0);
    bool free_shipping_promotion = false;
    if (in.promotion) {
        const auto& p = *in.promotion;
        free_shipping_promotion = p.kind == "free_shipping";
        out.discount = line_discount(p, in.currency, in.lines);
        std::vector<std::int64_t> weights;
        for (auto& l : in.lines) weights.push_back(eligible(p, l) ? l.line_total() : 0);
        out.line_discounts = allocate(out.discount, weights);
    }
    if (in.shipping) {
        bool free_over = in.shipping->free_over >= 0 && out.subtotal - out.discount >= in.shipping->free_over;
        out.free_shipping = free_shipping_promotion || free_over;
        std::int64_t grams = 0;
        for (auto& l : in.lines) grams += l.weight_grams * l.quantity;
        out.shipping = out.free_shipping ? 0 : shipping_amount(*in.shipping, grams);
    } else {
        out.free_shipping = free_shipping_promotion;
    }

    auto add_tax = [&](const std::string& tax_class, std::int64_t amount) {
        if (in.country.empty() || amount <= 0) return;
        auto rate = rate_for(in.rates, in.country, in.region, tax_class);
        if (!rate || rate->rate_bp <= 0) return;
        std::int64_t tax = in.prices_include_tax ? amount - mul_div_round(amount, 10000, 10000 + rate->rate_bp)
                                                 : mul_div_round(amount, rate->rate_bp, 10000);
        auto it = std::find_if(out.tax_lines.begin(), out.tax_lines.end(),
                               [&](auto& t) { return t.tax_class == tax_class && t.rate_bp == rate->rate_bp; });
        if (it == out.tax_lines.end()) it = out.tax_lines.insert(out.tax_lines.end(), TaxLine{tax_class, rate->rate_bp, 0, 0});
        it->taxable += amount;
        it->amount += tax;
        out.tax += tax;
    };
    for (std::size_t i = 0; i < in.lines.size(); ++i) add_tax(in.lines[i].tax_class, in.lines[i].line_total() - out.line_discounts[i]);
    add_tax("shipping", out.shipping);

    out.total = out.subtotal - out.discount + out.shipping + (in.prices_include_tax ? 0 : out.tax);
    return out;
}

}  // namespace shop::ordering::domain
