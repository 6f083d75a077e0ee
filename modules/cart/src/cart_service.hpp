#pragma once
#include <optional>

#include "cart/api.hpp"
#include "catalog/api.hpp"
#include "inventory/api.hpp"
#include "platform/log.hpp"
#include "wire.hpp"

namespace shop::db {
class Database;
class Sql;
class Tx;
}

namespace shop::cart {

class CartService final : public CartApi {
public:
    /// `max_line_quantity`: most units in one line; `abandoned_after_ms`: open carts untouched this
    /// long are deleted by expire_abandoned() (0 = never).
    CartService(db::Database& db, Logger& log, catalog::CatalogApi& catalog, inventory::InventoryApi& inventory,
                std::int64_t max_line_quantity, std::int64_t abandoned_after_ms)
        : db_(db), log_(log), catalog_(catalog), inventory_(inventory), max_line_quantity_(max_line_quantity),
          abandoned_after_ms_(abandoned_after_ms) {}

    void use_promotions(PromotionsPort& p) { promotions_ = &p; }

    Result<CheckoutCart> cart_for_checkout(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) override;

    /// Creates a cart; a guest's cart gets a new `token` (shown once, stored hashed). Returns the
    /// cart as the API replies it (without the token).
    Result<Cart> create(const Ctx& ctx, const std::string& currency, std::string& token);
    /// A new token for an open guest cart, the old one stops working (replay of its creation).
    Result<std::string> reissue_token(const Ctx& ctx, std::string_view cart_id);
    /// The cart with live prices and availability, as the API replies it.
    Result<Cart> view(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token);
    /// Adds `quantity` of `sku` (merging with an existing line); returns the cart.
    Result<Cart> add_item(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, const std::string& sku,
                                         std::int64_t quantity);
    /// Sets a line's quantity; 0 removes it. Returns the cart.
    Result<Cart> set_quantity(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token,
                                             const std::string& line_id, std::int64_t quantity);
    /// Applies a coupon (422 naming `code` when it does not apply to this cart now); "" removes it.
    Result<Cart> set_coupon(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, std::string code);
    /// Moves a guest cart (proven by its token) into the caller's cart `into_id`: quantities summed,
    /// capped by free stock and the line maximum; the guest cart is closed.
    Result<Cart> merge(const Ctx& ctx, std::string_view into_id, const std::string& guest_id, std::string_view guest_token);
    /// Deletes open carts untouched for longer than the configured time; returns how many.
    std::int64_t expire_abandoned();
    /// Marks the cart converted into an order (event handler).
    void mark_converted(db::Tx& tx, const std::string& cart_id, const std::string& order_id);

private:
    Result<CheckoutCart> load_owned(db::Sql& sql, const Ctx& ctx, std::string_view cart_id, std::string_view cart_token);
    Cart render(const Ctx& ctx, const CheckoutCart& c);
    Result<void> check_stock(const std::string& sku, std::int64_t quantity);

    db::Database& db_;
    Logger& log_;
    catalog::CatalogApi& catalog_;
    inventory::InventoryApi& inventory_;
    std::int64_t max_line_quantity_;
    std::int64_t abandoned_after_ms_;
    PromotionsPort* promotions_ = nullptr;
};

}  // namespace shop::cart
