#pragma once
#include <mutex>

#include "ordering/api.hpp"
#include "payment/api.hpp"
#include "platform/bus.hpp"
#include "platform/log.hpp"
#include "provider.hpp"
#include "sandbox_provider.hpp"
#include "stripe_provider.hpp"
#include "wire.hpp"

namespace shop::db {
class Database;
class Tx;
}

namespace shop::payment {

/// A capture, void or refund recorded `pending`, with what is needed to carry it out.
struct PendingOperation {
    std::string id;  ///< also the provider's idempotency key
    std::string intent_id;
    std::string kind;  ///< capture | void | refund
    std::int64_t amount = 0;
    std::string reason;
    std::string provider;
    std::string provider_ref;
    std::string order_id;
    std::string currency;
    std::int64_t authorized = 0;  ///< the intent's amount
};

class PaymentService final : public PaymentApi {
public:
    /// `capture`: the store's default capture method, `automatic` or `manual` (anything else throws).
    /// `stripe`: the Stripe provider when payment.stripe.secret_key is set, else null;
    /// `stripe_webhook_secret` and `webhook_tolerance_s` check its webhook events.
    PaymentService(db::Database& db, Logger& log, ordering::OrderingApi& ordering, const std::string& capture,
                   std::unique_ptr<StripeProvider> stripe = nullptr, std::string stripe_webhook_secret = {},
                   std::int64_t webhook_tolerance_s = 300);

    std::vector<PaymentSummary> payments_of_order(std::string_view order_id) override;

    /// Tokenizes a test card; the number itself is dropped here.
    Result<CardToken> create_sandbox_token(const Ctx& ctx, const CardTokenRequest& card);
    /// Pays an order with a token: never twice, however often or concurrently it is called. The
    /// intent is written `processing` before the provider is asked, and settled after.
    Result<Payment> pay(const Ctx& ctx, const PayRequest& in, std::string_view cart_token);
    /// The sandbox's 3-D Secure step of a payment in requires_action (its payer or an admin).
    Result<Payment> authenticate(const Ctx& ctx, std::string_view payment_id, bool succeed, std::string_view cart_token);
    /// The customer is back from a remote provider's 3-D Secure page (or a payment is still
    /// `processing`): asks the provider how the payment stands and records it. Settles the same way
    /// a webhook does, whichever comes first; a payment settled already is answered as it is.
    Result<Payment> confirm(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token);
    /// A Stripe webhook event: `signature` (Stripe-Signature) checked over the raw `payload`
    /// (`event` is that payload as parsed by the route), handled once per event id;
    /// payment_intent events settle their payment.
    struct WebhookOutcome {
        bool duplicate = false;
        std::string payment_id;  ///< "" when the event names no payment of ours
    };
    Result<WebhookOutcome> stripe_webhook(const Ctx& ctx, const std::string& payload, std::string_view signature,
                                          const boost::json::object& event);
    /// Captures an authorization (admin): `amount` or all of it; the rest is released. Once.
    Result<Payment> capture(const Ctx& ctx, std::string_view payment_id, std::optional<std::int64_t> amount);
    /// Voids an authorization that was not captured (admin).
    Result<Payment> void_payment(const Ctx& ctx, std::string_view payment_id, const std::string& reason);
    /// Refunds `amount` (or all that is left) of what was captured (admin); never more in total.
    Result<Payment> refund(const Ctx& ctx, std::string_view payment_id, std::optional<std::int64_t> amount, const std::string& reason);
    Result<Payment> get(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token);
    Result<PaymentList> list_for_order(const Ctx& ctx, std::string_view order_id, std::string_view cart_token);
    /// The payments report over a day range, from the read model.
    Result<PaymentReport> report(const ReportQuery& q);

    SandboxProvider& sandbox() { return sandbox_; }
    /// No capture, void or refund is waiting for the provider (tests wait for it).
    bool idle();
    /// Finishes what a crash interrupted: intents left `processing` are authorized again with the
    /// same key (the provider answers its first result), pending operations are carried out.
    int recover();

    // Event-driven steps (each idempotent; provider calls happen after the transaction commits).
    /// Gives back what a payment holds: voids an uncaptured authorization, refunds what is left of a capture.
    void release_in(db::Tx& tx, const std::string& payment_id, const std::string& reason);
    /// release_in for every payment of a cancelled order.
    void release_order_in(db::Tx& tx, const std::string& order_id, const std::string& reason);
    /// A refund ordering asked for: from the order's captured payment, under the request's id;
    /// refund_failed when nothing (or not that much) is left to refund.
    void request_refund_in(db::Tx& tx, const std::string& refund_id, const std::string& order_id, std::int64_t amount,
                           const std::string& reason);
    /// The read model of the payments report, from payment's own events.
    void count_in_report(db::Tx& tx, const bus::EventMeta& meta, const std::string& payment_id, std::int64_t attempts,
                         std::int64_t succeeded, std::int64_t failed, std::int64_t authorized, std::int64_t captured,
                         std::int64_t refunds, std::int64_t refunded);
    /// Payments by provider and status, refunds by status (Prometheus text).
    void collect_metrics(std::string& out);

private:
    PaymentProvider& provider(const std::string& name);
    /// Records a provider's answer for an intent still in `from` (processing, requires_action);
    /// later calls do nothing. Publishes payment_authorized or payment_failed.
    void record_outcome(db::Tx& tx, const std::string& intent_id, const std::string& from, const ProviderCharge& charge);
    /// Writes a pending operation after the checks that keep captures single and refunds within
    /// the capture; the intent's row is written first so concurrent ones run one after another.
    Result<PendingOperation> begin_operation(db::Tx& tx, const std::string& payment_id, const std::string& kind,
                                             std::optional<std::int64_t> amount, const std::string& reason, const std::string& id);
    /// A capture, void or refund an admin asked for: begun (with its audit entry) in one
    /// transaction, then carried out.
    Result<Payment> admin_operation(const Ctx& ctx, std::string_view payment_id, const std::string& kind,
                                    std::optional<std::int64_t> amount, const std::string& reason, const std::string& op_id);
    /// Asks the provider to carry out `op` and records its answer (once, whoever gets there first).
    Result<Payment> carry_out(const Ctx& ctx, const PendingOperation& op);
    /// Carries out every pending operation (after a handler's commit, and at start).
    void run_pending();
    Result<Payment> owned(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token);
    std::optional<Payment> load(const std::string& id);

    /// Records a remote provider's word on an intent still processing or awaiting authentication;
    /// does nothing once it has moved on (webhook and client confirmation race here).
    void settle_remote(db::Tx& tx, const std::string& intent_id, const ProviderCharge& charge);

    db::Database& db_;
    Logger& log_;
    ordering::OrderingApi& ordering_;
    std::string default_capture_;
    SandboxProvider sandbox_;
    std::unique_ptr<StripeProvider> stripe_;
    std::string stripe_webhook_secret_;
    std::int64_t webhook_tolerance_s_;
    std::mutex pending_mu_;
};

}  // namespace shop::payment
