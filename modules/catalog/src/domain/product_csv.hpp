#pragma once
// Pure rules of the product CSV (GET /admin/products/export, POST /admin/products/import): reading
// and writing RFC 4180 records (libcsv), the column set, the spreadsheet-formula guard and the
// `options` cell. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/error.hpp"

namespace shop::catalog::domain {

/// The records of a CSV text, each a list of fields (the first is the header). A malformed text
/// (an unterminated quote, a quote inside an unquoted field) is a validation error naming the
/// record. A UTF-8 byte order mark at the start is skipped; blank lines are not records.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);

/// One record: every field quoted (a quote doubled), joined by commas, ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);

/// A text cell as exported: a value a spreadsheet would run as a formula (starting, after any `'`, with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading `'`, which unguard_cell() takes away again.
std::string guard_cell(std::string_view text);
std::string unguard_cell(std::string_view text);

/// The `options` cell: `name=value` pairs separated by `;` (e.g. `size=M;colour=red`); a `;`, `=` or
/// `\` inside a name or value is escaped with `\`.
std::string options_cell(const std::vector<std::pair<std::string, std::string>>& options);
/// The pairs of an `options` cell; nullopt with `problem` set when it is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_options_cell(std::string_view cell, std::string& problem);

/// What a header column means.
struct CsvColumn {
    enum class Kind { product_id, handle, title, status, description, brand, categories, tax_class, meta_title, meta_description, sku,
                      variant_title, options, weight_grams, price, stock };
    Kind kind;
    std::string name;   ///< as in the header
    std::string param;  ///< the currency of `price.<CUR>`, the warehouse of `stock.<code>`
};

/// The columns of a header, in order: every name known, none twice, `handle` and `sku` present,
/// `price.<CUR>` an ISO 4217 code, `stock.<code>` a warehouse in `warehouses` (when `stock` is
/// false, no stock column is accepted). Problems name the column.
Result<std::vector<CsvColumn>> read_header(const std::vector<std::string>& header, const std::vector<std::string>& warehouses, bool stock);

/// A whole non-negative decimal number (no sign, no point), at most 18 digits.
std::optional<std::int64_t> parse_count(std::string_view cell);

}  // namespace shop::catalog::domain
