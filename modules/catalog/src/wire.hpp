#pragma once
// catalog's requests and replies on the wire (see platform/api.hpp).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"

namespace shop::catalog {

using ProductStatus = api::OneOf<"draft", "published", "archived">;

struct NewVariantRequest {
    api::Text<1, 64> sku;  ///< letters, digits, '-', '_' and '.'
    std::optional<api::Text<1, 200>> title;
    std::optional<api::Dict<api::Text<1, 100>>> options;  ///< e.g. {"size": "M"}
    api::List<api::MoneyIn, 1, 20> prices;                ///< one per currency
    std::optional<api::Int<0, 1'000'000'000>> weight_grams;  ///< per unit, for shipping by weight
};
SHOP_API_STRUCT(NewVariantRequest, sku, title, options, prices, weight_grams)

struct NewProductRequest {
    api::Text<1, 200> title;
    std::optional<api::Text<1, 120>> slug;  ///< default: made from the title
    std::optional<api::Text<0, 20000>> description;
    std::optional<ProductStatus> status;    ///< default: draft
    api::List<NewVariantRequest, 1, 100> variants;
    std::optional<api::Text<1, 64>> tax_class;  ///< default `standard`; matches ordering's tax rates
    std::optional<api::Id<"brd">> brand_id;
    std::optional<api::List<api::Id<"cat">, 0, 20>> category_ids;  ///< the categories it is listed in
};
SHOP_API_STRUCT(NewProductRequest, title, slug, description, status, variants, tax_class, brand_id, category_ids)

struct ProductPatchRequest {
    std::optional<api::Text<1, 200>> title;
    std::optional<api::Text<1, 120>> slug;
    std::optional<api::Text<0, 20000>> description;
    std::optional<ProductStatus> status;
    std::optional<api::Text<1, 64>> tax_class;
    std::optional<api::Nullable<api::Id<"brd">>> brand_id;           ///< null: no brand
    std::optional<api::List<api::Id<"cat">, 0, 20>> category_ids;  ///< replaces the product's categories
};
SHOP_API_STRUCT(ProductPatchRequest, title, slug, description, status, tax_class, brand_id, category_ids)

struct CurrencyQuery {
    std::optional<api::Currency> currency;  ///< the price currency; default: the shop's base currency
};
SHOP_API_STRUCT(CurrencyQuery, currency)

struct ProductListQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
    std::optional<api::Currency> currency;
    std::optional<api::Text<1, 120>> category;    ///< id or slug: products in it or anywhere below it
    std::optional<api::Text<1, 120>> brand;       ///< id or slug
    std::optional<api::Text<1, 120>> collection;  ///< id or slug
};
SHOP_API_STRUCT(ProductListQuery, limit, cursor, currency, category, brand, collection)

struct PageQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(PageQuery, limit, cursor)

struct BrandRef {
    api::Id<"brd"> id;
    std::string name;
    std::string slug;
};
SHOP_API_STRUCT(BrandRef, id, name, slug)

struct CategoryRef {
    api::Id<"cat"> id;
    std::string name;
    std::string slug;
    std::string path;  ///< slugs from the root: `clothing/shirts`
};
SHOP_API_STRUCT(CategoryRef, id, name, slug, path)

struct Variant {
    api::Id<"var"> id;
    std::string sku;
    std::string title;
    std::map<std::string, std::string> options;
    api::Nullable<api::Money> price;  ///< in the asked currency; null without a price in it
    std::vector<api::Money> prices;   ///< every explicit price
    std::int64_t weight_grams = 0;    ///< per unit
};
SHOP_API_STRUCT(Variant, id, sku, title, options, price, prices, weight_grams)

struct Rating {
    api::Nullable<double> average;  ///< null before the first review
    std::int64_t count = 0;
};
SHOP_API_STRUCT(Rating, average, count)

struct Product {
    api::Id<"prd"> id;
    std::string title;
    std::string slug;
    std::string description;
    ProductStatus status;
    std::string tax_class;  ///< `standard` unless set: which tax rates apply
    api::Nullable<api::Id<"usr">> vendor_id;
    std::string currency;  ///< of `variants[].price`
    std::vector<Variant> variants;
    Rating rating;
    api::Nullable<BrandRef> brand;
    std::vector<CategoryRef> categories;  ///< as given, each with its path
    api::Timestamp created_at;
    api::Timestamp updated_at;
};
SHOP_API_STRUCT(Product, id, title, slug, description, status, tax_class, vendor_id, currency, variants, rating, brand, categories,
                created_at, updated_at)

struct ProductPage {
    std::vector<Product> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(ProductPage, data, next_cursor)

}  // namespace shop::catalog
