#pragma once
// cart: guest and customer carts and their lines. Prices are never stored: they are read live
// from the catalog every time a cart is shown, and re-read by ordering at checkout.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"

namespace shop::cart {

struct CheckoutLine {
    std::string id;  ///< line_...
    std::string sku;
    std::int64_t quantity = 0;
};

/// A cart as checkout needs it.
struct CheckoutCart {
    std::string id;
    std::string customer_id;  ///< empty for a guest cart
    std::string currency;
    std::string status;  ///< open | converted
    std::vector<CheckoutLine> lines;
    std::string coupon_code;  ///< the coupon the buyer applied, upper case; "" = none
};

/// A cart line priced, as the promotion rules see it.
struct PromotionLine {
    std::string sku;
    std::string product_id;
    std::int64_t quantity = 0;
    std::int64_t unit_price = 0;  ///< minor units of the cart's currency
    std::vector<std::string> category_ids;  ///< the product's categories and their ancestors
};

/// What the promotions take off a cart now (before shipping and tax).
struct DiscountPreview {
    std::int64_t discount = 0;
    bool free_shipping = false;
    std::string promotion_id;    ///< "" = none applies
    std::string promotion_code;  ///< "" for an automatic promotion
    std::string coupon_refusal;  ///< why the asked coupon does not apply ("" when it does or none was asked)
};

/// The promotion rules, owned by ordering and handed to cart by the composition root (cart
/// cannot use ordering, which uses cart): the cart's reply shows the discount checkout will give.
class PromotionsPort {
public:
    virtual ~PromotionsPort() = default;
    /// The cart's coupon (`coupon_code`, "" = none) when it applies, else the best automatic
    /// promotion. The caller's per-customer usage counts when signed in.
    virtual DiscountPreview preview(const Ctx& ctx, const std::string& currency, const std::string& coupon_code,
                                    const std::vector<PromotionLine>& lines) = 0;
};

/// The service face of cart. Thread-safe.
class CartApi {
public:
    virtual ~CartApi() = default;
    /// The cart if the caller owns it (the customer's own cart, or a guest cart whose token is
    /// `cart_token`); not_found otherwise, so other people's carts are indistinguishable from none.
    virtual Result<CheckoutCart> cart_for_checkout(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) = 0;
};

}  // namespace shop::cart
