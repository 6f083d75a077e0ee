// Thin HTTP handlers: parse -> call the service -> map the result.
#include <boost/json.hpp>

#include "catalog_service.hpp"
#include "domain/product_rules.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::catalog {
namespace json = boost::json;
using namespace shop::http;

namespace {
Response rendered_response(const Request& req, const Rendered& r, int status = 200) {
    Response res;
    if (req.header("If-None-Match") == r.etag) {
        res.status = 304;
    } else {
        res.status = status;
        res.headers.set("Content-Type", "application/json");
        res.body = r.json;
    }
    res.headers.set("ETag", r.etag);
    res.headers.set("Cache-Control", "public, max-age=0, must-revalidate");
    return res;
}
}  // namespace

void register_catalog_routes(Router& router, CatalogService& svc, std::string base_currency) {
    router.add({Method::get, "/api/v1/products", Access::anyone, "Published products, newest first (cursor pagination)", "catalog"},
               [&svc, base_currency](Request& req) {
                   auto page = page_params(req);
                   auto currency = currency_param(req, base_currency);
                   auto result = svc.list_published(page.after, page.limit, currency);
                   // Items are pre-rendered JSON: splice them instead of re-serialising.
                   std::string body = "{\"data\":[";
                   for (std::size_t i = 0; i < result.items.size(); ++i) {
                       if (i) body.push_back(',');
                       body += result.items[i]->json;
                   }
                   body += "],\"next_cursor\":";
                   body += result.next_after.empty() ? "null" : json::serialize(json::value(encode_cursor(result.next_after)));
                   body += "}";
                   auto res = Response::text(200, std::move(body), "application/json");
                   res.headers.set("Cache-Control", "public, max-age=0, must-revalidate");
                   return res;
               });

    router.add({Method::get, "/api/v1/products/{id}", Access::anyone, "A product by id or slug (ETag, If-None-Match)", "catalog"},
               [&svc, base_currency](Request& req) {
                   auto currency = currency_param(req, base_currency);
                   auto doc = unwrap(svc.find_visible(req.ctx(), std::string(req.param("id"))));
                   return rendered_response(req, *svc.cache().rendered(doc, currency));
               });

    router.add({.method = Method::post, .pattern = "/api/v1/products", .access = Access::vendor,
                .summary = "Create a product with variants and prices", .tag = "catalog", .success_status = 201,
                .idempotency_schema = "catalog"},
               [&svc, base_currency](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   auto input = domain::read_new_product(body, errors);
                   throw_if_invalid(errors);
                   auto currency = currency_param(req, base_currency);
                   auto created = unwrap(svc.create_product(req.ctx(), input, currency));
                   auto doc = unwrap(svc.find_visible(req.ctx(), created.id));
                   auto res = Response::json(201, product_json(*doc, currency));
                   res.headers.set("Location", "/api/v1/products/" + created.id);
                   return res;
               });

    router.add({Method::patch, "/api/v1/products/{id}", Access::vendor, "Change a product's title, slug, description or status", "catalog"},
               [&svc, base_currency](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   ProductPatch patch;
                   patch.title = f.optional_string("title", 200);
                   patch.slug = f.optional_string("slug", 120);
                   if (patch.slug && !domain::is_slug(*patch.slug)) f.fail("slug", "must be lower-case letters and digits separated by dashes");
                   patch.description = f.optional_string("description", 20000);
                   if (body.contains("status")) patch.status = f.one_of("status", {"draft", "published", "archived"}, "draft");
                   throw_if_invalid(errors);
                   auto doc = unwrap(svc.update_product(req.ctx(), std::string(req.param("id")), patch));
                   return Response::json(200, product_json(*doc, currency_param(req, base_currency)));
               });
}

}  // namespace shop::catalog
