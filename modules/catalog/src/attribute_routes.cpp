// Thin HTTP handlers of the store's attribute definitions.
#include "catalog_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::catalog {
using namespace shop::http;
using api::None;

void register_attribute_routes(Router& router, CatalogService& svc) {
    api::add<None, None, AttributeList>(
        router,
        {.method = Method::get, .path = "/api/v1/attributes", .id = "listAttributes", .summary = "The store's product attributes",
         .description = "Attributes are defined once for the whole store; any product may carry a value of any of them. Filter the "
                        "product list with `attr.<code>=v[,v...]` (any of the values; a number exactly), and for numbers "
                        "`attr.<code>.min=n` / `attr.<code>.max=n` (inclusive).",
         .tag = "catalog"},
        [&svc](Request&, None&, None&) {
            AttributeList out;
            for (auto& d : svc.attributes().all()) out.data.push_back(attribute_reply(d));
            return out;
        });

    api::add<AttributeRequest, None, Attribute>(
        router,
        {.method = Method::post, .path = "/api/v1/attributes", .id = "createAttribute", .summary = "Define an attribute",
         .description = "`type` text, number, boolean or option (then `options` lists the allowed values, none holding ','). "
                        "A taken code is 409 code_taken.",
         .tag = "catalog", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "catalog"},
        [&svc](Request& req, AttributeRequest& b, None&) { return unwrap(svc.attributes().create(req.ctx(), b)); });

    api::add<AttributePatchRequest, None, Attribute>(
        router,
        {.method = Method::patch, .path = "/api/v1/attributes/{id}", .id = "updateAttribute",
         .summary = "Rename an attribute or change its options",
         .description = "An option that products hold cannot be dropped (409 in_use).", .tag = "catalog", .access = Access::admin,
         .errors = {404, 409}},
        [&svc](Request& req, AttributePatchRequest& b, None&) {
            return unwrap(svc.attributes().update(req.ctx(), std::string(req.param("id")), b));
        });

    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/attributes/{id}", .id = "deleteAttribute", .summary = "Delete an attribute",
         .description = "Refused (409 in_use) while a product holds a value of it.", .tag = "catalog", .access = Access::admin,
         .status = 204, .errors = {404, 409}},
        [&svc](Request& req, None&, None&) { unwrap(svc.attributes().remove(req.ctx(), std::string(req.param("id")))); });
}

}  // namespace shop::catalog
