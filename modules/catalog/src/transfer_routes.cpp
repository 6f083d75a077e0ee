// The product CSV routes: export and import (the format: docs/API.md, "Product CSV").
#include "platform/api.hpp"
#include "platform/http.hpp"
#include "product_transfer.hpp"

namespace shop::catalog {
using namespace shop::http;
using api::None;

void register_transfer_routes(Router& router, ProductTransfer& transfer) {
    api::add<None, None, api::Raw>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/products/export", .id = "exportProducts", .summary = "Every product as CSV",
         .description = "One row per variant: `product_id`, `handle` (the slug), `title`, `status`, `description`, `brand` (slug), "
                        "`categories` (slugs separated by `|`), `tax_class`, `meta_title`, `meta_description`, `sku`, "
                        "`variant_title`, `options` (`size=M;colour=red`), `weight_grams`, then `price.<CUR>` per currency (minor "
                        "units; only explicit prices, the base currency first) and `stock.<warehouse>` (on hand). Every field is "
                        "quoted; a text starting like a spreadsheet formula gets a leading `'`. The file imports back unchanged.",
         .tag = "catalog", .access = Access::admin, .blocking = true, .reply_types = {"text/csv"}},
        [&transfer](Request&, None&, None&) {
            api::Out<api::Raw> out;
            out.headers.set("Content-Type", "text/csv; charset=utf-8");
            out.headers.set("Content-Disposition", "attachment; filename=\"products.csv\"");
            out.headers.set("Cache-Control", "no-store");
            out.body.text = transfer.export_csv();
            return out;
        });

    api::add<None, None, ImportReport>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/products/import", .id = "importProducts",
         .summary = "Create and update products, variants, prices and stock from CSV",
         .description = "The body is a CSV in the export's format (`text/csv`); `handle` and `sku` columns are required, any other "
                        "may be left out (its values stay as they are). Rows with the same `handle` are one product: found by "
                        "`product_id`, else by handle, else created. Product fields are read from its first row. A variant is "
                        "found by SKU or added; variants not in the file stay. An empty `price.<CUR>` cell removes that explicit "
                        "price, an empty `stock.<warehouse>` cell leaves the stock alone. Each product is checked whole and "
                        "written in one transaction: a bad row fails its product's rows, the others go in. The reply reports every "
                        "row (`created`, `updated`, `unchanged`, `failed` with the column and the problem). A malformed file or "
                        "header is 422; at most 20,000 rows.",
         .tag = "catalog", .access = Access::admin, .errors = {413, 415}, .idempotency_schema = "catalog", .blocking = true,
         .body_types = {"text/csv"}},
        [&transfer](Request& req, None&, None&) { return unwrap(transfer.import_csv(req.ctx(), req.body)); });
}

}  // namespace shop::catalog
