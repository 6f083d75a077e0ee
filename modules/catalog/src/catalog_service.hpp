#pragma once
#include <optional>

#include "catalog/api.hpp"
#include "platform/log.hpp"
#include "product_cache.hpp"
#include "taxonomy_service.hpp"

namespace shop::db {
class Database;
}

namespace shop::catalog {

struct ProductPatch {
    std::optional<std::string> title, slug, description, status, tax_class;
    std::optional<std::string> brand_id;                   ///< "" takes the brand away
    std::optional<std::vector<std::string>> category_ids;  ///< replaces the categories
};

/// A page of rendered products and the cursor of the next page.
struct RenderedPage {
    std::vector<std::shared_ptr<const Rendered>> items;
    std::string next_after;  ///< empty on the last page
};

class CatalogService final : public CatalogApi {
public:
    CatalogService(db::Database& db, Logger& log) : db_(db), log_(log), taxonomy_(db, cache_) {}

    Result<PurchasableVariant> purchasable(std::string_view sku, std::string_view currency) override;
    Result<CreatedProduct> create_product(const Ctx& ctx, const NewProduct& product) override;
    /// Creates a product; records the created product rendered in `reply_currency` as the reply
    /// of the request (Idempotency-Key) when it is not empty.
    Result<CreatedProduct> create_product(const Ctx& ctx, const NewProduct& product, const std::string& reply_currency);
    bool category_exists(std::string_view id) override { return taxonomy_.tree()->find(id) != nullptr; }
    std::int64_t product_count() override;
    Result<ProductBrief> published_product(std::string_view product_id) override;
    Result<std::string> add_category(const Ctx& ctx, const std::string& name, const std::string& parent_id) override;
    Result<std::string> add_brand(const Ctx& ctx, const std::string& name) override;
    Result<SkuOwner> sku_owner(std::string_view sku) override;

    /// A product by id or slug as the caller may see it (drafts: owner vendor and admins only).
    Result<std::shared_ptr<const ProductDoc>> find_visible(const Ctx& ctx, const std::string& id_or_slug);
    /// Published products, newest first, after the cursor position, narrowed by `filter`.
    RenderedPage list_published(const std::string& after, int limit, const std::string& currency, const ProductFilter& filter = {});
    /// The published products among `ids`, in that order.
    std::vector<std::shared_ptr<const ProductDoc>> published(const std::vector<std::string>& ids);
    Result<std::shared_ptr<const ProductDoc>> update_product(const Ctx& ctx, const std::string& id, const ProductPatch& patch);
    ProductCache& cache() { return cache_; }
    TaxonomyService& taxonomy() { return taxonomy_; }

private:
    std::shared_ptr<const ProductDoc> load(const std::string& id);

    db::Database& db_;
    Logger& log_;
    ProductCache cache_;
    TaxonomyService taxonomy_;  ///< after cache_, which it invalidates
};

}  // namespace shop::catalog
