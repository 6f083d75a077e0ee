#include "ordering/module.hpp"

#include "ordering_service.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"
#include "platform/periodic.hpp"

namespace shop::ordering {

void register_ordering_routes(http::Router& router, OrderingService& svc);
void register_pricing_routes(http::Router& router, PricingService& svc);
void subscribe_ordering_handlers(bus::Bus& bus, OrderingService& svc);

namespace {
class Module final : public OrderingModule {
public:
    explicit Module(Deps d)
        : deps_(d),
          pricing_(d.db, d.log, d.catalog, d.config.get_bool("tax.prices_include_tax")),
          svc_(d.db, d.log, d.catalog, d.cart, d.inventory, pricing_, d.payment_window_ms),
          orphans_("ordering.orphaned_reservations",
                   std::chrono::seconds(std::max<std::int64_t>(1, d.config.get_int("ordering.orphan_sweep_interval_s"))),
                   [this] { svc_.release_orphaned_reservations(kOrphanGraceMs); }, d.log) {}
    void start() override {
        svc_.release_orphaned_reservations(kOrphanGraceMs);  // what a crash left behind, before serving
        orphans_.start();
    }
    void stop() override { orphans_.stop(); }
    std::string_view name() const noexcept override { return "ordering"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override {
        register_ordering_routes(r, svc_);
        register_pricing_routes(r, pricing_);
    }
    void subscribe(bus::Bus& b) override { subscribe_ordering_handlers(b, svc_); }
    OrderingApi& api() override { return svc_; }
    void collect_metrics(std::string& out) override { svc_.collect_metrics(out); }
    cart::PromotionsPort& promotions() override { return pricing_; }

private:
    /// A checkout writes its order milliseconds after reserving; this is far beyond that.
    static constexpr std::int64_t kOrphanGraceMs = 30'000;
    Deps deps_;
    PricingService pricing_;
    OrderingService svc_;
    PeriodicTask orphans_;
};
}  // namespace

std::unique_ptr<OrderingModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::ordering
