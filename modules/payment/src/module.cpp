#include "payment/module.hpp"

#include "payment_service.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"

namespace shop::payment {

std::span<const db::Migration> embedded_migrations();
void register_payment_routes(http::Router& router, PaymentService& svc);
void subscribe_payment_handlers(bus::Bus& bus, PaymentService& svc);

namespace {
class Module final : public PaymentModule {
public:
    explicit Module(Deps d) : svc_(d.db, d.log, d.ordering, d.config.get_string("payment.capture")) {}
    std::string_view name() const noexcept override { return "payment"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override { register_payment_routes(r, svc_); }
    void subscribe(bus::Bus& b) override { subscribe_payment_handlers(b, svc_); }
    void start() override {
        svc_.sandbox().key();
        svc_.recover();
    }
    PaymentApi& api() override { return svc_; }
    void collect_metrics(std::string& out) override { svc_.collect_metrics(out); }
    bool idle() override { return svc_.idle(); }

private:
    PaymentService svc_;
};
}  // namespace

std::unique_ptr<PaymentModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::payment
