#pragma once
// cart's requests and replies on the wire (see platform/api.hpp).
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"

namespace shop::cart {

struct CreateCartRequest {
    std::optional<api::Currency> currency;  ///< default: `?currency=`, else the shop's base currency
};
SHOP_API_STRUCT(CreateCartRequest, currency)

struct AddItemRequest {
    api::Text<1, 64> sku;
    api::Int<1, 999> quantity;
};
SHOP_API_STRUCT(AddItemRequest, sku, quantity)

struct SetQuantityRequest {
    api::Int<0, 999> quantity;  ///< 0 removes the line
};
SHOP_API_STRUCT(SetQuantityRequest, quantity)

struct CurrencyQuery {
    std::optional<api::Currency> currency;
};
SHOP_API_STRUCT(CurrencyQuery, currency)

struct CartLine {
    api::Id<"line"> id;
    std::string sku;
    std::int64_t quantity = 0;
    std::optional<api::Id<"prd">> product_id;
    std::optional<api::Id<"var">> variant_id;
    std::optional<std::string> title;
    api::Nullable<api::Money> unit_price;  ///< live from the catalog; null when the SKU can no longer be bought
    api::Nullable<api::Money> line_total;
    std::optional<std::string> problem;    ///< why the SKU cannot be bought (not_found, not_priced)
    std::int64_t available = 0;            ///< free stock now
    bool in_stock = false;                 ///< available covers the line's quantity
};
SHOP_API_STRUCT(CartLine, id, sku, quantity, product_id, variant_id, title, unit_price, line_total, problem, available, in_stock)

struct CouponRequest {
    api::Text<1, 64> code;  ///< case-insensitive
};
SHOP_API_STRUCT(CouponRequest, code)

struct MergeRequest {
    api::Id<"cart"> cart_id;  ///< the guest cart
    api::Text<1, 200> token;  ///< its token
};
SHOP_API_STRUCT(MergeRequest, cart_id, token)

struct CartPromotion {
    std::string id;
    api::Nullable<std::string> code;  ///< null for an automatic promotion
};
SHOP_API_STRUCT(CartPromotion, id, code)

struct Cart {
    api::Id<"cart"> id;
    std::optional<std::string> token;  ///< a guest cart's secret token: only in the reply that created it
    api::OneOf<"open", "converted", "merged"> status;
    std::optional<api::Id<"cart">> merged_into;  ///< a merged guest cart: the cart it went into
    api::Nullable<api::Id<"usr">> customer_id;
    std::string currency;
    std::vector<CartLine> lines;
    api::Money subtotal;
    api::Money discount;                      ///< what the promotion takes off the lines now (shipping and tax come at checkout)
    bool free_shipping = false;               ///< the promotion waives shipping
    api::Nullable<std::string> promotion_code;  ///< the coupon that applies; null for none or an automatic promotion
    api::Nullable<CartPromotion> promotion;     ///< the promotion that applies, coupon or automatic
    api::Nullable<std::string> coupon_code;     ///< the coupon the buyer applied (upper case)
    std::optional<std::string> coupon_problem;  ///< why the applied coupon does not apply now (limits, dates, minimum)
    bool checkout_ready = false;  ///< every line is on sale and in stock, and the cart is open
};
SHOP_API_STRUCT(Cart, id, token, status, merged_into, customer_id, currency, lines, subtotal, discount, free_shipping, promotion_code,
                promotion, coupon_code, coupon_problem, checkout_ready)

}  // namespace shop::cart
