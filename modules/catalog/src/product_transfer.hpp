#pragma once
// The product CSV: export of every product (one row per variant: product fields, variant, explicit
// prices per currency, on-hand stock per warehouse) and import of such a file with a report per
// row. The format is documented in docs/API.md ("Product CSV").
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/api.hpp"
#include "platform/api.hpp"

namespace shop::db {
class Database;
}

namespace shop::catalog {

class CatalogService;

/// A problem with one cell of a row.
struct CellError {
    std::string column;
    std::string message;
};
SHOP_API_STRUCT(CellError, column, message)

/// What became of one data row of an import.
struct ImportRow {
    std::int64_t row = 0;  ///< the record number in the file; the header is 1
    std::string handle, sku;
    std::string outcome;  ///< created | updated | unchanged | failed
    std::string product_id;  ///< "" when failed before the product existed
    std::vector<CellError> errors;
};
SHOP_API_STRUCT(ImportRow, row, handle, sku, outcome, product_id, errors)

/// The report of an import: counts per outcome (of rows) and every row.
struct ImportReport {
    std::int64_t rows = 0, created = 0, updated = 0, unchanged = 0, failed = 0;
    std::int64_t products_created = 0, products_updated = 0;
    std::vector<ImportRow> results;
};
SHOP_API_STRUCT(ImportReport, rows, created, updated, unchanged, failed, products_created, products_updated, results)

class ProductTransfer {
public:
    ProductTransfer(db::Database& db, CatalogService& svc, std::string base_currency)
        : db_(db), svc_(svc), base_currency_(std::move(base_currency)) {}
    void use_stock(StockPort& stock) { stock_ = &stock; }

    /// Every product as CSV (see the header comment); admins only (the route checks).
    std::string export_csv();
    /// Applies a CSV: per product (its rows grouped by `handle`), every row checked first, then the
    /// catalog change in one transaction, then the stock. A malformed file or header is an error;
    /// a bad row fails its product's rows and is reported, the other products still go in.
    Result<ImportReport> import_csv(const Ctx& ctx, std::string_view text);

private:
    db::Database& db_;
    CatalogService& svc_;
    std::string base_currency_;
    std::atomic<StockPort*> stock_{nullptr};
};

}  // namespace shop::catalog
