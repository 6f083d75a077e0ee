#pragma once
// Pure rules for products: reading a create/patch request, slugs. No I/O.
#include <string>
#include <string_view>
#include <vector>

#include "catalog/api.hpp"
#include "wire.hpp"

namespace shop::catalog::domain {

/// URL slug: lower-case ASCII letters and digits separated by single dashes, at most 120 chars.
std::string slugify(std::string_view text);
/// True when `s` is already a valid slug.
bool is_slug(std::string_view s);

/// Category ids as given, each once; a repeated one goes to `errors` as `<field>[i]`.
std::vector<std::string> category_ids(const api::List<api::Id<"cat">, 0, 20>& ids, const std::string& field,
                                      std::vector<FieldError>& errors);

/// The product a create request asks for, after the rules the request's types cannot state (a SKU's
/// characters, a SKU or a currency repeated, a slug's form); every problem goes to `errors` with
/// its JSON path.
NewProduct new_product(const NewProductRequest& request, std::vector<FieldError>& errors);

}  // namespace shop::catalog::domain
