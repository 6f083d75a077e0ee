#pragma once
// Pure rules for products: reading a create/patch request, slugs. No I/O.
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/api.hpp"

namespace shop::catalog::domain {

/// URL slug: lower-case ASCII letters and digits separated by single dashes, at most 120 chars.
std::string slugify(std::string_view text);
/// True when `s` is already a valid slug.
bool is_slug(std::string_view s);

/// Reads a POST /api/v1/products body; every problem goes to `errors` with its JSON path.
NewProduct read_new_product(const boost::json::object& body, std::vector<FieldError>& errors);

}  // namespace shop::catalog::domain
