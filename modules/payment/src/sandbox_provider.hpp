#pragma once
// The built-in sandbox provider: Stripe's test card numbers decide the outcome. It keeps its own
// books (payment.sandbox_charges, payment.sandbox_operations) written in transactions of their
// own, as a remote provider's side would be: what it did survives a crash of the caller.
#include <mutex>

#include "provider.hpp"

namespace shop::db {
class Database;
}

namespace shop::payment {

class SandboxProvider final : public PaymentProvider {
public:
    explicit SandboxProvider(db::Database& db) : db_(db) {}

    std::string_view name() const noexcept override { return "sandbox"; }
    bool recognizes(std::string_view payment_method) const override;
    Result<ProviderCharge> authorize(const AuthorizeRequest& req) override;
    Result<ProviderCharge> capture(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) override;
    Result<ProviderCharge> cancel(const std::string& ref, const std::string& idempotency_key) override;
    Result<ProviderRefund> refund(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) override;
    Result<ProviderCharge> status(const std::string& ref) override;

    /// The sandbox's stand-in for the bank's 3-D Secure page: the customer passes (`succeed`) or
    /// fails the authentication of a charge in requires_action.
    Result<ProviderCharge> complete_authentication(const std::string& ref, bool succeed);
    /// The key sandbox tokens are signed with (made once per database, on first use).
    const std::string& key();

private:
    db::Database& db_;
    std::once_flag key_once_;
    std::string key_;
};

}  // namespace shop::payment
