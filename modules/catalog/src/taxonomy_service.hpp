#pragma once
// Categories (a tree), brands and collections: their rules, storage and the filters of the
// product list. Thread-safe.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/taxonomy.hpp"
#include "platform/context.hpp"
#include "platform/error.hpp"
#include "product_cache.hpp"
#include "taxonomy_wire.hpp"

namespace shop::db {
class Database;
class Sql;
}  // namespace shop::db

namespace shop::catalog {

/// What the product list is narrowed to; empty members do not narrow.
struct ProductFilter {
    std::vector<std::string> category_ids;  ///< a category's whole subtree
    std::string brand_id;
    std::string collection_id;
};

class TaxonomyService {
public:
    TaxonomyService(db::Database& db, ProductCache& products) : db_(db), products_(products) {}

    /// Every category as read from `sql` (inside a transaction: as it sees them).
    static std::shared_ptr<const domain::CategoryTree> load_tree(db::Sql& sql);
    /// The category tree, cached until a category changes in this process.
    std::shared_ptr<const domain::CategoryTree> tree();

    CategoryTreeReply category_tree();
    Result<CategoryDetail> category(const std::string& id_or_slug);
    Result<CategoryDetail> create_category(const Ctx& ctx, const CategoryRequest& in);
    Result<CategoryDetail> update_category(const Ctx& ctx, const std::string& id, const CategoryPatchRequest& in);
    Result<void> delete_category(const Ctx& ctx, const std::string& id);

    BrandPage list_brands(const std::string& after, int limit);
    Result<BrandRef> create_brand(const Ctx& ctx, const BrandRequest& in);
    Result<BrandRef> update_brand(const Ctx& ctx, const std::string& id, const BrandPatchRequest& in);
    Result<void> delete_brand(const Ctx& ctx, const std::string& id);

    CollectionPage list_collections(const std::string& after, int limit);
    Result<Collection> collection(const std::string& id_or_slug);
    Result<Collection> create_collection(const Ctx& ctx, const CollectionRequest& in);
    Result<Collection> update_collection(const Ctx& ctx, const std::string& id, const CollectionPatchRequest& in);
    Result<void> delete_collection(const Ctx& ctx, const std::string& id);

    /// The product list's filter from its query parameters (ids or slugs); an unknown one is 422
    /// naming its parameter.
    Result<ProductFilter> product_filter(const std::string& category, const std::string& brand, const std::string& collection);

private:
    /// After a category write committed: the tree and every product reply showing paths are stale.
    void categories_changed();

    db::Database& db_;
    ProductCache& products_;
    std::mutex mu_;
    std::shared_ptr<const domain::CategoryTree> tree_;
    std::uint64_t tree_generation_ = 0;  ///< guarded by mu_; bumped by every category write
};

/// The category `node` of `tree` with its subtree, as replied.
Category category_reply(const domain::CategoryTree& tree, const domain::CategoryNode& node);

}  // namespace shop::catalog
