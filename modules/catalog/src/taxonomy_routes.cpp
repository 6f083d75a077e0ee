// Thin HTTP handlers for categories, brands and collections: typed declarations -> the service.
#include "catalog_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"
#include "taxonomy_wire.hpp"

namespace shop::catalog {
using namespace shop::http;
using api::None;

void register_taxonomy_routes(Router& router, CatalogService& svc, std::string base_currency) {
    auto& tax = svc.taxonomy();

    // ---- categories ----
    api::add<None, None, CategoryTreeReply>(
        router,
        {.method = Method::get, .path = "/api/v1/categories", .id = "listCategories", .summary = "Every category, as a tree",
         .description = "`data` holds the roots; each node has its `children` (by `position`, then name) and its `path` (slugs from "
                        "the root). The tree is small and not paginated.",
         .tag = "catalog"},
        [&tax](Request&, None&, None&) { return tax.category_tree(); });
    api::add<None, None, CategoryDetail>(
        router,
        {.method = Method::get, .path = "/api/v1/categories/{id}", .id = "getCategory",
         .summary = "A category by id or slug, with its subtree and its ancestors (breadcrumb)", .tag = "catalog", .errors = {404}},
        [&tax](Request& req, None&, None&) { return unwrap(tax.category(std::string(req.param("id")))); });
    api::add<CategoryRequest, None, CategoryDetail>(
        router,
        {.method = Method::post, .path = "/api/v1/categories", .id = "createCategory", .summary = "Create a category",
         .description = "Under `parent_id` (absent or null: a root), at `position` among its siblings (default: after the last). "
                        "Slugs are unique among categories: a taken one is 409. An unknown parent is 422 naming `parent_id`.",
         .tag = "catalog", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "catalog",
         .reply_headers = {"Location"}},
        [&tax](Request& req, CategoryRequest& b, None&) {
            api::Out<CategoryDetail> out(unwrap(tax.create_category(req.ctx(), b)));
            out.headers.set("Location", "/api/v1/categories/" + out.body.id.value);
            return out;
        });
    api::add<CategoryPatchRequest, None, CategoryDetail>(
        router,
        {.method = Method::patch, .path = "/api/v1/categories/{id}", .id = "updateCategory",
         .summary = "Rename, reslug, reposition or move a category",
         .description = "A new `parent_id` moves the category with its whole subtree (null: to the top); the paths below it follow. "
                        "Moving it under itself or one of its descendants is 422 naming `parent_id`. Moved without a `position`, it "
                        "goes after the new parent's last child.",
         .tag = "catalog", .access = Access::admin, .errors = {404, 409}},
        [&tax](Request& req, CategoryPatchRequest& b, None&) { return unwrap(tax.update_category(req.ctx(), std::string(req.param("id")), b)); });
    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/categories/{id}", .id = "deleteCategory", .summary = "Delete a category",
         .description = "Only an empty one: while it has subcategories or products it is 409.", .tag = "catalog", .access = Access::admin,
         .status = 204, .errors = {404, 409}},
        [&tax](Request& req, None&, None&) { unwrap(tax.delete_category(req.ctx(), std::string(req.param("id")))); });

    // ---- brands ----
    api::add<None, PageQuery, BrandPage>(
        router,
        {.method = Method::get, .path = "/api/v1/brands", .id = "listBrands", .summary = "Brands, newest first", .tag = "catalog"},
        [&tax](Request&, None&, PageQuery& q) {
            return tax.list_brands(q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20);
        });
    api::add<BrandRequest, None, BrandRef>(
        router,
        {.method = Method::post, .path = "/api/v1/brands", .id = "createBrand", .summary = "Create a brand",
         .description = "Slugs are unique among brands: a taken one is 409.", .tag = "catalog", .access = Access::admin, .status = 201,
         .errors = {409}, .idempotency_schema = "catalog"},
        [&tax](Request& req, BrandRequest& b, None&) { return unwrap(tax.create_brand(req.ctx(), b)); });
    api::add<BrandPatchRequest, None, BrandRef>(
        router,
        {.method = Method::patch, .path = "/api/v1/brands/{id}", .id = "updateBrand", .summary = "Rename or reslug a brand",
         .tag = "catalog", .access = Access::admin, .errors = {404, 409}},
        [&tax](Request& req, BrandPatchRequest& b, None&) { return unwrap(tax.update_brand(req.ctx(), std::string(req.param("id")), b)); });
    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/brands/{id}", .id = "deleteBrand", .summary = "Delete a brand",
         .description = "While products carry it, 409.", .tag = "catalog", .access = Access::admin, .status = 204, .errors = {404, 409}},
        [&tax](Request& req, None&, None&) { unwrap(tax.delete_brand(req.ctx(), std::string(req.param("id")))); });

    // ---- collections ----
    api::add<None, PageQuery, CollectionPage>(
        router,
        {.method = Method::get, .path = "/api/v1/collections", .id = "listCollections", .summary = "Collections, newest first",
         .tag = "catalog"},
        [&tax](Request&, None&, PageQuery& q) {
            return tax.list_collections(q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20);
        });
    api::add<None, CurrencyQuery, CollectionDetail>(
        router,
        {.method = Method::get, .path = "/api/v1/collections/{id}", .id = "getCollection",
         .summary = "A collection by id or slug, with its published products in list order", .tag = "catalog", .errors = {404}},
        [&svc, &tax, base_currency](Request& req, None&, CurrencyQuery& q) {
            auto c = unwrap(tax.collection(std::string(req.param("id"))));
            CollectionDetail out{c.id, c.name, c.slug, c.product_ids, {}};
            std::vector<std::string> ids;
            for (auto& p : c.product_ids) ids.push_back(p.value);
            auto currency = q.currency ? q.currency->value : base_currency;
            for (auto& doc : svc.published(ids)) out.products.push_back(svc.reply(*doc, currency));
            return out;
        });
    api::add<CollectionRequest, None, Collection>(
        router,
        {.method = Method::post, .path = "/api/v1/collections", .id = "createCollection", .summary = "Create a collection (a manual list)",
         .description = "`product_ids` in the order the collection shows them; an unknown or repeated one is 422 naming "
                        "`product_ids[i]`. Slugs are unique among collections: a taken one is 409.",
         .tag = "catalog", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "catalog"},
        [&tax](Request& req, CollectionRequest& b, None&) { return unwrap(tax.create_collection(req.ctx(), b)); });
    api::add<CollectionPatchRequest, None, Collection>(
        router,
        {.method = Method::patch, .path = "/api/v1/collections/{id}", .id = "updateCollection",
         .summary = "Rename, reslug or reorder a collection (`product_ids` replaces the list)", .tag = "catalog", .access = Access::admin,
         .errors = {404, 409}},
        [&tax](Request& req, CollectionPatchRequest& b, None&) {
            return unwrap(tax.update_collection(req.ctx(), std::string(req.param("id")), b));
        });
    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/collections/{id}", .id = "deleteCollection", .summary = "Delete a collection",
         .description = "Its products stay.", .tag = "catalog", .access = Access::admin, .status = 204, .errors = {404}},
        [&tax](Request& req, None&, None&) { unwrap(tax.delete_collection(req.ctx(), std::string(req.param("id")))); });
}

}  // namespace shop::catalog
