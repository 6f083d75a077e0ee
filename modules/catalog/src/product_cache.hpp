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

struct ProductDoc {
    std::string id, title, slug, description, status, vendor_id, created_at, updated_at;
    std::string tax_class = "standard";
    std::vector<VariantRow> variants;
    std::optional<BrandInfo> brand;
    std::vector<CategoryInfo> categories;       ///< as assigned, with their paths when loaded
    std::vector<std::string> category_closure;  ///< the categories and all their ancestors
};

/// A product rendered for one currency: its JSON and a strong ETag of it.
struct Rendered {
    std::string json;
    std::string etag;
};

/// The reply of a product in `currency`.
Product product_reply(const ProductDoc& p, const std::string& currency);

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
};

}  // namespace shop::catalog
