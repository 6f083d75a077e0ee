#include "payment/module.hpp"

#include "payment_service.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"

namespace shop::payment {

void register_payment_routes(http::Router& router, PaymentService& svc);
void subscribe_payment_handlers(bus::Bus& bus, PaymentService& svc);

namespace {

/// The Stripe provider when payment.stripe.secret_key is set.
std::unique_ptr<StripeProvider> stripe_of(const Config& cfg) {
    std::string key = cfg.get_string("payment.stripe.secret_key");
    if (key.empty()) return nullptr;
    // The key's prefix and the ranges were checked when the configuration was loaded.
    std::int64_t timeout = cfg.get_int("payment.stripe.timeout_ms");
    std::string public_url = cfg.get_string("public_url");
    while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
    return std::make_unique<StripeProvider>(
        StripeSettings{key, cfg.get_string("payment.stripe.api_base"), std::chrono::milliseconds(timeout)}, public_url + "/checkout/return");
}

class Module final : public PaymentModule {
public:
    explicit Module(Deps d)
        : svc_(d.db, d.log, d.ordering, d.config.get_string("payment.capture"), stripe_of(d.config),
               d.config.get_string("payment.stripe.webhook_secret"), d.config.get_int("payment.stripe.webhook_tolerance_s")) {}
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
