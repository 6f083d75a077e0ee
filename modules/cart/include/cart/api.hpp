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
