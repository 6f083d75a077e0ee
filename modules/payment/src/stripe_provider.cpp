#include "stripe_provider.hpp"

#include <fmt/format.h>

#include "payment/errors.hpp"

namespace shop::payment {

namespace {

/// No answer (the outcome is unknown: retry with the same key), or an answer refusing the call.
Error error_of(const StripeError& e, std::string_view what) {
    if (e.network || e.http_status >= 500 || e.http_status == 429)
        return Error(shop::errc::unavailable, fmt::format("Stripe did not answer the {}: {}", what, e.message));
    if (e.http_status == 401 || e.http_status == 403)
        return Error(shop::errc::unavailable, fmt::format("Stripe refused shop's credentials for the {} (payment.stripe.secret_key)", what));
    return Error(errc::provider_declined, fmt::format("Stripe refused the {}: {} ({})", what, e.message, e.code.empty() ? e.type : e.code));
}

Result<ProviderCharge> charge_result(const StripeResult<StripeIntent>& r, std::string_view what) {
    if (r) {
        auto c = StripeProvider::charge_of(*r.value);
        if (c.status == "processing") return Error(shop::errc::unavailable, "Stripe is still processing the payment");
        return c;
    }
    return error_of(r.error, what);
}

}  // namespace

ProviderCharge StripeProvider::charge_of(const StripeIntent& i) {
    ProviderCharge c;
    c.ref = i.id;
    c.amount_captured = i.amount_received;
    c.card_brand = i.card_brand;
    c.card_last4 = i.card_last4;
    if (i.status == "succeeded" || i.status == "requires_capture" || i.status == "canceled") {
        c.status = i.status;
    } else if (i.status == "requires_action") {
        c.status = "requires_action";
        c.next_action_url = i.next_action_url;
    } else if (i.status == "requires_payment_method" && !i.failure_code.empty()) {
        // Declined (or authentication failed): Stripe puts the intent back to await another method.
        c.status = "failed";
        c.failure_code = i.failure_code == "payment_intent_authentication_failure" ? "authentication_failed" : i.failure_code;
        c.failure_message = i.failure_message;
    } else {
        c.status = "processing";  // processing, requires_confirmation: no outcome yet
    }
    return c;
}

bool StripeProvider::recognizes(std::string_view payment_method) const {
    return payment_method.starts_with("pm_") && payment_method.size() > 3 && payment_method.size() <= 255;
}

Result<ProviderCharge> StripeProvider::authorize(const AuthorizeRequest& req) {
    StripeClient::CreateIntent in;
    in.amount = req.amount;
    in.currency = req.currency;
    in.payment_method = req.payment_method;
    in.manual_capture = !req.capture;
    in.return_url = return_url_;
    in.metadata = {{"payment_id", req.idempotency_key}};
    in.idempotency_key = req.idempotency_key;
    auto r = client_.create_intent(in);
    // A decline is Stripe's answer, not a failed call: the intent it returns says so.
    if (!r && r.error.type == "card_error" && r.error.intent) {
        auto c = charge_of(*r.error.intent);
        if (c.status != "failed") {
            c.status = "failed";
            c.failure_code = r.error.code;
            c.failure_message = r.error.message;
        }
        return c;
    }
    if (!r && r.error.type == "invalid_request_error" && r.error.http_status == 400)
        return ProviderCharge{"", "failed", 0, 0, r.error.code.empty() ? "invalid_payment_method" : r.error.code, r.error.message};
    return charge_result(r, "payment");
}

Result<ProviderCharge> StripeProvider::capture(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) {
    return charge_result(client_.capture_intent(ref, amount, idempotency_key), "capture");
}

Result<ProviderCharge> StripeProvider::cancel(const std::string& ref, const std::string& idempotency_key) {
    return charge_result(client_.cancel_intent(ref, idempotency_key), "void");
}

Result<ProviderRefund> StripeProvider::refund(const std::string& ref, std::int64_t amount, const std::string& idempotency_key) {
    auto r = client_.create_refund(ref, amount, idempotency_key);
    if (!r) {
        if (r.error.network || r.error.http_status >= 500 || r.error.http_status == 429) return error_of(r.error, "refund");
        return ProviderRefund{false, r.error.code.empty() ? r.error.type : r.error.code};
    }
    // `pending` is accepted by Stripe and settles without us (bank transfers); card refunds succeed at once.
    bool ok = r.value->status == "succeeded" || r.value->status == "pending";
    return ProviderRefund{ok, ok ? "" : r.value->status};
}

Result<ProviderCharge> StripeProvider::status(const std::string& ref) {
    auto r = client_.retrieve_intent(ref);
    if (r) return charge_of(*r.value);
    return error_of(r.error, "status request");
}

}  // namespace shop::payment
