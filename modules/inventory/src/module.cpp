#include "inventory/module.hpp"

#include "inventory_service.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"
#include "platform/periodic.hpp"

namespace shop::inventory {

void register_inventory_routes(http::Router& router, InventoryService& svc);
void subscribe_inventory_handlers(bus::Bus& bus, InventoryService& svc);

namespace {
class Module final : public InventoryModule {
public:
    explicit Module(Deps d)
        : svc_(d.db, d.log, d.catalog, d.config.get_int("inventory.reservation_ttl_s") * 1000),
          sweeper_("inventory.reservation_expiry", std::chrono::milliseconds(d.config.get_int("inventory.sweep_interval_ms")),
                   [this] { svc_.expire_reservations(); }, d.log) {}
    std::string_view name() const noexcept override { return "inventory"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override { register_inventory_routes(r, svc_); }
    void subscribe(bus::Bus& b) override { subscribe_inventory_handlers(b, svc_); }
    void start() override { sweeper_.start(); }
    void stop() override { sweeper_.stop(); }
    InventoryApi& api() override { return svc_; }

private:
    InventoryService svc_;
    PeriodicTask sweeper_;
};
}  // namespace

std::unique_ptr<InventoryModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::inventory
