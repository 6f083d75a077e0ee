#include "cart/module.hpp"

#include "cart_service.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"
#include "platform/periodic.hpp"

namespace shop::cart {

void register_cart_routes(http::Router& router, CartService& svc, std::string base_currency);
void subscribe_cart_handlers(bus::Bus& bus, CartService& svc);

namespace {
class Module final : public CartModule {
public:
    explicit Module(Deps d)
        : deps_(d),
          svc_(d.db, d.log, d.catalog, d.inventory, d.config.get_int("cart.max_line_quantity"), d.config.get_int("cart.abandoned_after_s") * 1000),
          sweeper_("cart.abandoned_expiry", std::chrono::seconds(std::max<std::int64_t>(1, d.config.get_int("cart.sweep_interval_s"))),
                   [this] { svc_.expire_abandoned(); }, d.log) {}
    std::string_view name() const noexcept override { return "cart"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override { register_cart_routes(r, svc_, deps_.config.get_string("base_currency")); }
    void subscribe(bus::Bus& b) override { subscribe_cart_handlers(b, svc_); }
    CartApi& api() override { return svc_; }
    void use_promotions(PromotionsPort& p) override { svc_.use_promotions(p); }
    void start() override {
        if (deps_.config.get_int("cart.abandoned_after_s") > 0) sweeper_.start();
    }
    void stop() override { sweeper_.stop(); }

private:
    Deps deps_;
    CartService svc_;
    PeriodicTask sweeper_;
};
}  // namespace

std::unique_ptr<CartModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::cart
