// Thin HTTP handlers: parse -> call the service -> map the result.
#include <boost/json.hpp>

#include "payment_service.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::payment {
namespace json = boost::json;
using namespace shop::http;

void register_payment_routes(Router& router, PaymentService& svc) {
    router.add({Method::post, "/api/v1/payments/sandbox/tokens", Access::anyone,
                "Tokenize a test card (Stripe's test numbers); the number is never stored", "payment", 201, true},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   NewCardToken card;
                   card.number = f.required_string("number", 32);
                   card.exp_month = f.required_int("exp_month", 1, 12);
                   card.exp_year = f.required_int("exp_year", 2000, 2200);
                   card.cvc = f.required_string("cvc", 4);
                   throw_if_invalid(errors);
                   return Response::json(201, unwrap(svc.create_sandbox_token(req.ctx(), card)));
               });

    router.add({.method = Method::post, .pattern = "/api/v1/payments", .access = Access::anyone,
                .summary = "Pay an order (never a double charge)", .tag = "payment", .success_status = 201,
                .idempotency_schema = "payment"},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto order_id = f.required_string("order_id", 64);
                   auto method = f.required_string("payment_method", 512);
                   throw_if_invalid(errors);
                   return Response::json(201, unwrap(svc.pay(req.ctx(), order_id, method, req.cart_token())));
               });

    router.add({Method::get, "/api/v1/payments/{id}", Access::anyone, "A payment (its payer or an admin)", "payment"},
               [&svc](Request& req) { return Response::json(200, unwrap(svc.get(req.ctx(), req.param("id"), req.cart_token()))); });

    router.add({Method::get, "/api/v1/orders/{id}/payments", Access::anyone, "Payments of an order", "payment"},
               [&svc](Request& req) {
                   return Response::json(200, json::object{{"data", unwrap(svc.list_for_order(req.ctx(), req.param("id"), req.cart_token()))},
                                                           {"next_cursor", nullptr}});
               });
}

}  // namespace shop::payment
