// Thin HTTP handlers: parse -> call the service -> map the result.
#include <boost/json.hpp>

#include "cart_service.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::cart {
namespace json = boost::json;
using namespace shop::http;

namespace {
std::string_view token_of(const Request& req) { return req.header("X-Cart-Token"); }
}  // namespace

void register_cart_routes(Router& router, CartService& svc, std::string base_currency) {
    router.add({Method::post, "/api/v1/carts", Access::anyone, "Create a cart (guests receive a token)", "cart", 201},
               [&svc, base_currency](Request& req) {
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
                   auto created = unwrap(svc.create(req.ctx(), currency));
                   auto view = unwrap(svc.view(req.ctx(), created.id, created.token));
                   if (!created.token.empty()) view["token"] = created.token;
                   auto res = Response::json(201, view);
                   res.headers.set("Location", "/api/v1/carts/" + created.id);
                   return res;
               });

    router.add({Method::get, "/api/v1/carts/{id}", Access::anyone, "A cart with live prices and availability", "cart"},
               [&svc](Request& req) { return Response::json(200, unwrap(svc.view(req.ctx(), req.param("id"), token_of(req)))); });

    router.add({Method::post, "/api/v1/carts/{id}/items", Access::anyone, "Add a SKU to a cart", "cart", 201},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto sku = f.required_string("sku", 64);
                   auto quantity = f.required_int("quantity", 1, 999);
                   throw_if_invalid(errors);
                   unwrap(svc.add_item(req.ctx(), req.param("id"), token_of(req), sku, quantity));
                   return Response::json(201, unwrap(svc.view(req.ctx(), req.param("id"), token_of(req))));
               });

    router.add({Method::patch, "/api/v1/carts/{id}/items/{item_id}", Access::anyone, "Change a line's quantity (0 removes it)", "cart"},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto quantity = f.required_int("quantity", 0, 999);
                   throw_if_invalid(errors);
                   unwrap(svc.set_quantity(req.ctx(), req.param("id"), token_of(req), std::string(req.param("item_id")), quantity));
                   return Response::json(200, unwrap(svc.view(req.ctx(), req.param("id"), token_of(req))));
               });

    router.add({Method::delete_, "/api/v1/carts/{id}/items/{item_id}", Access::anyone, "Remove a line", "cart"},
               [&svc](Request& req) {
                   unwrap(svc.set_quantity(req.ctx(), req.param("id"), token_of(req), std::string(req.param("item_id")), 0));
                   return Response::json(200, unwrap(svc.view(req.ctx(), req.param("id"), token_of(req))));
               });
}

}  // namespace shop::cart
