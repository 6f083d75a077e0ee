#pragma once
// Categories, brands and collections on the wire (see platform/api.hpp).
#include <optional>
#include <string>
#include <vector>

#include "platform/api.hpp"
#include "wire.hpp"

namespace shop::catalog {

struct CategoryRequest {
    api::Text<1, 100> name;
    std::optional<api::Text<1, 120>> slug;                  ///< default: made from the name
    std::optional<api::Nullable<api::Id<"cat">>> parent_id;  ///< absent or null: a root
    std::optional<api::Int<0, 1'000'000>> position;  ///< among its siblings, lowest first; the siblings from it on move down; default: last
};
SHOP_API_STRUCT(CategoryRequest, name, slug, parent_id, position)

struct CategoryPatchRequest {
    std::optional<api::Text<1, 100>> name;
    std::optional<api::Text<1, 120>> slug;
    std::optional<api::Nullable<api::Id<"cat">>> parent_id;  ///< moves the whole subtree; null: to the top
    std::optional<api::Int<0, 1'000'000>> position;  ///< as on create: the siblings from it on move down
};
SHOP_API_STRUCT(CategoryPatchRequest, name, slug, parent_id, position)

/// A category with its whole subtree.
struct Category {
    api::Id<"cat"> id;
    std::string name;
    std::string slug;
    api::Nullable<api::Id<"cat">> parent_id;
    std::int64_t position = 0;
    std::string path;  ///< slugs from the root: `clothing/shirts`
    std::vector<Category> children;
};
SHOP_API_STRUCT(Category, id, name, slug, parent_id, position, path, children)

struct CategoryTreeReply {
    std::vector<Category> data;  ///< the roots, each with its subtree
};
SHOP_API_STRUCT(CategoryTreeReply, data)

/// A category with its subtree and the way to it from the root.
struct CategoryDetail {
    api::Id<"cat"> id;
    std::string name;
    std::string slug;
    api::Nullable<api::Id<"cat">> parent_id;
    std::int64_t position = 0;
    std::string path;
    std::vector<Category> children;
    std::vector<CategoryRef> ancestors;  ///< the root first: a breadcrumb
};
SHOP_API_STRUCT(CategoryDetail, id, name, slug, parent_id, position, path, children, ancestors)

struct BrandRequest {
    api::Text<1, 100> name;
    std::optional<api::Text<1, 120>> slug;  ///< default: made from the name
};
SHOP_API_STRUCT(BrandRequest, name, slug)

struct BrandPatchRequest {
    std::optional<api::Text<1, 100>> name;
    std::optional<api::Text<1, 120>> slug;
};
SHOP_API_STRUCT(BrandPatchRequest, name, slug)

struct BrandPage {
    std::vector<BrandRef> data;  ///< newest first
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(BrandPage, data, next_cursor)

struct CollectionRequest {
    api::Text<1, 100> name;
    std::optional<api::Text<1, 120>> slug;             ///< default: made from the name
    api::List<api::Id<"prd">, 0, 500> product_ids;     ///< in the order the collection shows them
};
SHOP_API_STRUCT(CollectionRequest, name, slug, product_ids)

struct CollectionPatchRequest {
    std::optional<api::Text<1, 100>> name;
    std::optional<api::Text<1, 120>> slug;
    std::optional<api::List<api::Id<"prd">, 0, 500>> product_ids;  ///< replaces the list
};
SHOP_API_STRUCT(CollectionPatchRequest, name, slug, product_ids)

struct Collection {
    api::Id<"col"> id;
    std::string name;
    std::string slug;
    std::vector<api::Id<"prd">> product_ids;  ///< in list order, any status
};
SHOP_API_STRUCT(Collection, id, name, slug, product_ids)

struct CollectionPage {
    std::vector<Collection> data;  ///< newest first
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(CollectionPage, data, next_cursor)

/// A collection with its published products in list order.
struct CollectionDetail {
    api::Id<"col"> id;
    std::string name;
    std::string slug;
    std::vector<api::Id<"prd">> product_ids;
    std::vector<Product> products;  ///< the published ones, in list order
};
SHOP_API_STRUCT(CollectionDetail, id, name, slug, product_ids, products)

}  // namespace shop::catalog
