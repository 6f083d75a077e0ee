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

/// A product's value of an attribute: a string (text, option), a number or a boolean, as the
/// attribute's type says.
struct AttributeValueIn {
    boost::json::value value;
    static api::json::object schema(api::Schemas&) {
        return {{"type", api::json::array{"string", "number", "boolean"}}, {"description", "as the attribute's type says"}};
    }
    bool read(const api::json::value& v, const std::string& path, api::Reader& r) {
        if (!v.is_string() && !v.is_number() && !v.is_bool()) return r.fail(path, "must be a string, a number or a boolean"), false;
        value = v;
        return true;
    }
    api::json::value write() const { return value; }
};

/// An image of a product: an absolute http(s) URL or an uploaded one (`/media/...`).
struct ImageIn {
    api::Text<1, 2000> url;
    std::optional<api::Text<0, 300>> alt;
    std::optional<api::Int<0, 1000>> position;  ///< default: after the ones before it in the list
};
SHOP_API_STRUCT(ImageIn, url, alt, position)

struct NewProductRequest {
    api::Text<1, 200> title;
    std::optional<api::Text<1, 120>> slug;  ///< default: made from the title
    std::optional<api::Text<0, 20000>> description;
    std::optional<ProductStatus> status;    ///< default: draft
    api::List<NewVariantRequest, 1, 100> variants;
    std::optional<api::Text<1, 64>> tax_class;  ///< default `standard`; matches ordering's tax rates
    std::optional<api::Id<"brd">> brand_id;
    std::optional<api::List<api::Id<"cat">, 0, 20>> category_ids;  ///< the categories it is listed in
    std::optional<api::Dict<AttributeValueIn>> attributes;          ///< by attribute code
    std::optional<api::List<ImageIn, 0, 50>> images;
    std::optional<api::Text<0, 200>> meta_title;        ///< SEO: the page title; "" = the product title
    std::optional<api::Text<0, 500>> meta_description;  ///< SEO: the page description
};
SHOP_API_STRUCT(NewProductRequest, title, slug, description, status, variants, tax_class, brand_id, category_ids, attributes, images,
                meta_title, meta_description)

struct ProductPatchRequest {
    std::optional<api::Text<1, 200>> title;
    std::optional<api::Text<1, 120>> slug;
    std::optional<api::Text<0, 20000>> description;
    std::optional<ProductStatus> status;
    std::optional<api::Text<1, 64>> tax_class;
    std::optional<api::Nullable<api::Id<"brd">>> brand_id;           ///< null: no brand
    std::optional<api::List<api::Id<"cat">, 0, 20>> category_ids;  ///< replaces the product's categories
    std::optional<api::Dict<AttributeValueIn>> attributes;  ///< replaces the product's attribute values
    std::optional<api::List<ImageIn, 0, 50>> images;                      ///< replaces the product's images
    std::optional<api::Text<0, 200>> meta_title;
    std::optional<api::Text<0, 500>> meta_description;
};
SHOP_API_STRUCT(ProductPatchRequest, title, slug, description, status, tax_class, brand_id, category_ids, attributes, images, meta_title,
                meta_description)

struct VariantPatchRequest {
    std::optional<api::Text<0, 200>> title;
    std::optional<api::Dict<api::Text<1, 100>>> options;     ///< replaces them
    std::optional<api::List<api::MoneyIn, 1, 20>> prices;    ///< replaces them: one per currency
    std::optional<api::Int<0, 1'000'000'000>> weight_grams;
};
SHOP_API_STRUCT(VariantPatchRequest, title, options, prices, weight_grams)

struct DeletedProductReply {
    api::Id<"prd"> id;
    std::string outcome;  ///< `archived` (orders name it: kept, off sale) or `removed`
};
SHOP_API_STRUCT(DeletedProductReply, id, outcome)

struct ImageUploadQuery {
    std::optional<api::Text<0, 300>> alt;
    std::optional<api::Int<0, 1000>> position;  ///< default: after the product's other images
};
SHOP_API_STRUCT(ImageUploadQuery, alt, position)

struct FxRateIn {
    api::Currency currency;
    api::Text<1, 20> rate;  ///< decimal string: 1 base unit = rate units of `currency`
};
SHOP_API_STRUCT(FxRateIn, currency, rate)

struct FxRatesRequest {
    api::Currency base;  ///< must be the shop's base currency
    api::List<FxRateIn, 0, 200> rates;
};
SHOP_API_STRUCT(FxRatesRequest, base, rates)

struct FxRateOut {
    std::string currency;
    std::string rate;
};
SHOP_API_STRUCT(FxRateOut, currency, rate)

struct FxRates {
    std::string base;
    std::vector<FxRateOut> rates;
    api::Nullable<api::Timestamp> updated_at;  ///< null before the first PUT
};
SHOP_API_STRUCT(FxRates, base, rates, updated_at)

using ReviewStatus = api::OneOf<"pending", "approved", "rejected">;

struct ReviewRequest {
    api::Int<1, 5> rating;
    std::optional<api::Text<0, 200>> title;
    std::optional<api::Text<0, 5000>> body;
};
SHOP_API_STRUCT(ReviewRequest, rating, title, body)

