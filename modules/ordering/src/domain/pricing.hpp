#pragma once
// Pure pricing: which promotion applies to a cart, what it takes off, shipping and tax, and the
// totals. Checkout, the quote and the cart's discount preview all call price(); no I/O here.
//
// The rules (also in the README and the routes' descriptions):
// - One promotion per order: the cart's coupon when it applies, otherwise the automatic
//   (code-less) promotion worth most to the buyer; ties go to the older promotion.
// - A promotion applies when it is active, inside [starts_at, ends_at), under its total and
//   per-customer usage limits, and the cart's subtotal reaches `min_subtotal` (same currency).
//   A fixed amount only applies to carts in its currency.
// - `product_ids` and `category_ids` limit percent and fixed discounts to the lines of those
//   products or of products in those categories (a category includes its subcategories). A percent
//   discount is the eligible amount × percent / 100, rounded half up; a fixed one is capped by the
//   eligible amount. The discount is spread over the eligible lines in proportion to their
//   totals (largest remainder), so each line's tax is computed on what is really paid for it.
// - Shipping: the method's rate in the cart's currency (by weight band when it has bands: the
//   lightest band holding the cart's weight, the flat price above them), 0 when the discounted
//   subtotal reaches the rate's `free_over`, 0 with a free_shipping promotion.
// - Tax: the most specific rate for the destination (country + region before country alone)
//   and the line's tax class; shipping is taxed with class `shipping` when such a rate exists.
//   Rounded per line, half up, in minor units. Prices exclusive of tax (default): tax is added,
//   tax = round(net × rate_bp / 10000). Prices inclusive (`tax.prices_include_tax`): the total
//   is what the prices say and tax is the part of it that is tax, gross − round(gross × 10000 /
//   (10000 + rate_bp)).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace shop::ordering::domain {

/// a × b / c rounded half up (half away from zero), for non-negative a, b and positive c.
std::int64_t mul_div_round(std::int64_t a, std::int64_t b, std::int64_t c);

/// Splits `amount` over `weights` in proportion (largest remainder, earlier index first on ties);
/// the parts sum to `amount` exactly. All zero weights: all zero parts (amount must then be 0).
std::vector<std::int64_t> allocate(std::int64_t amount, const std::vector<std::int64_t>& weights);

struct Promotion {
    std::string id;
    std::string code;  ///< "" = automatic
    std::string kind;  ///< percent | fixed | free_shipping
    std::int64_t percent = 0;
    std::int64_t amount = 0;  ///< fixed, in `currency`
    std::string currency;     ///< of `amount`
    std::int64_t min_subtotal = 0;
    std::string min_currency;  ///< of `min_subtotal`; "" when there is none
    std::int64_t starts_ms = 0, ends_ms = 0;  ///< 0 = open
    std::int64_t usage_limit = 0, per_customer_limit = 0;  ///< 0 = unlimited
    std::int64_t times_used = 0;
    std::set<std::string> product_ids;   ///< with category_ids empty too: every line
    std::set<std::string> category_ids;  ///< lines of products in these categories (or below them)
    bool active = true;
};

struct PriceLine {
    std::string sku, product_id, tax_class = "standard";
    std::int64_t quantity = 0, unit_price = 0;
    std::int64_t weight_grams = 0;  ///< per unit
    std::vector<std::string> category_ids;  ///< the product's categories and their ancestors
    std::int64_t line_total() const noexcept { return unit_price * quantity; }
};

struct TaxRate {
    std::string country, region, tax_class = "standard";
    std::int64_t rate_bp = 0;
};

struct WeightBand {
    std::int64_t up_to_grams = 0;  ///< inclusive
    std::int64_t amount = 0;
};

struct ShippingRate {
    std::int64_t amount = 0;      ///< the flat price; with bands, the price above the heaviest band
    std::int64_t free_over = -1;  ///< -1 = never free
    std::vector<WeightBand> bands;  ///< ascending by up_to_grams
};

/// The rate's price for a parcel of `grams`: the first band that holds it, else the flat amount.
std::int64_t shipping_amount(const ShippingRate& rate, std::int64_t grams);

/// Why `p` does not apply to this cart now ("" when it does). `customer_uses`: orders of this
/// customer (or guest email) already carrying it.
std::string refusal(const Promotion& p, const std::string& currency, const std::vector<PriceLine>& lines, std::int64_t now_ms,
                    std::int64_t customer_uses);

/// What `p` takes off the lines (0 for free_shipping, which acts on shipping).
std::int64_t line_discount(const Promotion& p, const std::string& currency, const std::vector<PriceLine>& lines);

struct TaxLine {
    std::string tax_class;
    std::int64_t rate_bp = 0;
    std::int64_t taxable = 0;  ///< the amount taxed (net, or gross when prices include tax)
    std::int64_t amount = 0;
};

struct PricingInput {
    std::string currency;
    std::vector<PriceLine> lines;
    std::optional<Promotion> promotion;  ///< already chosen and checked (see refusal())
    std::optional<ShippingRate> shipping;  ///< none: no shipping priced yet (cart previews)
    std::string country, region;           ///< destination; "" = no tax yet
    std::vector<TaxRate> rates;
    bool prices_include_tax = false;
};

struct Priced {
    std::int64_t subtotal = 0, discount = 0, shipping = 0, tax = 0, total = 0;
    bool free_shipping = false;  ///< shipping waived by the promotion or the rate's free_over
    std::vector<std::int64_t> line_discounts;  ///< per input line
    std::vector<TaxLine> tax_lines;            ///< one per (class, rate), in first-use order
};

Priced price(const PricingInput& in);

/// The rate for `tax_class` at the destination: country + region first, then the country alone.
std::optional<TaxRate> rate_for(const std::vector<TaxRate>& rates, const std::string& country, const std::string& region,
                                const std::string& tax_class);

}  // namespace shop::ordering::domain
