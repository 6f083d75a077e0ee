#pragma once
// Stripe behind the provider interface: PaymentIntents confirmed at creation with manual or
// automatic capture, captures, cancels (voids) and refunds, every money-moving call keyed by the
// service's idempotency key. Tokens are Stripe PaymentMethod ids (`pm_…`), made by Stripe.js in the
// customer's browser: no card number ever reaches shop.
#include "provider.hpp"
#include "stripe_client.hpp"

namespace shop::payment {

class StripeProvider final : public PaymentProvider {
public:
    /// `return_url`: where Stripe sends the customer back after 3-D Secure.
    StripeProvider(StripeSettings settings, std::string return_url) : client_(std::move(settings)), return_url_(std::move(return_url)) {}

    std::string_view name() const noexcept override { return "stripe"; }
    bool recognizes(std::string_view payment_method) const override;
    Result<ProviderCharge> authorize(const AuthorizeRequest& req) override;
    Result<ProviderCharge> capture(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) override;
    Result<ProviderCharge> cancel(const std::string& ref, const std::string& idempotency_key) override;
    Result<ProviderRefund> refund(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) override;
    Result<ProviderCharge> status(const std::string& ref) override;

    /// A PaymentIntent (an API answer or a webhook event's object) as the service records charges.
    /// `processing` when Stripe itself has no outcome yet.
    static ProviderCharge charge_of(const StripeIntent& intent);

private:
    StripeClient client_;
    std::string return_url_;
};

}  // namespace shop::payment
