// Thin HTTP handlers: parse -> call the service -> map the result.
#include <boost/json.hpp>

#include "domain/order_rules.hpp"
#include "ordering_service.hpp"
#include "platform/email.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::ordering {
namespace json = boost::json;
using namespace shop::http;

void register_ordering_routes(Router& router, OrderingService& svc, std::string base_currency) {
    router.add({.method = Method::post, .pattern = "/api/v1/checkout", .access = Access::anyone,
                .summary = "Place an order from a cart: re-prices, reserves stock, creates the order pending_payment",
                .tag = "ordering", .success_status = 201, .idempotency_schema = "ordering"},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   CheckoutInput in;
                   in.cart_id = f.required_string("cart_id", 64);
                   if (auto e = f.optional_string("email", 254)) {
                       if (auto normal = normalize_email(*e)) in.email = *normal;
                       else f.fail("email", "is not a valid email address");
                   }
                   if (auto* a = f.required_object("shipping_address")) in.shipping_address = domain::read_address(*a, "shipping_address", errors);
                   if (auto* a = f.optional_object("billing_address")) in.billing_address = domain::read_address(*a, "billing_address", errors);
                   in.shipping_method = f.required_string("shipping_method", 64);
                   throw_if_invalid(errors);
                   auto order = unwrap(svc.checkout(req.ctx(), in, req.cart_token()));
                   auto res = Response::json(201, order);
                   res.headers.set("Location", "/api/v1/orders/" + std::string(order.at("id").as_string()));
                   return res;
               });

    router.add({Method::get, "/api/v1/checkout/shipping-methods", Access::anyone, "Shipping methods and their prices", "ordering"},
               [&svc, base_currency](Request& req) {
                   return Response::json(200, json::object{{"data", svc.shipping_methods(currency_param(req, base_currency))},
                                                           {"next_cursor", nullptr}});
               });

    router.add({.method = Method::get, .pattern = "/api/v1/orders", .access = Access::user, .summary = "My orders (admins: all, filter by status)", .tag = "ordering", .blocking = true},
               [&svc](Request& req) {
                   auto page = page_params(req);
                   auto status = req.query_param("status").value_or("");
                   return Response::json(200, svc.list_orders(req.ctx(), page.after, page.limit, status));
               });

    router.add({Method::get, "/api/v1/orders/{id}", Access::anyone, "An order (its customer, its guest, or an admin)", "ordering"},
               [&svc](Request& req) { return Response::json(200, unwrap(svc.get_order(req.ctx(), req.param("id"), req.cart_token()))); });

    router.add({Method::get, "/api/v1/orders/{id}/history", Access::anyone, "Status history of an order", "ordering"},
               [&svc](Request& req) { return Response::json(200, unwrap(svc.history(req.ctx(), req.param("id"), req.cart_token()))); });
}

}  // namespace shop::ordering
