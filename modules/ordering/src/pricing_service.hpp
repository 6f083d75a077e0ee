#pragma once
// Promotions, shipping methods and tax rates: their administration, and the one pricing path
// (plan() -> domain::price()) that the cart preview, the quote and checkout share.
#include <optional>
#include <set>

#include "cart/api.hpp"
#include "catalog/api.hpp"
#include "domain/pricing.hpp"
#include "platform/log.hpp"
#include "pricing_wire.hpp"

namespace shop::db {
class Database;
class Sql;
class Tx;
}  // namespace shop::db

namespace shop::ordering {

class PricingService final : public cart::PromotionsPort {
public:
    PricingService(db::Database& db, Logger& log, catalog::CatalogApi& catalog, bool prices_include_tax)
        : db_(db), log_(log), catalog_(catalog), prices_include_tax_(prices_include_tax) {}

    cart::DiscountPreview preview(const Ctx& ctx, const std::string& currency, const std::string& coupon_code,
                                  const std::vector<cart::PromotionLine>& lines) override;
    /// The promotion that applies to `lines` now and what it takes off them (before shipping and tax).
    cart::DiscountPreview discount(const std::string& currency, const std::string& coupon_code, const std::vector<domain::PriceLine>& lines,
                                   const std::string& customer_key);
    /// Who per-customer limits count: the account, else the guest's email, else "" (unknown).
    static std::string customer_key(const Ctx& ctx, const std::string& email);

    struct Plan {
        domain::Priced priced;
        std::optional<domain::Promotion> promotion;
        bool prices_include_tax = false;
    };
    /// Prices `lines` for a destination and shipping method. `customer_key` counts per-customer
    /// limits ("" = unknown). Errors: an unusable shipping method (422 naming `shipping_method`),
    /// a coupon that does not apply (409 coupon_unavailable). `exclude`: automatic promotions
    /// found used up while placing the order.
    Result<Plan> plan(db::Sql& sql, const std::string& currency, const std::vector<domain::PriceLine>& lines, const std::string& coupon,
                      const std::string& customer_key, const std::string& method, const std::string& country, const std::string& region,
                      const std::set<std::string>& exclude = {});
    /// In the order's transaction: counts one use of `p` by `customer_key` for `order_id`. False
    /// when a limit was reached meanwhile (the promotion's row is written first, so concurrent
    /// orders carrying it serialize on it on both backends).
    bool take(db::Tx& tx, const domain::Promotion& p, const std::string& order_id, const std::string& customer_key);
    /// Gives back the use an order made (cancelled or expired); idempotent.
    void give_back(db::Tx& tx, const std::string& order_id);

    /// The methods that ship `currency` carts to `country` ("" = anywhere), priced for a cart
    /// whose discounted subtotal is `net` and whose weight is `grams`.
    std::vector<ShippingMethod> methods_for(const std::string& currency, const std::string& country, std::int64_t net, std::int64_t grams,
                                            bool free_shipping);

    PromotionPage list_promotions(const std::string& after, int limit);
    Result<PromotionOut> get_promotion(const std::string& id);
    Result<PromotionOut> create_promotion(const Ctx& ctx, const PromotionRequest& in);
    Result<PromotionOut> patch_promotion(const Ctx& ctx, const std::string& id, const PromotionPatch& in);

    ShippingMethodAdminPage list_shipping_methods();
    Result<ShippingMethodOut> create_shipping_method(const Ctx& ctx, const ShippingMethodRequest& in);
    Result<ShippingMethodOut> patch_shipping_method(const Ctx& ctx, const std::string& code, const ShippingMethodPatch& in);

    TaxRatePage list_tax_rates(const std::string& after, int limit);
    Result<TaxRateOut> create_tax_rate(const Ctx& ctx, const TaxRateRequest& in);
    Result<TaxRateOut> patch_tax_rate(const Ctx& ctx, const std::string& id, const TaxRatePatch& in);

    bool prices_include_tax() const noexcept { return prices_include_tax_; }

private:
    struct Choice {
        std::optional<domain::Promotion> promotion;
        std::string coupon_refusal;
    };
    Result<std::vector<std::string>> known_categories(const api::List<api::Id<"cat">, 0, 100>& ids, const std::string& field);
    Choice choose(db::Sql& sql, const std::string& currency, const std::vector<domain::PriceLine>& lines, const std::string& coupon,
                  const std::string& customer_key, const std::set<std::string>& exclude);

    db::Database& db_;
    Logger& log_;
    catalog::CatalogApi& catalog_;
    bool prices_include_tax_;
};

}  // namespace shop::ordering
