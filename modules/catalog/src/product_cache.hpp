#pragma once
// Products as stored, and their rendered JSON per currency, kept in memory: product reads are
// the hottest path of a shop and change rarely. Every write in this process invalidates the
// product it touched. Thread-safe.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>


#include "domain/attributes.hpp"
#include "domain/fx.hpp"
#include "platform/money.hpp"
#include "wire.hpp"

namespace shop::catalog {

struct VariantRow {
    std::string id, sku, title, options_json;
    std::vector<Money> prices;
    std::int64_t weight_grams = 0;
};

struct BrandInfo {
    std::string id, name, slug;
};

struct CategoryInfo {
    std::string id, name, slug, path;
};

struct AttributeInfo {
    std::string code, name;
    domain::AttributeType type = domain::AttributeType::text;
    domain::AttributeValue value;
};

struct ImageInfo {
    std::string id, url, alt;
    std::int64_t position = 0;
};

struct ProductDoc {
    std::string id, title, slug, description, status, vendor_id, created_at, updated_at;
    std::string tax_class = "standard";
    std::vector<VariantRow> variants;
    std::optional<BrandInfo> brand;
    std::vector<CategoryInfo> categories;       ///< as assigned, with their paths when loaded
    std::vector<std::string> category_closure;  ///< the categories and all their ancestors
    std::int64_t rating_sum = 0, rating_count = 0;  ///< of the approved reviews
    std::vector<AttributeInfo> attributes;          ///< by code
    std::vector<ImageInfo> images;                  ///< by position
    std::string meta_title, meta_description;       ///< "" = unset
};

/// A product rendered for one currency: its JSON and a strong ETag of it.
struct Rendered {
    std::string json;
    std::string etag;
};

/// An image as replied.
Image image_reply(const ImageInfo& im);

/// The reply of a product in `currency`, converting base prices at `fx` where a variant has no
/// price of its own.
Product product_reply(const ProductDoc& p, const std::string& currency, const domain::FxTable& fx);

class ProductCache {
public:
    explicit ProductCache(std::size_t max_products = 200000) : max_(max_products) {}

    std::shared_ptr<const ProductDoc> find(const std::string& id) const;
    std::optional<std::string> id_for_slug(const std::string& slug) const;
    /// The product a cached variant SKU belongs to.
    std::optional<std::string> product_for_sku(const std::string& sku) const;
    /// Bumped by every invalidate(): a load that started before a write must not cache its result.
    std::uint64_t generation() const noexcept { return generation_.load(); }
    /// Caches `doc` unless an invalidation happened since `generation` was read.
    void put(std::shared_ptr<const ProductDoc> doc, std::uint64_t generation);
    /// The FX rates replies convert with (never null).
    std::shared_ptr<const domain::FxTable> fx() const;
    /// New rates: every rendering is stale.
    void set_fx(std::shared_ptr<const domain::FxTable> fx);
    /// The product rendered in `currency`, rendering it once.
    std::shared_ptr<const Rendered> rendered(const std::shared_ptr<const ProductDoc>& doc, const std::string& currency);
    void invalidate(const std::string& id);
    /// Forgets every product: a category moved or was renamed, or a brand changed, which shows in
    /// many products' replies and in their category ancestry. Rare.
    void invalidate_all();

private:
    struct Entry {
        std::shared_ptr<const ProductDoc> doc;
        std::map<std::string, std::shared_ptr<const Rendered>, std::less<>> by_currency;
    };
    mutable std::shared_mutex mu_;
    std::unordered_map<std::string, Entry> by_id_;
    std::unordered_map<std::string, std::string> slug_to_id_;
    std::unordered_map<std::string, std::string> sku_to_id_;
    std::size_t max_;
    std::atomic<std::uint64_t> generation_{0};
    std::shared_ptr<const domain::FxTable> fx_ = std::make_shared<domain::FxTable>();  ///< guarded by mu_
};

}  // namespace shop::catalog
