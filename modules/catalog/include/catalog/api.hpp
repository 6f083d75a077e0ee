#pragma once
// catalog: products, variants (SKUs) and their prices per currency.
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"
#include "platform/money.hpp"

namespace shop::catalog {

/// A variant that can be bought now, priced in the asked currency.
struct PurchasableVariant {
    std::string product_id;
    std::string product_title;
    std::string variant_id;
    std::string sku;
    std::string variant_title;
    Money unit_price;
    std::string tax_class = "standard";  ///< the product's; ordering's tax rates are per class
    std::int64_t weight_grams = 0;       ///< per unit, for shipping by weight
    /// The product's categories and all their ancestors (a product in `clothing/shirts` is also in
    /// `clothing`), each once: what category-limited promotions match against.
    std::vector<std::string> category_ids;
    std::string brand_id;  ///< "" without a brand
};

struct NewVariant {
    std::string sku;
    std::string title;
    std::vector<std::pair<std::string, std::string>> options;  ///< e.g. {"size", "M"}
    std::vector<Money> prices;                                  ///< at most one per currency
    std::int64_t weight_grams = 0;
};

struct NewImage {
    std::string url;  ///< absolute http(s) URL, or `/media/<name>` of an upload
    std::string alt;
    std::int64_t position = 0;
};

struct NewProduct {
    std::string title;
    std::string slug;  ///< derived from the title when empty
    std::string description;
    std::string status = "draft";  ///< draft | published | archived
    std::vector<NewVariant> variants;
    std::string tax_class = "standard";
    std::string brand_id;                   ///< "" for none; must exist
    std::vector<std::string> category_ids;  ///< each must exist, none twice
    /// By attribute code: a string (text, option), a number or a boolean, as the attribute's type
    /// says; each attribute must be defined.
    std::map<std::string, boost::json::value> attributes;
    std::vector<NewImage> images;
    std::string meta_title, meta_description;  ///< SEO; "" = unset
};

struct CreatedProduct {
    std::string id;
    std::string slug;
    std::vector<std::pair<std::string, std::string>> variant_ids;  ///< sku -> variant id
};

/// The product a SKU belongs to and who owns it.
struct SkuOwner {
    std::string product_id;
    std::string vendor_id;  ///< the vendor that created the product, "" for the shop's own
};

/// A published product in brief.
struct ProductBrief {
    std::string id;
    std::string title;
    std::string slug;
};

/// A SKU's on-hand stock in one warehouse.
struct WarehouseStock {
    std::string warehouse;
    std::int64_t on_hand = 0;
};

/// Stock for the product CSV (export and import): the catalog does not depend on inventory, so the
/// composition root answers this port from inventory's API. Thread-safe.
class StockPort {
public:
    virtual ~StockPort() = default;
    /// Warehouse codes, sorted.
    virtual std::vector<std::string> warehouses() = 0;
    /// The SKU's on-hand stock per warehouse where it has a level.
    virtual std::vector<WarehouseStock> on_hand(std::string_view sku) = 0;
    /// Sets the SKU's on-hand stock in a warehouse (a movement in inventory's ledger).
    virtual Result<void> set_on_hand(const Ctx& ctx, std::string_view sku, std::string_view warehouse, std::int64_t on_hand) = 0;
};

/// The service face of the catalog. Thread-safe.
class CatalogApi {
public:
    virtual ~CatalogApi() = default;
    /// The published variant with this SKU priced in `currency`: not_found when the SKU is unknown
    /// or its product is not published, catalog::errc::not_priced without a price in `currency`.
    virtual Result<PurchasableVariant> purchasable(std::string_view sku, std::string_view currency) = 0;
    /// Creates a product (validation as for POST /api/v1/products). The caller is the vendor.
    virtual Result<CreatedProduct> create_product(const Ctx& ctx, const NewProduct& product) = 0;
    /// The product (in any status) that has a variant with this SKU: not_found when none has.
    virtual Result<SkuOwner> sku_owner(std::string_view sku) = 0;
    /// Whether a category with this id exists.
    virtual bool category_exists(std::string_view id) = 0;
    /// The product with this id when it is published: not_found when it is unknown or not published.
    virtual Result<ProductBrief> published_product(std::string_view product_id) = 0;
    /// Number of products in any status.
    virtual std::int64_t product_count() = 0;
    /// Creates a category under `parent_id` ("" for a root), last among its siblings, with a slug
    /// made from its name (as POST /api/v1/categories); returns its id.
    virtual Result<std::string> add_category(const Ctx& ctx, const std::string& name, const std::string& parent_id) = 0;
    /// Creates a brand with a slug made from its name (as POST /api/v1/brands); returns its id.
    virtual Result<std::string> add_brand(const Ctx& ctx, const std::string& name) = 0;
    /// Stores an image as an upload does (type checked against the bytes' signature, size limit)
    /// and returns its public path `/media/<sha256>.<ext>`, for NewProduct::images.
    virtual Result<std::string> store_image(std::string_view bytes, std::string_view content_type) = 0;
};

}  // namespace shop::catalog
