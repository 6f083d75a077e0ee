#pragma once
#include <boost/describe.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::catalog::events {

struct PriceDoc {
    std::int64_t amount{};
    std::string currency;
};
BOOST_DESCRIBE_STRUCT(PriceDoc, (), (amount, currency))

struct VariantDoc {
    std::string id;
    std::string sku;
    std::string title;
    std::vector<PriceDoc> prices;
};
BOOST_DESCRIBE_STRUCT(VariantDoc, (), (id, sku, title, prices))

/// A product was created or changed: the whole new state, so consumers can upsert idempotently.
struct ProductChanged {
    static constexpr std::string_view kType = "catalog.product_changed.v1";
    std::string product_id;
    std::string title;
    std::string slug;
    std::string description;
    std::string status;
    std::string vendor_id;
    std::vector<VariantDoc> variants;
    std::string updated_at;
    bool created{};
    std::string brand_id;                   ///< "" without a brand
    std::vector<std::string> category_ids;  ///< the categories it is placed in (not their ancestors)
    std::string image_url;                  ///< its first image, "" while it has none
    double rating_average{};                ///< of its approved reviews, 0 without any
    std::int64_t rating_count{};            ///< approved reviews
    static constexpr auto kKey = &ProductChanged::product_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(ProductChanged, (), (product_id, title, slug, description, status, vendor_id, variants, updated_at, created, brand_id,
                                           category_ids, image_url, rating_average, rating_count))

/// A category was created, renamed, moved (a new parent_id; what is below it moves with it) or
/// deleted. Consumers keep their own copy of the tree from these.
struct CategoryChanged {
    static constexpr std::string_view kType = "catalog.category_changed.v1";
    std::string category_id;
    std::string name;
    std::string slug;
    std::string parent_id;  ///< "" for a root
    bool deleted{};
    static constexpr auto kKey = &CategoryChanged::category_id;
};
BOOST_DESCRIBE_STRUCT(CategoryChanged, (), (category_id, name, slug, parent_id, deleted))

/// A brand was created, renamed or deleted.
struct BrandChanged {
    static constexpr std::string_view kType = "catalog.brand_changed.v1";
    std::string brand_id;
    std::string name;
    std::string slug;
    bool deleted{};
    static constexpr auto kKey = &BrandChanged::brand_id;
};
BOOST_DESCRIBE_STRUCT(BrandChanged, (), (brand_id, name, slug, deleted))

/// An admin approved or rejected a review: its author may be told (notification).
struct ReviewModerated {
    static constexpr std::string_view kType = "catalog.review_moderated.v1";
    std::string review_id;
    std::string product_id;
    std::string product_title;
    std::string product_slug;
    std::string customer_id;  ///< the author
    std::string status;       ///< approved | rejected
    std::int64_t rating{};
    static constexpr auto kKey = &ReviewModerated::review_id;
};
BOOST_DESCRIBE_STRUCT(ReviewModerated, (), (review_id, product_id, product_title, product_slug, customer_id, status, rating))

/// A collection was created, changed (name, slug or its product list) or deleted.
struct CollectionChanged {
    static constexpr std::string_view kType = "catalog.collection_changed.v1";
    std::string collection_id;
    std::string name;
    std::string slug;
    std::vector<std::string> product_ids;  ///< in the collection's order
    bool deleted{};
    static constexpr auto kKey = &CollectionChanged::collection_id;
};
BOOST_DESCRIBE_STRUCT(CollectionChanged, (), (collection_id, name, slug, product_ids, deleted))

}  // namespace shop::catalog::events
