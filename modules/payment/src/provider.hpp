#pragma once
// The face every payment provider adapter shows the payment service: the built-in sandbox today,
// and the Stripe adapter (PaymentIntents with manual or automatic capture) beside it. Every call
// that moves money carries an idempotency key minted and recorded by the service before the
// call, so repeating a call after a crash answers the first call's result and moves nothing again.
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace shop::payment {

/// What the provider holds about one charge after a call.
struct ProviderCharge {
    std::string ref;     ///< the provider's id of the charge (Stripe: the PaymentIntent id)
    std::string status;  ///< requires_action | requires_capture | succeeded | failed | canceled
    std::int64_t amount_captured = 0;
    std::int64_t amount_refunded = 0;
    std::string failure_code;  ///< failed: card_declined, insufficient_funds, authentication_failed
    std::string failure_message;
    std::string card_brand;       ///< as the provider reports the card (empty: unknown, keep what is known)
    std::string card_last4;
    std::string next_action_url;  ///< requires_action at a remote provider: where the customer authenticates
};

/// The provider's answer to a refund.
struct ProviderRefund {
    bool succeeded = false;
    std::string failure_code;  ///< when not succeeded
};

struct AuthorizeRequest {
    std::string idempotency_key;  ///< the intent id
    std::int64_t amount = 0;
    std::string currency;
    std::string payment_method;  ///< the provider's token
    bool capture = true;          ///< false: authorize only, capture later
};

/// A payment provider. Implementations are thread-safe; each money-moving call is idempotent by
/// its key. A refusal the caller made (a state the charge is not in) is an Error; a refusal of the
/// card or bank is a result (status failed, or a refund not succeeded). An Error with
/// shop::errc::unavailable means no answer came (timeout, network): the outcome is unknown, and the
/// same call with the same key later learns it.
class PaymentProvider {
public:
    virtual ~PaymentProvider() = default;
    virtual std::string_view name() const noexcept = 0;
    /// Whether `payment_method` is a token of this provider (its format), before any call.
    virtual bool recognizes(std::string_view payment_method) const = 0;
    /// Authorizes (and with `capture`, captures) the amount: requires_action (the customer must
    /// authenticate), requires_capture, succeeded or failed.
    virtual Result<ProviderCharge> authorize(const AuthorizeRequest& req) = 0;
    /// Captures `amount` (at most the authorized amount) of an authorization; the rest is released.
    virtual Result<ProviderCharge> capture(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) = 0;
    /// Cancels an authorization that was not captured (a void): nothing is taken.
    virtual Result<ProviderCharge> cancel(const std::string& ref, const std::string& idempotency_key) = 0;
    /// Gives `amount` of what was captured back.
    virtual Result<ProviderRefund> refund(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) = 0;
    /// The charge as the provider holds it now (after the customer's authentication, say).
    virtual Result<ProviderCharge> status(const std::string& ref) = 0;
};

}  // namespace shop::payment
