// Thin HTTP handlers: the typed declarations of payment's routes -> the service.
#include "payment_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::payment {
using namespace shop::http;
using api::None;

void register_payment_routes(Router& router, PaymentService& svc) {
    api::add<CardTokenRequest, None, CardToken>(
        router,
        {.method = Method::post, .path = "/api/v1/payments/sandbox/tokens", .id = "createSandboxCardToken",
         .summary = "Tokenize a test card (Stripe's test numbers); the number is never stored",
         .description = "4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds, "
                        "4000 0000 0000 3220 requires action (3-D Secure). The token is self-contained and signed.",
         .tag = "payment", .status = 201, .secret = true},
        [&svc](Request& req, CardTokenRequest& b, None&) { return unwrap(svc.create_sandbox_token(req.ctx(), b)); });

    api::add<PayRequest, None, Payment>(
        router,
        {.method = Method::post, .path = "/api/v1/payments", .id = "createPayment", .summary = "Pay an order (never a double charge)",
         .description = "A declined card answers 201 with `status: failed` and a `failure_code`; the order stays payable until "
                         "its `payable_until`. A payment in flight for the order: 409 `payment_in_progress`; paid already: 409 "
                         "`order_already_paid`.",
         .tag = "payment", .status = 201, .errors = {404, 409}, .cart_token = true, .idempotency_schema = "payment", .blocking = true},
        [&svc](Request& req, PayRequest& b, None&) { return unwrap(svc.pay(req.ctx(), b, req.cart_token())); });

    api::add<AuthenticationRequest, None, Payment>(
        router,
        {.method = Method::post, .path = "/api/v1/payments/{id}/sandbox/3ds", .id = "authenticateSandboxPayment",
         .summary = "The sandbox's 3-D Secure step: the payer passes or fails the card authentication",
         .description = "For a sandbox payment in `requires_action` (the 4000 0000 0000 3220 card), as its `next_action.url` says. "
                         "`succeed`: the payment is authorized (captured with automatic capture, `requires_capture` with manual) "
                         "and the order confirmed; `fail`: the payment fails with `authentication_failed` and the order stays "
                         "payable. Any other status: 409 `invalid_state`.",
         .tag = "payment", .errors = {404, 409}, .cart_token = true, .idempotency_schema = "payment", .blocking = true},
        [&svc](Request& req, AuthenticationRequest& b, None&) {
            return unwrap(svc.authenticate(req.ctx(), req.param("id"), b.result == "succeed", req.cart_token()));
        });

    api::add<CaptureRequest, None, Payment>(
        router,
        {.method = Method::post, .path = "/api/v1/payments/{id}/capture", .id = "capturePayment",
         .summary = "Capture an authorization (admin); partial allowed, the rest is released",
         .description = "Only a payment in `requires_capture`, once: a second capture is 409 `invalid_state` (or "
                         "`operation_in_progress` while the first is under way). `amount` above the authorized amount is 422.",
         .tag = "payment", .access = Access::admin, .errors = {404, 409}, .idempotency_schema = "payment", .blocking = true, .body_optional = true},
        [&svc](Request& req, CaptureRequest& b, None&) {
            return unwrap(svc.capture(req.ctx(), req.param("id"), b.amount ? std::optional(b.amount->value) : std::nullopt));
        });

    api::add<VoidRequest, None, Payment>(
        router,
        {.method = Method::post, .path = "/api/v1/payments/{id}/cancel", .id = "voidPayment",
         .summary = "Void an authorization that was not captured (admin)",
         .description = "A payment in `requires_capture` or `requires_action` becomes `canceled` and nothing is taken; a captured "
                         "one is 409 `invalid_state` (refund it instead).",
         .tag = "payment", .access = Access::admin, .errors = {404, 409}, .idempotency_schema = "payment", .blocking = true, .body_optional = true},
        [&svc](Request& req, VoidRequest& b, None&) {
            return unwrap(svc.void_payment(req.ctx(), req.param("id"), b.reason ? b.reason->value : "voided by the shop"));
        });

    api::add<PaymentRefundRequest, None, Payment>(
        router,
        {.method = Method::post, .path = "/api/v1/payments/{id}/refunds", .id = "refundPayment",
         .summary = "Refund part or all of a captured payment (admin)",
         .description = "`amount` (minor units) or, absent, all that is left; never more than captured in total, concurrent refunds "
                         "included: more is 422 naming `amount`, nothing left 409 `invalid_state`. The reply lists `refunds`.",
         .tag = "payment", .access = Access::admin, .status = 201, .errors = {404, 409}, .idempotency_schema = "payment",
         .blocking = true, .body_optional = true},
        [&svc](Request& req, PaymentRefundRequest& b, None&) {
            return unwrap(svc.refund(req.ctx(), req.param("id"), b.amount ? std::optional(b.amount->value) : std::nullopt,
                                     b.reason ? b.reason->value : "refunded by the shop"));
        });

    api::add<None, None, Payment>(
        router,
        {.method = Method::post, .path = "/api/v1/payments/{id}/confirm", .id = "confirmPayment",
         .summary = "Back from the provider's 3-D Secure page: settle the payment from the provider's word",
         .description = "For a Stripe payment in `requires_action` (after the customer followed `next_action.url`) or still "
                         "`processing`: shop asks Stripe how the payment stands and records it, exactly as the webhook would "
                         "(whichever comes first settles it; the other changes nothing). A payment already settled is answered "
                         "as it is. A sandbox payment is completed at its own `next_action.url`: 409 `invalid_state`.",
         .tag = "payment", .errors = {404, 409, 503}, .cart_token = true, .blocking = true},
        [&svc](Request& req, None&, None&) { return unwrap(svc.confirm(req.ctx(), req.param("id"), req.cart_token())); });

    api::add<StripeEvent, None, WebhookAck>(
        router,
        {.method = Method::post, .path = "/api/v1/webhooks/stripe", .id = "receiveStripeWebhook",
         .summary = "Stripe's webhook: payment_intent events settle their payment",
         .description = "Called by Stripe, not by clients. `Stripe-Signature` is verified (HMAC-SHA256 of `t.payload` with "
                         "`payment.stripe.webhook_secret`, any of several `v1` values, at most `payment.stripe.webhook_tolerance_s` "
                         "old): missing, tampered or stale → 422 naming `Stripe-Signature`. Each event id is handled once; a "
                         "repeated delivery is acknowledged with `duplicate: true` and does nothing. 404 when Stripe is not "
                         "configured.",
         .tag = "payment", .errors = {404}},
        [&svc](Request& req, StripeEvent& event, None&) {
            auto r = unwrap(svc.stripe_webhook(req.ctx(), req.body, req.header("Stripe-Signature"), event.value.get_object()));
            return WebhookAck{true, r.duplicate};
        });

    api::add<None, ReportQuery, PaymentReport>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/reports/payments", .id = "getPaymentReport",
         .summary = "Payments by day and provider: attempts, success rate, volume, refunds",
         .description = "`from` and `to` (YYYY-MM-DD, UTC, both included; default the last 30 days). Kept by payment from its own "
                         "events: an authorization attempt counts when it is answered (authorized or failed); `volume` is what "
                         "was captured; refunds count when they went through.",
         .tag = "payment", .access = Access::admin},
        [&svc](Request&, None&, ReportQuery& q) { return unwrap(svc.report(q)); });

    api::add<None, None, Payment>(router,
                                  {.method = Method::get, .path = "/api/v1/payments/{id}", .id = "getPayment",
                                   .summary = "A payment (its payer or an admin)", .tag = "payment", .errors = {404}, .cart_token = true},
                                  [&svc](Request& req, None&, None&) { return unwrap(svc.get(req.ctx(), req.param("id"), req.cart_token())); });

    api::add<None, None, PaymentList>(router,
                                      {.method = Method::get, .path = "/api/v1/orders/{id}/payments", .id = "listOrderPayments",
                                       .summary = "Payments of an order", .tag = "payment", .errors = {404}, .cart_token = true},
                                      [&svc](Request& req, None&, None&) {
                                          return unwrap(svc.list_for_order(req.ctx(), req.param("id"), req.cart_token()));
                                      });
}

}  // namespace shop::payment
