#pragma once
#include <mutex>

#include "domain/cards.hpp"
#include "ordering/api.hpp"
#include "payment/api.hpp"
#include "platform/log.hpp"
#include "wire.hpp"

namespace shop::db {
class Database;
class Tx;
}

namespace shop::payment {

class PaymentService final : public PaymentApi {
public:
    PaymentService(db::Database& db, Logger& log, ordering::OrderingApi& ordering) : db_(db), log_(log), ordering_(ordering) {}

    std::vector<PaymentSummary> payments_of_order(std::string_view order_id) override;

    /// Tokenizes a test card; the number itself is dropped here.
    Result<CardToken> create_sandbox_token(const Ctx& ctx, const CardTokenRequest& card);
    /// Pays an order with a token: never twice, however often or concurrently it is called.
    Result<Payment> pay(const Ctx& ctx, std::string_view order_id, const std::string& token, std::string_view cart_token);
    Result<Payment> get(const Ctx& ctx, std::string_view payment_id, std::string_view cart_token);
    Result<PaymentList> list_for_order(const Ctx& ctx, std::string_view order_id, std::string_view cart_token);
    /// The key sandbox tokens are signed with (made once per database, on first use).
    const std::string& sandbox_key();
    /// Finishes intents a crash left `processing` (the sandbox's answer is deterministic).
    int recover_processing();
    /// Refunds whatever of the payment is not refunded yet (idempotent).
    void refund_in(db::Tx& tx, const std::string& payment_id, const std::string& reason);
    /// Payments by provider and status, money refunded (Prometheus text).
    void collect_metrics(std::string& out);
    /// Refunds every payment that took money for a cancelled order (idempotent).
    void refund_order_in(db::Tx& tx, const std::string& order_id, const std::string& reason);

private:
    /// Records the provider's outcome of a processing intent (once; later calls do nothing) and
    /// publishes payment_authorized or payment_failed.
    void record_outcome(db::Tx& tx, const std::string& intent_id, const domain::SandboxOutcome& outcome);
    std::optional<Payment> load(const std::string& id);

    db::Database& db_;
    Logger& log_;
    ordering::OrderingApi& ordering_;
    std::once_flag key_once_;
    std::string sandbox_key_;
};

}  // namespace shop::payment
