// Thin HTTP handlers: the typed declarations of catalog's routes -> the service.
#include "catalog_service.hpp"
#include "domain/product_list.hpp"
#include "domain/product_rules.hpp"
#include "media_store.hpp"
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

VariantPatch variant_patch(const VariantPatchRequest& b) {
    VariantPatch patch;
    std::vector<FieldError> errors;
    if (b.title) patch.title = b.title->value;
    if (b.weight_grams) patch.weight_grams = b.weight_grams->value;
    if (b.options) {
        patch.options.emplace();
        for (auto& [k, v] : b.options->items) patch.options->emplace_back(k, v.value);
    }
    if (b.prices) patch.prices = domain::prices(*b.prices, "prices", errors);
    throw_if_invalid(errors);
    return patch;
}

void register_catalog_routes(Router& router, CatalogService& svc, MediaStore& media, std::string base_currency) {
    api::add<None, ProductListQuery, ProductPage>(
        router,
        {.method = Method::get, .path = "/api/v1/products", .id = "listProducts", .summary = "Published products, filtered and sorted",
         .description =
             "`category` (id or slug) keeps the products in that category or anywhere below it; `brand` and `collection` (id or "
             "slug) keep those of the brand or in the collection. `min_price`/`max_price` (minor units of `currency`, inclusive) "
             "compare the product's lowest variant price in that currency; products without a price there are left out when "
             "either is given or when sorting by price. `sort`: `newest` (default, = `-created`), `created`, `price`, `title` "
             "(ASCII case folded), `rating` (average of approved reviews), ascending, or descending with a leading `-`; ties go "
             "by product id in the same direction. Filters combine (all must hold); pass them and `sort` again with `cursor`: "
             "the cursor carries the last item's sort key and id, so pages neither skip nor repeat a product under any order. "
             "A cursor of another `sort` (or, by price, another `currency`) is 422 naming `cursor`; an unknown category, brand "
             "or collection is 422 naming the parameter (a filter that matches nothing is an empty page). Attributes (see GET "
             "/api/v1/attributes): `attr.<code>=v[,v...]` keeps products whose value is one of those (a number: equal), "
             "`attr.<code>.min=n` and `attr.<code>.max=n` bound a number attribute (inclusive); an unknown code, a value the type "
             "refuses or an option that does not exist is 422 naming the parameter.",
         .tag = "catalog"},
        [&svc, base_currency](Request& req, None&, ProductListQuery& q) {
            ListRequest list;
            list.order = *domain::list_order(q.sort ? q.sort->value : "newest");
            list.currency = q.currency ? q.currency->value : base_currency;
            list.limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            if (q.min_price) list.min_price = q.min_price->value;
            if (q.max_price) list.max_price = q.max_price->value;
            if (list.min_price && list.max_price && *list.min_price > *list.max_price)
                throw ErrorException(validation("max_price", "must not be below min_price"));
            if (q.cursor) {
                list.after = domain::decode_position(q.cursor->value);
                if (!list.after) throw ErrorException(validation("cursor", "is not a cursor this API returned"));
                if (list.after->sort != list.order.name)
                    throw ErrorException(validation("cursor", "belongs to sort=" + list.after->sort + "; pass the same sort or start again"));
                if (list.order.key == domain::SortKey::price && list.after->currency != list.currency)
                    throw ErrorException(
                        validation("cursor", "belongs to prices in " + list.after->currency + "; pass the same currency or start again"));
            }
            for (auto& [name, value] : req.query) {
                if (name.rfind("attr.", 0) != 0) continue;
                auto [filters, problem] = domain::attribute_filters(req.query, svc.attributes().all());
                if (problem) throw ErrorException(validation(problem->parameter, problem->message));
                list.attributes = std::move(filters);
                break;
            }
            list.filter = unwrap(svc.taxonomy().product_filter(q.category ? q.category->value : "", q.brand ? q.brand->value : "",
                                                               q.collection ? q.collection->value : ""));
            auto result = svc.list_published(list);
            // Items are pre-rendered JSON of Product: splice them instead of serialising again.
            std::string body = "{\"data\":[";
            for (std::size_t i = 0; i < result.items.size(); ++i) {
                if (i) body.push_back(',');
                body += result.items[i]->json;
            }
            body += "],\"next_cursor\":";
            body += result.next ? boost::json::serialize(api::of<api::Cursor>(domain::encode_position(*result.next)).write()) : "null";
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
         .description = "A vendor owns the products it creates. A taken slug (also a product's former slug) or SKU is 409. "
                        "`brand_id` and `category_ids` must exist (422 naming `brand_id` or `category_ids[i]`); `attributes` are "
                        "by code of a defined attribute, each value of its type (422 naming `attributes.<code>`); `images` URLs "
                        "are absolute http(s) or `/media/...` of an upload.",
         .tag = "catalog",
         .access = Access::vendor, .status = 201, .errors = {409}, .idempotency_schema = "catalog", .reply_headers = {"Location"}},
        [&svc, base_currency](Request& req, NewProductRequest& b, CurrencyQuery& q) {
            std::vector<FieldError> errors;
            auto input = domain::new_product(b, errors);
            throw_if_invalid(errors);
            auto currency = q.currency ? q.currency->value : base_currency;
            auto created = unwrap(svc.create_product(req.ctx(), input, currency));
            auto doc = unwrap(svc.find_visible(req.ctx(), created.id));
            api::Out<Product> out(svc.reply(*doc, currency));
            out.headers.set("Location", "/api/v1/products/" + created.id);
            return out;
        });

    api::add<ProductPatchRequest, CurrencyQuery, Product>(
        router,
        {.method = Method::patch, .path = "/api/v1/products/{id}", .id = "updateProduct",
         .summary = "Change a product's fields, brand, categories, attributes, images or SEO fields",
         .description = "`brand_id: null` takes the brand away; `category_ids`, `attributes` and `images` replace the product's. A "
                        "new slug must be free (also of other products' former slugs); the old one keeps finding this product. "
                        "Vendors change only their own products (403 on another's published product, 404 on its draft).",
         .tag = "catalog", .access = Access::vendor, .errors = {403, 404, 409}},
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
            std::vector<FieldError> errors;
            if (b.category_ids) patch.category_ids = domain::category_ids(*b.category_ids, "category_ids", errors);
            if (b.images) patch.images = domain::images(*b.images, "images", errors);
            throw_if_invalid(errors);
            if (b.attributes) {
                patch.attributes.emplace();
                for (auto& [code, v] : b.attributes->items) (*patch.attributes)[code] = v.value;
            }
            if (b.meta_title) patch.meta_title = b.meta_title->value;
            if (b.meta_description) patch.meta_description = b.meta_description->value;
            auto doc = unwrap(svc.update_product(req.ctx(), std::string(req.param("id")), patch));
            return svc.reply(*doc, q.currency ? q.currency->value : base_currency);
        });

    api::add<None, None, DeletedProductReply>(
        router,
        {.method = Method::delete_, .path = "/api/v1/products/{id}", .id = "deleteProduct", .summary = "Delete a product",
         .description = "A product that was ever ordered (as ordering's events told the catalog) is archived: kept for the orders "
                        "that name it, off sale. Any other is removed with its variants, prices, images and attribute values. "
                        "Vendors delete only their own products.",
         .tag = "catalog", .access = Access::vendor, .errors = {403, 404}},
        [&svc](Request& req, None&, None&) {
            auto done = unwrap(svc.delete_product(req.ctx(), std::string(req.param("id"))));
            return DeletedProductReply{api::of<api::Id<"prd">>(done.id), done.archived ? "archived" : "removed"};
        });

    api::add<NewVariantRequest, CurrencyQuery, Product>(
        router,
        {.method = Method::post, .path = "/api/v1/products/{id}/variants", .id = "addVariant", .summary = "Add a variant with its prices",
         .description = "A taken SKU is 409 naming `sku`. Answers the whole product.", .tag = "catalog", .access = Access::vendor,
         .status = 201, .errors = {403, 404, 409}, .idempotency_schema = "catalog"},
        [&svc, base_currency](Request& req, NewVariantRequest& b, CurrencyQuery& q) {
            std::vector<FieldError> errors;
            auto v = domain::new_variant(b, "", errors);
            // new_variant names fields under its path: here the body itself.
            for (auto& e : errors)
                if (e.field.rfind(".", 0) == 0) e.field.erase(0, 1);
            throw_if_invalid(errors);
            auto currency = q.currency ? q.currency->value : base_currency;
            auto doc = unwrap(svc.add_variant(req.ctx(), std::string(req.param("id")), v, currency));
            return svc.reply(*doc, currency);
        });

    api::add<VariantPatchRequest, CurrencyQuery, Product>(
        router,
        {.method = Method::patch, .path = "/api/v1/products/{id}/variants/{variant_id}", .id = "updateVariant",
         .summary = "Change a variant's title, options, prices or weight",
         .description = "`prices` and `options` replace the variant's. Answers the whole product.", .tag = "catalog",
         .access = Access::vendor, .errors = {403, 404}},
        [&svc, base_currency](Request& req, VariantPatchRequest& b, CurrencyQuery& q) {
            auto doc = unwrap(svc.update_variant(req.ctx(), std::string(req.param("id")), std::string(req.param("variant_id")), variant_patch(b)));
            return svc.reply(*doc, q.currency ? q.currency->value : base_currency);
        });

    api::add<None, CurrencyQuery, Product>(
        router,
        {.method = Method::delete_, .path = "/api/v1/products/{id}/variants/{variant_id}", .id = "removeVariant",
         .summary = "Remove a variant and its prices",
         .description = "A product keeps at least one variant: removing the last is 409 invalid_state. Answers the whole product.",
         .tag = "catalog", .access = Access::vendor, .errors = {403, 404, 409}},
        [&svc, base_currency](Request& req, None&, CurrencyQuery& q) {
            auto doc = unwrap(svc.remove_variant(req.ctx(), std::string(req.param("id")), std::string(req.param("variant_id"))));
            return svc.reply(*doc, q.currency ? q.currency->value : base_currency);
        });

    api::add<None, ImageUploadQuery, Image>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/products/{id}/images", .id = "uploadProductImage",
         .summary = "Upload an image of a product",
         .description = "The body is the image itself, its Content-Type one of image/png, image/jpeg, image/gif, image/webp, and "
                        "its first bytes must be that format's signature (415 otherwise); at most `catalog.max_image_bytes` (413). "
                        "Stored under the data directory by the SHA-256 of its bytes and served at `url` (`/media/<sha256>.<ext>`), "
                        "cacheable forever. Admins, and vendors for their own products.",
         .tag = "catalog", .access = Access::vendor, .status = 201, .errors = {403, 404, 409, 413, 415},
         .idempotency_schema = "catalog", .reply_headers = {"Location"}, .body_types = {"image/png", "image/jpeg", "image/gif", "image/webp"}},
        [&svc, &media](Request& req, None&, ImageUploadQuery& q) {
            std::string id(req.param("id"));
            auto current = unwrap(svc.find_visible(req.ctx(), id));
            unwrap(CatalogService::may_change(req.ctx(), *current));
            // The file goes first: its name is its content, so a failed or repeated request leaves at
            // most an unreferenced file, never a row without its file.
            auto stored = unwrap(media.put(req.body, req.header("Content-Type")));
            std::int64_t position = q.position ? q.position->value : 0;
            if (!q.position)
                for (auto& im : current->images) position = std::max(position, im.position + 1);
            auto added = unwrap(svc.add_image(req.ctx(), id, NewImage{stored.path, q.alt ? q.alt->value : "", position}));
            api::Out<Image> out(image_reply(added));
            out.headers.set("Location", stored.path);
            return out;
        });

    api::add<None, None, api::Raw>(
        router,
        {.method = Method::get, .path = "/media/{name}", .id = "getMedia", .summary = "An uploaded image",
         .description = "Names are the SHA-256 of the bytes, so a name's content never changes: `Cache-Control: public, "
                        "max-age=31536000, immutable` and a strong ETag; answers 304 to a current If-None-Match.",
         .tag = "catalog", .errors = {404}, .reply_headers = {"ETag"}, .not_modified = true,
         .reply_types = {"image/png", "image/jpeg", "image/gif", "image/webp"}},
        [&media](Request& req, None&, None&) {
            std::string name(req.param("name"));
            auto file = media.get(name);
            if (!file) throw ErrorException(not_found("no media '" + name + "'"));
            api::Out<api::Raw> out;
            auto etag = "\"" + name.substr(0, 64) + "\"";
            out.headers.set("ETag", etag);
            out.headers.set("Cache-Control", "public, max-age=31536000, immutable");
            if (req.header("If-None-Match") == etag) {
                out.status = 304;
                return out;
            }
            out.headers.set("Content-Type", file->second);
            out.body.text = std::move(file->first);
            return out;
        });

    api::add<FxRatesRequest, None, FxRates>(
        router,
        {.method = Method::put, .path = "/api/v1/admin/fx-rates", .id = "putFxRates", .summary = "Replace the FX rates",
         .description = "`base` must be the shop's base currency; each rate says how many units of `currency` one base unit "
                        "buys, as a decimal string (at most 9 digits before the point and 8 after). Currencies are checked "
                        "against ISO 4217. A variant without its own price in a currency is then shown, listed, filtered, "
                        "sorted and sold at its base price × rate, rounded half up to a whole minor unit of that currency "
                        "(0 decimals for JPY, 3 for KWD...), with `price.converted: true`. An explicit price always wins. The "
                        "rates given replace all earlier ones (an empty list removes them).",
         .tag = "catalog", .access = Access::admin},
        [&svc](Request& req, FxRatesRequest& b, None&) { return unwrap(svc.put_fx_rates(req.ctx(), b)); });

    api::add<None, None, FxRates>(
        router,
        {.method = Method::get, .path = "/api/v1/fx-rates", .id = "getFxRates", .summary = "The FX rates prices are converted with",
         .description = "See PUT /api/v1/admin/fx-rates.", .tag = "catalog"},
        [&svc](Request&, None&, None&) { return svc.fx_rates(); });
}

}  // namespace shop::catalog
