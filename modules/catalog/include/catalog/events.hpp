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
    static constexpr auto kKey = &ProductChanged::product_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(ProductChanged, (), (product_id, title, slug, description, status, vendor_id, variants, updated_at, created))

}  // namespace shop::catalog::events
