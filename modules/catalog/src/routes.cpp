// Thin HTTP handlers: the typed declarations of catalog's routes -> the service.
#include "catalog_service.hpp"
#include "domain/product_rules.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::catalog {
using namespace shop::http;
using api::None;

namespace {
api::Out<Product> rendered(const Request& req, const Rendered& r) {
    api::Out<Product> out;
    if (req.header("If-None-Match") == r.etag) out.status = 304;
    else out.raw = r.json;
    out.headers.set("ETag", r.etag);
    out.headers.set("Cache-Control", "public, max-age=0, must-revalidate");
    return out;
}
}  // namespace

void register_catalog_routes(Router& router, CatalogService& svc, std::string base_currency) {
    api::add<None, ProductListQuery, ProductPage>(
        router,
        {.method = Method::get, .path = "/api/v1/products", .id = "listProducts", .summary = "Published products, newest first",
         .description = "`category` (id or slug) keeps the products in that category or anywhere below it; `brand` and `collection` "
                        "(id or slug) keep those of the brand or in the collection. Filters combine (all must hold) and stay the same "
                        "across the pages of a cursor: pass them again with `cursor`. A category, brand or collection that does not "
                        "exist is 422 naming the parameter (a filter that matches nothing is an empty page).",
         .tag = "catalog"},
        [&svc, base_currency](Request&, None&, ProductListQuery& q) {
            auto filter = unwrap(svc.taxonomy().product_filter(q.category ? q.category->value : "", q.brand ? q.brand->value : "",
                                                               q.collection ? q.collection->value : ""));
            auto result = svc.list_published(q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20,
                                             q.currency ? q.currency->value : base_currency, filter);
            // Items are pre-rendered JSON of Product: splice them instead of serialising again.
            std::string body = "{\"data\":[";
            for (std::size_t i = 0; i < result.items.size(); ++i) {
                if (i) body.push_back(',');
                body += result.items[i]->json;
            }
            body += "],\"next_cursor\":";
            body += result.next_after.empty() ? "null" : boost::json::serialize(api::of<api::Cursor>(result.next_after).write());
            body += "}";
            auto out = api::Out<ProductPage>::serialized(std::move(body));
            out.headers.set("Cache-Control", "public, max-age=0, must-revalidate");
            return out;
        });

    api::add<None, CurrencyQuery, Product>(
        router,
        {.method = Method::get, .path = "/api/v1/products/{id}", .id = "getProduct", .summary = "A product by id or slug",
         .description = "Drafts and archived products only for their vendor and admins. Answers 304 to a current If-None-Match.",
         .tag = "catalog", .errors = {404}, .reply_headers = {"ETag"}, .not_modified = true},
        [&svc, base_currency](Request& req, None&, CurrencyQuery& q) {
            auto doc = unwrap(svc.find_visible(req.ctx(), std::string(req.param("id"))));
            return rendered(req, *svc.cache().rendered(doc, q.currency ? q.currency->value : base_currency));
        });

    api::add<NewProductRequest, CurrencyQuery, Product>(
        router,
        {.method = Method::post, .path = "/api/v1/products", .id = "createProduct", .summary = "Create a product with variants and prices",
         .description = "A vendor owns the products it creates. A taken slug or SKU is 409. `brand_id` and `category_ids` must "
                        "exist (422 naming `brand_id` or `category_ids[i]`).",
         .tag = "catalog",
         .access = Access::vendor, .status = 201, .errors = {409}, .idempotency_schema = "catalog", .reply_headers = {"Location"}},
        [&svc, base_currency](Request& req, NewProductRequest& b, CurrencyQuery& q) {
            std::vector<FieldError> errors;
            auto input = domain::new_product(b, errors);
            throw_if_invalid(errors);
            auto currency = q.currency ? q.currency->value : base_currency;
            auto created = unwrap(svc.create_product(req.ctx(), input, currency));
            auto doc = unwrap(svc.find_visible(req.ctx(), created.id));
            api::Out<Product> out(product_reply(*doc, currency));
            out.headers.set("Location", "/api/v1/products/" + created.id);
            return out;
        });

    api::add<ProductPatchRequest, CurrencyQuery, Product>(
        router,
        {.method = Method::patch, .path = "/api/v1/products/{id}", .id = "updateProduct",
         .summary = "Change a product's title, slug, description, status, tax class, brand or categories",
         .description = "`brand_id: null` takes the brand away; `category_ids` replaces the product's categories.", .tag = "catalog",
         .access = Access::vendor,
         .errors = {404, 409}},
        [&svc, base_currency](Request& req, ProductPatchRequest& b, CurrencyQuery& q) {
            ProductPatch patch;
            if (b.title) patch.title = b.title->value;
            if (b.slug) {
                if (!domain::is_slug(b.slug->value))
                    throw ErrorException(validation("slug", "must be lower-case letters and digits separated by dashes"));
                patch.slug = b.slug->value;
            }
            if (b.description) patch.description = b.description->value;
            if (b.status) patch.status = b.status->value;
            if (b.tax_class) {
                if (!domain::is_slug(b.tax_class->value))
                    throw ErrorException(validation("tax_class", "must be lower-case letters and digits separated by dashes"));
                patch.tax_class = b.tax_class->value;
            }
            if (b.brand_id) patch.brand_id = b.brand_id->value ? b.brand_id->value->value : "";
            if (b.category_ids) {
                std::vector<FieldError> errors;
                patch.category_ids = domain::category_ids(*b.category_ids, "category_ids", errors);
                throw_if_invalid(errors);
            }
            auto doc = unwrap(svc.update_product(req.ctx(), std::string(req.param("id")), patch));
            return product_reply(*doc, q.currency ? q.currency->value : base_currency);
        });
}

}  // namespace shop::catalog