struct ReviewModeration {
    api::OneOf<"approved", "rejected"> status;
};
SHOP_API_STRUCT(ReviewModeration, status)

struct Review {
    api::Id<"rev"> id;
    api::Id<"prd"> product_id;
    std::int64_t rating = 0;
    std::string title;
    std::string body;
    bool verified_purchase = false;  ///< the reviewer had a confirmed order of this product when writing it
    ReviewStatus status;             ///< pending until an admin approves or rejects it; only approved ones count and show
    api::Timestamp created_at;
};
SHOP_API_STRUCT(Review, id, product_id, rating, title, body, verified_purchase, status, created_at)

struct ReviewPage {
    std::vector<Review> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(ReviewPage, data, next_cursor)

struct ReviewListQuery {
    std::optional<ReviewStatus> status;  ///< default: every status
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(ReviewListQuery, status, limit, cursor)

struct CurrencyQuery {
    std::optional<api::Currency> currency;  ///< the price currency; default: the shop's base currency
};
SHOP_API_STRUCT(CurrencyQuery, currency)

/// The product list's orders: a key ascending, or with `-` descending; `newest` = `-created`.
using ProductSort = api::OneOf<"newest", "created", "-created", "price", "-price", "title", "-title", "rating", "-rating">;

struct ProductListQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
    std::optional<api::Currency> currency;
    std::optional<api::Text<1, 120>> category;    ///< id or slug: products in it or anywhere below it
    std::optional<api::Text<1, 120>> brand;       ///< id or slug
    std::optional<api::Text<1, 120>> collection;  ///< id or slug
    std::optional<api::Int<0, 1'000'000'000'000>> min_price;  ///< minor units of `currency`, inclusive
    std::optional<api::Int<0, 1'000'000'000'000>> max_price;  ///< minor units of `currency`, inclusive
    std::optional<ProductSort> sort;                          ///< default `newest`
};
SHOP_API_STRUCT(ProductListQuery, limit, cursor, currency, category, brand, collection, min_price, max_price, sort)

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

/// A price in the asked currency: the variant's own, or converted from its base-currency price.
struct ShownPrice {
    std::int64_t amount = 0;  ///< integer minor units
    std::string currency;
    bool converted = false;  ///< true: converted at the admin's FX rate (half up to a minor unit)
};
SHOP_API_STRUCT(ShownPrice, amount, currency, converted)

struct Variant {
    api::Id<"var"> id;
    std::string sku;
    std::string title;
    std::map<std::string, std::string> options;
    api::Nullable<ShownPrice> price;  ///< in the asked currency; null without an own price or an FX rate for it
    std::vector<api::Money> prices;   ///< every explicit price
    std::int64_t weight_grams = 0;    ///< per unit
};
SHOP_API_STRUCT(Variant, id, sku, title, options, price, prices, weight_grams)

struct Rating {
    api::Nullable<double> average;  ///< null before the first review
    std::int64_t count = 0;
};
SHOP_API_STRUCT(Rating, average, count)

struct ProductAttribute {
    std::string code;
    std::string name;
    std::string type;  ///< text | number | boolean | option
    AttributeValueIn value;
};
SHOP_API_STRUCT(ProductAttribute, code, name, type, value)

struct Image {
    api::Id<"img"> id;
    std::string url;
    std::string alt;
    std::int64_t position = 0;
};
SHOP_API_STRUCT(Image, id, url, alt, position)

struct Seo {
    std::string meta_title;        ///< the product title unless set
    std::string meta_description;  ///< "" unless set
    std::string canonical_path;    ///< `/products/<slug>`: the current slug, also when the product was found by an old one
};
SHOP_API_STRUCT(Seo, meta_title, meta_description, canonical_path)

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
    std::vector<ProductAttribute> attributes;
    std::vector<Image> images;  ///< in position order
    Seo seo;
    api::Timestamp created_at;
    api::Timestamp updated_at;
};
SHOP_API_STRUCT(Product, id, title, slug, description, status, tax_class, vendor_id, currency, variants, rating, brand, categories,
                attributes, images, seo, created_at, updated_at)

using AttributeTypeName = api::OneOf<"text", "number", "boolean", "option">;

struct AttributeRequest {
    api::Text<1, 40> code;  ///< lower-case letters, digits and '_', starting with a letter
    api::Text<1, 100> name;
    AttributeTypeName type;
    std::optional<api::List<api::Text<1, 100>, 1, 200>> options;  ///< required for `option`, refused otherwise
};
SHOP_API_STRUCT(AttributeRequest, code, name, type, options)

struct AttributePatchRequest {
    std::optional<api::Text<1, 100>> name;
    std::optional<api::List<api::Text<1, 100>, 1, 200>> options;  ///< replaces them; a value products hold cannot go (409)
};
SHOP_API_STRUCT(AttributePatchRequest, name, options)

struct Attribute {
    api::Id<"atr"> id;
    std::string code;
    std::string name;
    AttributeTypeName type;
    std::vector<std::string> options;
};
SHOP_API_STRUCT(Attribute, id, code, name, type, options)

struct AttributeList {
    std::vector<Attribute> data;
};
SHOP_API_STRUCT(AttributeList, data)

struct ProductPage {
    std::vector<Product> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(ProductPage, data, next_cursor)

}  // namespace shop::catalog
