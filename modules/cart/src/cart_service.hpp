#pragma once
#include <boost/json/object.hpp>
#include <optional>

#include "cart/api.hpp"
#include "catalog/api.hpp"
#include "inventory/api.hpp"
#include "platform/log.hpp"

namespace shop::db {
class Database;
class Tx;
}

namespace shop::cart {

struct CreatedCart {
    std::string id;
    std::string token;  ///< the guest token, shown once; empty for a customer's cart
};

class CartService final : public CartApi {
public:
    CartService(db::Database& db, Logger& log, catalog::CatalogApi& catalog, inventory::InventoryApi& inventory)
        : db_(db), log_(log), catalog_(catalog), inventory_(inventory) {}

    Result<CheckoutCart> cart_for_checkout(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token) override;

    Result<CreatedCart> create(const Ctx& ctx, const std::string& currency);
    /// The cart with live prices and availability, as the API replies it.
    Result<boost::json::object> view(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token);
    /// Adds `quantity` of `sku` (merging with an existing line).
    Result<void> add_item(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, const std::string& sku,
                          std::int64_t quantity);
    /// Sets a line's quantity; 0 removes it.
    Result<void> set_quantity(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token, const std::string& line_id,
                              std::int64_t quantity);
    /// Marks the cart converted into an order (event handler).
    void mark_converted(db::Tx& tx, const std::string& cart_id, const std::string& order_id);

private:
    Result<CheckoutCart> load_owned(const Ctx& ctx, std::string_view cart_id, std::string_view cart_token);
    Result<void> check_stock(const std::string& sku, std::int64_t quantity);

    db::Database& db_;
    Logger& log_;
    catalog::CatalogApi& catalog_;
    inventory::InventoryApi& inventory_;
};

}  // namespace shop::cart
