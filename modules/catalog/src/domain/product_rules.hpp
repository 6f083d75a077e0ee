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

/// A variant as a request gives it (SKU characters, each currency once), problems under `path`.
NewVariant new_variant(const NewVariantRequest& request, const std::string& path, std::vector<FieldError>& errors);
/// Prices as given, each currency once (`<field>[i].currency` otherwise).
std::vector<Money> prices(const api::List<api::MoneyIn, 1, 20>& in, const std::string& field, std::vector<FieldError>& errors);
/// An image URL a product may show: absolute http(s), or `/media/...` of an upload; no spaces,
/// quotes or control characters.
bool is_image_url(std::string_view url);
/// Images as given; a list without positions keeps its order.
std::vector<NewImage> images(const api::List<ImageIn, 0, 50>& in, const std::string& field, std::vector<FieldError>& errors);

/// The product a create request asks for, after the rules the request's types cannot state (a SKU's
/// characters, a SKU or a currency repeated, a slug's form); every problem goes to `errors` with
/// its JSON path.
NewProduct new_product(const NewProductRequest& request, std::vector<FieldError>& errors);

}  // namespace shop::catalog::domain
