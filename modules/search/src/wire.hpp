#pragma once
// search's requests and replies on the wire (see platform/api.hpp).
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"

namespace shop::search {

struct SearchQuery {
    api::Text<1, 200> q;
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
    std::optional<api::Currency> currency;
};
SHOP_API_STRUCT(SearchQuery, q, limit, cursor, currency)

struct Hit {
    api::Id<"prd"> id;
    std::string title;
    std::string slug;
    api::Nullable<api::Money> price;  ///< the lowest variant price in the asked currency
    double score = 0;                 ///< relevance, higher first (SQLite: -bm25; PostgreSQL: ts_rank_cd); title weighs ten times the description
};
SHOP_API_STRUCT(Hit, id, title, slug, price, score)

struct FacetValue {
    std::string value;
    std::int64_t count = 0;
};
SHOP_API_STRUCT(FacetValue, value, count)

struct PriceBucket {
    std::int64_t from = 0;          ///< minor units, inclusive
    api::Nullable<std::int64_t> to;  ///< exclusive; null for the last bucket
    std::int64_t count = 0;
};
SHOP_API_STRUCT(PriceBucket, from, to, count)

struct Facets {
    std::vector<FacetValue> brand;
    std::vector<FacetValue> category;
    std::vector<PriceBucket> price;
    std::vector<FacetValue> rating;
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

}  // namespace shop::search
