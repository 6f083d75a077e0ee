#include "cart/module.hpp"

#include "cart_service.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"

namespace shop::cart {

std::span<const db::Migration> embedded_migrations();
void register_cart_routes(http::Router& router, CartService& svc, std::string base_currency);
void subscribe_cart_handlers(bus::Bus& bus, CartService& svc);

namespace {
class Module final : public CartModule {
public:
    explicit Module(Deps d) : deps_(d), svc_(d.db, d.log, d.catalog, d.inventory) {}
    std::string_view name() const noexcept override { return "cart"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override { register_cart_routes(r, svc_, deps_.config.get_string("base_currency")); }
    void subscribe(bus::Bus& b) override { subscribe_cart_handlers(b, svc_); }
    CartApi& api() override { return svc_; }

private:
    Deps deps_;
    CartService svc_;
};
}  // namespace

std::unique_ptr<CartModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::cart
