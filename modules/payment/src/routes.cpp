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
         .tag = "payment", .status = 201, .errors = {404, 409}, .cart_token = true, .idempotency_schema = "payment"},
        [&svc](Request& req, PayRequest& b, None&) {
            return unwrap(svc.pay(req.ctx(), b.order_id.value, b.payment_method.value, req.cart_token()));
        });

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
