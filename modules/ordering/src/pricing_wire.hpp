#pragma once
// Promotions, shipping methods, tax rates and quotes on the wire (see platform/api.hpp).
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"
#include "wire.hpp"

namespace shop::ordering {

using PromotionKind = api::OneOf<"percent", "fixed", "free_shipping">;

struct PromotionRequest {
    std::optional<api::Text<1, 64>> code;  ///< none = automatic; letters, digits, `-` and `_`, stored upper case
    std::optional<api::Text<1, 200>> name;
    PromotionKind kind;
    std::optional<api::Int<1, 100>> percent;  ///< kind percent
    std::optional<api::MoneyIn> amount;       ///< kind fixed
    std::optional<api::MoneyIn> min_subtotal;
    std::optional<api::DateTime> starts_at;
    std::optional<api::DateTime> ends_at;  ///< exclusive
    std::optional<api::Int<0, 1'000'000'000>> usage_limit;         ///< 0 or none = unlimited
    std::optional<api::Int<0, 1'000'000'000>> per_customer_limit;  ///< 0 or none = unlimited
    std::optional<api::List<api::Id<"prd">, 0, 500>> product_ids;  ///< only these products' lines
    std::optional<api::List<api::Id<"cat">, 0, 100>> category_ids;  ///< lines of products in these categories or below
    std::optional<bool> active;
};
SHOP_API_STRUCT(PromotionRequest, code, name, kind, percent, amount, min_subtotal, starts_at, ends_at, usage_limit, per_customer_limit,
                product_ids, category_ids, active)

struct PromotionPatch {
    std::optional<api::Text<1, 200>> name;
    std::optional<api::Int<1, 100>> percent;
    std::optional<api::MoneyIn> amount;
    std::optional<api::Nullable<api::MoneyIn>> min_subtotal;
    std::optional<api::Nullable<api::DateTime>> starts_at;
    std::optional<api::Nullable<api::DateTime>> ends_at;
    std::optional<api::Int<0, 1'000'000'000>> usage_limit;
    std::optional<api::Int<0, 1'000'000'000>> per_customer_limit;
    std::optional<api::List<api::Id<"prd">, 0, 500>> product_ids;
    std::optional<api::List<api::Id<"cat">, 0, 100>> category_ids;
    std::optional<bool> active;
};
SHOP_API_STRUCT(PromotionPatch, name, percent, amount, min_subtotal, starts_at, ends_at, usage_limit, per_customer_limit, product_ids,
                category_ids, active)

struct PromotionOut {
    api::Id<"pro"> id;
    api::Nullable<std::string> code;  ///< null: automatic
    std::string name;
    PromotionKind kind;
    api::Nullable<std::int64_t> percent;
    api::Nullable<api::Money> amount;
    api::Nullable<api::Money> min_subtotal;
    api::Nullable<api::Timestamp> starts_at;
    api::Nullable<api::Timestamp> ends_at;
    std::int64_t usage_limit = 0;         ///< 0 = unlimited
    std::int64_t per_customer_limit = 0;  ///< 0 = unlimited
    std::int64_t times_used = 0;          ///< orders placed with it and not cancelled
    std::vector<std::string> product_ids;
    std::vector<std::string> category_ids;
    bool active = true;
    api::Timestamp created_at;
    api::Timestamp updated_at;
};
SHOP_API_STRUCT(PromotionOut, id, code, name, kind, percent, amount, min_subtotal, starts_at, ends_at, usage_limit, per_customer_limit,
                times_used, product_ids, category_ids, active, created_at, updated_at)

struct PromotionPage {
    std::vector<PromotionOut> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(PromotionPage, data, next_cursor)

struct PageQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(PageQuery, limit, cursor)

struct WeightBandIn {
    api::Int<1, 1'000'000'000> up_to_grams;  ///< the band holds parcels up to this weight
    api::MoneyIn price;                       ///< in the rate's currency
};
SHOP_API_STRUCT(WeightBandIn, up_to_grams, price)

struct ShippingRateIn {
    api::MoneyIn price;  ///< flat; with weight bands, the price above the heaviest band
    std::optional<api::MoneyIn> free_over;  ///< same currency as price
    std::optional<api::List<WeightBandIn, 0, 20>> weight_bands;
};
SHOP_API_STRUCT(ShippingRateIn, price, free_over, weight_bands)

struct ShippingMethodRequest {
    api::Text<1, 64> code;  ///< lower case letters, digits, `-`, `_`
    api::Text<1, 200> name;
    api::MoneyIn price;  ///< flat; with weight bands, the price above the heaviest band
    std::optional<api::MoneyIn> free_over;
    std::optional<api::List<WeightBandIn, 0, 20>> weight_bands;  ///< price by the cart's weight (variants' `weight_grams`)
    std::optional<api::List<ShippingRateIn, 0, 50>> rates;  ///< prices in other currencies
    std::optional<api::List<api::Country, 0, 250>> countries;  ///< none or empty = anywhere
    std::optional<bool> active;
};
SHOP_API_STRUCT(ShippingMethodRequest, code, name, price, free_over, weight_bands, rates, countries, active)

struct ShippingMethodPatch {
    std::optional<api::Text<1, 200>> name;
    std::optional<api::List<ShippingRateIn, 1, 50>> rates;  ///< replaces every rate
    std::optional<api::List<api::Country, 0, 250>> countries;
    std::optional<bool> active;
};
SHOP_API_STRUCT(ShippingMethodPatch, name, rates, countries, active)

struct WeightBandOut {
    std::int64_t up_to_grams = 0;
    api::Money price;
};
SHOP_API_STRUCT(WeightBandOut, up_to_grams, price)

struct ShippingRateOut {
    api::Money price;
    api::Nullable<api::Money> free_over;
    std::vector<WeightBandOut> weight_bands;
};
SHOP_API_STRUCT(ShippingRateOut, price, free_over, weight_bands)

struct ShippingMethodOut {
    std::string code;
    std::string name;
    std::vector<ShippingRateOut> rates;
    std::vector<std::string> countries;  ///< empty = anywhere
    bool active = true;
};
SHOP_API_STRUCT(ShippingMethodOut, code, name, rates, countries, active)

struct ShippingMethodAdminPage {
    std::vector<ShippingMethodOut> data;
    api::Nullable<api::Cursor> next_cursor;  ///< always null: every method is on one page
};
SHOP_API_STRUCT(ShippingMethodAdminPage, data, next_cursor)

struct CheckoutShippingQuery {
    api::Id<"cart"> cart_id;
    std::optional<api::Country> country;  ///< the destination; none = methods for any destination are all listed
};
SHOP_API_STRUCT(CheckoutShippingQuery, cart_id, country)

struct TaxRateRequest {
    api::Country country;
    std::optional<api::Text<1, 100>> region;  ///< none = the whole country
    api::Int<0, 10000> rate_bp;                ///< basis points: 2000 = 20 %
    std::optional<api::Text<1, 64>> tax_class;  ///< default `standard`; `shipping` taxes shipping
    std::optional<api::Text<1, 200>> name;
};
SHOP_API_STRUCT(TaxRateRequest, country, region, rate_bp, tax_class, name)

struct TaxRatePatch {
    std::optional<api::Int<0, 10000>> rate_bp;
    std::optional<api::Text<1, 200>> name;
};
SHOP_API_STRUCT(TaxRatePatch, rate_bp, name)

struct TaxRateOut {
    api::Id<"txr"> id;
    std::string country;
    api::Nullable<std::string> region;
    std::string tax_class;
    std::int64_t rate_bp = 0;
    std::string name;
    api::Timestamp created_at;
    api::Timestamp updated_at;
};
SHOP_API_STRUCT(TaxRateOut, id, country, region, tax_class, rate_bp, name, created_at, updated_at)

struct TaxRatePage {
    std::vector<TaxRateOut> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(TaxRatePage, data, next_cursor)

struct CancelRequest {
    std::optional<api::Text<1, 500>> reason;  ///< kept in the order's history
};
SHOP_API_STRUCT(CancelRequest, reason)

struct QuoteRequest {
    api::Id<"cart"> cart_id;
    Address shipping_address;
    api::Text<1, 64> shipping_method;
    std::optional<api::Email> email;  ///< a guest's, for per-customer coupon limits
};
SHOP_API_STRUCT(QuoteRequest, cart_id, shipping_address, shipping_method, email)

struct Quote {
    std::string currency;
    api::Money subtotal, discount, shipping, tax, total;
    bool prices_include_tax = false;  ///< tax is part of the prices (and of subtotal), not added
    bool free_shipping = false;
    api::Nullable<std::string> promotion_code;
    std::vector<TaxLineOut> tax_lines;
};
SHOP_API_STRUCT(Quote, currency, subtotal, discount, shipping, tax, total, prices_include_tax, free_shipping, promotion_code, tax_lines)

}  // namespace shop::ordering
