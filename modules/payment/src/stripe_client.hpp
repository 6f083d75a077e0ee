#pragma once
// A small client of the Stripe API endpoints the payment module uses (PaymentIntents and Refunds),
// over libcurl. Blocking: call it from a blocking route or a bus handler, never an I/O thread.
// Every mutating call carries an Idempotency-Key so a retry after a crash or timeout cannot charge,
// capture or refund twice (Stripe keeps keys for 24 hours).
#include <chrono>
#include <cstdint>
#include <map>
#include <boost/json/object.hpp>
#include <optional>
#include <string>

namespace shop::payment {

struct StripeSettings {
    std::string secret_key;                        ///< sk_test_… / sk_live_… (environment only, never logged)
    std::string api_base = "https://api.stripe.com";  ///< a local fake in tests
    std::chrono::milliseconds timeout{15000};
};

/// What the module needs of a PaymentIntent.
struct StripeIntent {
    std::string id;      ///< pi_…
    std::string status;  ///< requires_payment_method | requires_confirmation | requires_action | processing |
                         ///< requires_capture | succeeded | canceled
    std::int64_t amount = 0;
    std::int64_t amount_received = 0;    ///< captured
    std::int64_t amount_capturable = 0;  ///< authorized, not yet captured
    std::string currency;                ///< lower case, as Stripe writes it
    std::string next_action_url;         ///< where the buyer completes 3-D Secure (requires_action)
    std::string failure_code;            ///< last_payment_error: decline_code, else code
    std::string failure_message;
    std::string card_brand;
    std::string card_last4;
    std::map<std::string, std::string> metadata;
};

struct StripeRefund {
    std::string id;      ///< re_…
    std::string status;  ///< pending | succeeded | failed | canceled | requires_action
    std::int64_t amount = 0;
};

/// Why a call failed. `network` when no answer came (timeout, refused): the outcome is then unknown
/// and the same call with the same Idempotency-Key is the way to learn it.
struct StripeError {
    bool network = false;
    long http_status = 0;
    std::string type;  ///< card_error | invalid_request_error | api_error | idempotency_error | …
    std::string code;
    std::string message;
    std::optional<StripeIntent> intent;  ///< a card_error on confirm carries the intent as it now is
};

template <class T>
struct StripeResult {
    std::optional<T> value;
    StripeError error;
    explicit operator bool() const { return value.has_value(); }
};

class StripeClient {
public:
    explicit StripeClient(StripeSettings settings);

    struct CreateIntent {
        std::int64_t amount = 0;
        std::string currency;  ///< ISO 4217, any case
        std::string payment_method;
        bool manual_capture = false;
        std::string return_url;  ///< where 3-D Secure sends the buyer back
        std::map<std::string, std::string> metadata;
        std::string idempotency_key;
    };
    /// Creates and confirms a PaymentIntent in one call.
    StripeResult<StripeIntent> create_intent(const CreateIntent& in);
    StripeResult<StripeIntent> retrieve_intent(const std::string& id);
    /// Captures `amount` (nullopt: all that is capturable); the rest of the authorization is released.
    StripeResult<StripeIntent> capture_intent(const std::string& id, std::optional<std::int64_t> amount, const std::string& idempotency_key);
    StripeResult<StripeIntent> cancel_intent(const std::string& id, const std::string& idempotency_key);
    StripeResult<StripeRefund> create_refund(const std::string& intent_id, std::int64_t amount, const std::string& idempotency_key);

    const StripeSettings& settings() const { return settings_; }

private:
    struct Reply {
        bool sent = false;
        long status = 0;
        std::string body;
        std::string transport_error;
    };
    Reply call(const char* method, const std::string& path, const std::string& form, const std::string& idempotency_key);

    StripeSettings settings_;
};

/// `application/x-www-form-urlencoded` as Stripe expects it, nested keys written `metadata[order_id]`.
std::string stripe_form(const std::map<std::string, std::string>& fields);

/// Reads a PaymentIntent object (an API answer, or a webhook event's data.object); nullopt if it is not one.
std::optional<StripeIntent> parse_stripe_intent(const boost::json::object& o);

}  // namespace shop::payment
