#pragma once
#include <functional>
#include <map>
#include <optional>

#include "attribute_service.hpp"
#include "media_store.hpp"
#include "catalog/api.hpp"
#include "domain/product_list.hpp"
#include "platform/log.hpp"
#include "product_cache.hpp"
#include "review_service.hpp"
#include "taxonomy_service.hpp"

namespace shop::db {
class Database;
class Tx;
}  // namespace shop::db

namespace shop::catalog {

/// Publishes the product as it now is (catalog.product_changed: its rating, first image, taxonomy)
/// inside `tx`, for changes made outside CatalogService (review moderation).
void publish_product_changed(db::Tx& tx, const std::string& product_id);

struct ProductPatch {
    std::optional<std::string> title, slug, description, status, tax_class;
    std::optional<std::string> brand_id;                   ///< "" takes the brand away
    std::optional<std::vector<std::string>> category_ids;  ///< replaces the categories
    std::optional<std::map<std::string, boost::json::value>> attributes;  ///< replaces the attribute values
    std::optional<std::vector<NewImage>> images;                          ///< replaces the images
    std::optional<std::string> meta_title, meta_description;
};

struct VariantPatch {
    std::optional<std::string> title;
    std::optional<std::vector<std::pair<std::string, std::string>>> options;  ///< replaces them
    std::optional<std::vector<Money>> prices;                                ///< replaces them
    std::optional<std::int64_t> weight_grams;
};

/// What one product's rows of a CSV import change, applied in one transaction: the product's
/// fields, existing variants (by id) and added variants.
struct ImportChanges {
    ProductPatch product;
    std::vector<std::pair<std::string, VariantPatch>> variants;
    std::vector<NewVariant> added;
};

/// What DELETE did: archived (orders name the product) or removed.
struct DeletedProduct {
    std::string id;
    bool archived = false;
};

/// What a page of the product list asks for (validated: the order and position are the routes').
struct ListRequest {
    domain::ListOrder order;
    std::optional<domain::ListPosition> after;  ///< none: the first page
    int limit = 20;
    std::string currency;
    ProductFilter filter;
    std::optional<std::int64_t> min_price, max_price;  ///< minor units of `currency`, inclusive
    std::vector<domain::AttributeFilter> attributes;   ///< each must hold
};

/// A page of rendered products and the cursor of the next page.
struct RenderedPage {
    std::vector<std::shared_ptr<const Rendered>> items;
    std::optional<domain::ListPosition> next;  ///< none on the last page
};

class CatalogService final : public CatalogApi {
public:
    CatalogService(db::Database& db, Logger& log, std::string base_currency, MediaStore& media)
        : db_(db), log_(log), base_currency_(std::move(base_currency)), media_(media), taxonomy_(db, cache_), attributes_(db, cache_),
          reviews_(db, cache_) {}

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
    Result<std::string> store_image(std::string_view bytes, std::string_view content_type) override;

    /// Every product id (any status), in id order (creation order).
    std::vector<std::string> all_product_ids();
    /// A product in any status, or null.
    std::shared_ptr<const ProductDoc> product(const std::string& id);
    /// Applies one product's imported changes in one transaction (admins; as PATCH would).
    Result<std::shared_ptr<const ProductDoc>> import_changes(const Ctx& ctx, const std::string& product_id, const ImportChanges& changes);

    /// A product by id or slug as the caller may see it (drafts: owner vendor and admins only).
    Result<std::shared_ptr<const ProductDoc>> find_visible(const Ctx& ctx, const std::string& id_or_slug);
    /// Published products in the asked order after the cursor position, narrowed by every filter.
    RenderedPage list_published(const ListRequest& q);
    /// The published products among `ids`, in that order.
    std::vector<std::shared_ptr<const ProductDoc>> published(const std::vector<std::string>& ids);
    Result<std::shared_ptr<const ProductDoc>> update_product(const Ctx& ctx, const std::string& id, const ProductPatch& patch);
    /// Adds a variant; records the product in `reply_currency` as the request's reply.
    Result<std::shared_ptr<const ProductDoc>> add_variant(const Ctx& ctx, const std::string& product_id, const NewVariant& v,
                                                          const std::string& reply_currency);
    Result<std::shared_ptr<const ProductDoc>> update_variant(const Ctx& ctx, const std::string& product_id, const std::string& variant_id,
                                                             const VariantPatch& patch);
    /// Refused (409 invalid_state) for a product's last variant.
    Result<std::shared_ptr<const ProductDoc>> remove_variant(const Ctx& ctx, const std::string& product_id, const std::string& variant_id);
    /// Adds an image (a product shows at most 50); records it as the request's reply.
    Result<ImageInfo> add_image(const Ctx& ctx, const std::string& product_id, const NewImage& image);
    /// Archives a product that was ever ordered (as ordering's events told), removes it otherwise.
    Result<DeletedProduct> delete_product(const Ctx& ctx, const std::string& id);
    /// Notes, in the subscriber's transaction, that an order named this product.
    void record_ordered(db::Tx& tx, const std::string& product_id, const std::string& order_id);
    /// Whether the caller may change `doc`: admins, and the vendor owning it; anyone else 403
    /// when the product is published (they see it), else 404.
    static Result<void> may_change(const Ctx& ctx, const ProductDoc& doc);

    /// The reply of a product in `currency`, with the current FX rates.
    Product reply(const ProductDoc& doc, const std::string& currency) const;
    /// Reads the FX rates into the cache when they differ from its own (at start, then every few
    /// seconds: another instance may have changed them).
    void load_fx_rates();
    FxRates fx_rates();
    /// Replaces the FX rates (currencies validated against ISO 4217, rates as decimal strings) and
    /// every product's list prices in the converted currencies, in one transaction.
    Result<FxRates> put_fx_rates(const Ctx& ctx, const FxRatesRequest& in);

    ProductCache& cache() { return cache_; }
    TaxonomyService& taxonomy() { return taxonomy_; }
    AttributeService& attributes() { return attributes_; }
    ReviewService& reviews() { return reviews_; }

private:
    /// Runs `change` on the product in a transaction after the ownership check, then stores its
    /// list prices, publishes the new state and forgets the cached one.
    Result<std::shared_ptr<const ProductDoc>> change_product(const Ctx& ctx, const std::string& id,
                                                             const std::function<Result<void>(db::Tx&, ProductDoc&)>& change,
                                                             const std::function<boost::json::value(const ProductDoc&)>& reply = {});
    std::shared_ptr<const ProductDoc> load(const std::string& id);
    /// The body of PATCH /products/{id} inside its transaction.
    Result<void> apply_patch(db::Tx& tx, ProductDoc& doc, const ProductPatch& patch);
    /// The body of PATCH /products/{id}/variants/{variant_id} inside its transaction.
    Result<void> apply_variant_patch(db::Tx& tx, ProductDoc& doc, const std::string& variant_id, const VariantPatch& patch);

    db::Database& db_;
    Logger& log_;
    std::string base_currency_;
    MediaStore& media_;
    ProductCache cache_;
    TaxonomyService taxonomy_;  ///< after cache_, which it invalidates
    AttributeService attributes_;
    ReviewService reviews_;
};

}  // namespace shop::catalog
