#pragma once
// search's requests and replies on the wire (see platform/api.hpp).
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"

namespace shop::search {

using SortOrder = api::OneOf<"relevance", "price", "-price", "newest", "rating">;

struct SearchQuery {
    api::Text<1, 200> q;
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
    std::optional<api::Currency> currency;
    std::optional<api::Text<1, 1000>> category;    ///< ids or slugs, comma-separated: products in any of them or below
    std::optional<api::Text<1, 1000>> brand;       ///< ids or slugs, comma-separated: products of any of them
    std::optional<api::Text<1, 120>> collection;   ///< id or slug
    std::optional<api::Int<0, 1'000'000'000'000>> min_price;  ///< minor units of `currency`, inclusive
    std::optional<api::Int<0, 1'000'000'000'000>> max_price;  ///< minor units of `currency`, inclusive
    std::optional<bool> in_stock;                  ///< true: only products with free stock
    std::optional<api::Int<1, 5>> min_rating;      ///< average rating at least this
    std::optional<SortOrder> sort;                 ///< relevance (default), price, -price, newest, rating
};
SHOP_API_STRUCT(SearchQuery, q, limit, cursor, currency, category, brand, collection, min_price, max_price, in_stock, min_rating, sort)

struct HitBrand {
    api::Id<"brd"> id;
    std::string name;
    std::string slug;
};
SHOP_API_STRUCT(HitBrand, id, name, slug)

struct Rating {
    double average = 0;      ///< of approved reviews, 0 without any
    std::int64_t count = 0;  ///< approved reviews
};
SHOP_API_STRUCT(Rating, average, count)

struct Hit {
    api::Id<"prd"> id;
    std::string title;
    std::string slug;
    api::Nullable<api::Money> price;  ///< the lowest variant price in the asked currency
    api::Nullable<std::string> image;  ///< URL of its first image
    api::Nullable<HitBrand> brand;
    Rating rating;
    bool in_stock = false;  ///< some variant has free stock
    double score = 0;       ///< relevance (bm25; a title word weighs ten times a description word), higher first
};
SHOP_API_STRUCT(Hit, id, title, slug, price, image, brand, rating, in_stock, score)

struct FacetValue {
    std::string value;  ///< the id to filter with
    std::string name;
    std::string slug;
    std::int64_t count = 0;
};
SHOP_API_STRUCT(FacetValue, value, name, slug, count)

struct PriceBucket {
    std::int64_t from = 0;          ///< minor units, inclusive
    api::Nullable<std::int64_t> to;  ///< exclusive; null for the last bucket
    std::int64_t count = 0;
};
SHOP_API_STRUCT(PriceBucket, from, to, count)

struct RatingBucket {
    std::int64_t min = 0;  ///< average rating at least this (the `min_rating` filter)
    std::int64_t count = 0;
};
SHOP_API_STRUCT(RatingBucket, min, count)

/// Each facet counts the products matching the query and every active filter except its own.
struct Facets {
    std::vector<FacetValue> brand;
    std::vector<FacetValue> category;  ///< a product counts in its categories and all above them
    std::vector<PriceBucket> price;    ///< in the asked currency
    std::vector<RatingBucket> rating;
};
SHOP_API_STRUCT(Facets, brand, category, price, rating)

struct SearchResult {
    std::vector<Hit> data;
    std::int64_t total = 0;
    Facets facets;
    api::Nullable<std::string> suggestion;  ///< when nothing matched as typed: the corrected query whose hits these are
    std::string currency;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(SearchResult, data, total, facets, suggestion, currency, next_cursor)

struct SuggestQuery {
    api::Text<1, 100> q;
    std::optional<api::Int<1, 20>> limit;
};
SHOP_API_STRUCT(SuggestQuery, q, limit)

struct SuggestItem {
    api::OneOf<"category", "brand", "product"> kind;
    std::string text;
    std::string id;
    std::string slug;
};
SHOP_API_STRUCT(SuggestItem, kind, text, id, slug)

struct SuggestResult {
    std::vector<SuggestItem> data;
    api::Nullable<std::string> suggestion;  ///< when nothing began with the words as typed: the corrected words these complete
};
SHOP_API_STRUCT(SuggestResult, data, suggestion)

struct RecommendationsQuery {
    std::optional<api::Int<1, 20>> limit;
    std::optional<api::Currency> currency;
};
SHOP_API_STRUCT(RecommendationsQuery, limit, currency)

struct Recommendation {
    api::Id<"prd"> id;
    std::string title;
    std::string slug;
    api::Nullable<api::Money> price;
    api::Nullable<std::string> image;
    api::Nullable<HitBrand> brand;
    Rating rating;
    bool in_stock = false;
    api::OneOf<"bought_together", "same_category"> reason;
    std::int64_t orders = 0;  ///< paid orders that held both products (bought_together), else 0
};
SHOP_API_STRUCT(Recommendation, id, title, slug, price, image, brand, rating, in_stock, reason, orders)

struct RecommendationsResult {
    std::vector<Recommendation> data;  ///< bought together most often first, then the same category
    std::string currency;
};
SHOP_API_STRUCT(RecommendationsResult, data, currency)

}  // namespace shop::search
