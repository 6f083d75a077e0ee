// Thin HTTP handlers: parse -> call the service -> map the result.
#include <boost/json.hpp>

#include "cart_service.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::cart {
namespace json = boost::json;
using namespace shop::http;

void register_cart_routes(Router& router, CartService& svc, std::string base_currency) {
    RouteSpec create{.method = Method::post, .pattern = "/api/v1/carts", .access = Access::anyone,
                     .summary = "Create a cart (guests receive a token)", .tag = "cart", .success_status = 201,
                     .idempotency_schema = "cart"};
    // The guest token is never stored with the reply: a replay issues a new one for the same cart.
    create.replay = [&svc](Request& req, const json::value& stored) {
        json::object view = stored.as_object();
        if (view.at("customer_id").is_null())
            view["token"] = unwrap(svc.reissue_token(req.ctx(), view.at("id").as_string()));
        auto res = Response::json(201, view);
        res.headers.set("Location", "/api/v1/carts/" + std::string(view.at("id").as_string()));
        return res;
    };
    router.add(create, [&svc, base_currency](Request& req) {
                   std::string currency = currency_param(req, base_currency);
                   if (!req.body.empty()) {
                       auto body = json_body(req);
                       std::vector<FieldError> errors;
                       FieldReader f(body, errors);
                       if (auto c = f.optional_string("currency", 3)) {
                           if (!is_currency_code(*c)) f.fail("currency", "must be an ISO 4217 code such as USD");
                           currency = *c;
                       }
                       throw_if_invalid(errors);
                   }
                   std::string token;
                   auto view = unwrap(svc.create(req.ctx(), currency, token));
                   if (!token.empty()) view["token"] = token;
                   auto res = Response::json(201, view);
                   res.headers.set("Location", "/api/v1/carts/" + std::string(view.at("id").as_string()));
                   return res;
               });

    router.add({Method::get, "/api/v1/carts/{id}", Access::anyone, "A cart with live prices and availability", "cart"},
               [&svc](Request& req) { return Response::json(200, unwrap(svc.view(req.ctx(), req.param("id"), req.cart_token()))); });

    router.add({.method = Method::post, .pattern = "/api/v1/carts/{id}/items", .access = Access::anyone,
                .summary = "Add a SKU to a cart", .tag = "cart", .success_status = 201, .idempotency_schema = "cart"},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto sku = f.required_string("sku", 64);
                   auto quantity = f.required_int("quantity", 1, 999);
                   throw_if_invalid(errors);
                   return Response::json(201, unwrap(svc.add_item(req.ctx(), req.param("id"), req.cart_token(), sku, quantity)));
               });

    router.add({Method::patch, "/api/v1/carts/{id}/items/{item_id}", Access::anyone, "Change a line's quantity (0 removes it)", "cart"},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto quantity = f.required_int("quantity", 0, 999);
                   throw_if_invalid(errors);
                   return Response::json(
                       200, unwrap(svc.set_quantity(req.ctx(), req.param("id"), req.cart_token(), std::string(req.param("item_id")), quantity)));
               });

    router.add({Method::delete_, "/api/v1/carts/{id}/items/{item_id}", Access::anyone, "Remove a line", "cart"},
               [&svc](Request& req) {
                   return Response::json(
                       200, unwrap(svc.set_quantity(req.ctx(), req.param("id"), req.cart_token(), std::string(req.param("item_id")), 0)));
               });
}

}  // namespace shop::cart
