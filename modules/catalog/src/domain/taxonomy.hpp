#pragma once
// Pure rules for the category tree: building it from rows (children in order, paths, ancestors),
// subtrees, and which moves are allowed. No I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shop::catalog::domain {

/// A category as stored; `parent_id` is "" for a root.
struct CategoryRow {
    std::string id, name, slug, parent_id;
    std::int64_t position = 0;
};

/// A category placed in its tree.
struct CategoryNode {
    CategoryRow row;
    std::string path;                    ///< slugs from the root joined by '/': `clothing/shirts`
    std::vector<std::string> ancestors;  ///< ids, the root first, without the node itself
    std::vector<std::string> children;   ///< ids, by position, then name, then id
};

/// Every category of the shop as a tree. Immutable once built; safe to share between threads.
class CategoryTree {
public:
    CategoryTree() = default;
    /// A row whose parent is unknown (or that sits in a cycle) is placed as a root.
    explicit CategoryTree(std::vector<CategoryRow> rows);

    const CategoryNode* find(std::string_view id) const;
    const CategoryNode* find_slug(std::string_view slug) const;
    /// By id when `key` is one, else by slug.
    const CategoryNode* find_key(std::string_view key) const;
    /// The root ids, in order.
    const std::vector<std::string>& roots() const noexcept { return roots_; }
    /// `id` and every category below it, parents before children.
    std::vector<std::string> subtree(std::string_view id) const;
    /// The categories `ids` and all their ancestors, each once: what a product in `ids` is "in".
    std::vector<std::string> with_ancestors(const std::vector<std::string>& ids) const;
    /// The largest position among the children of `parent_id` ("" = roots), or -1 without any.
    std::int64_t last_position(std::string_view parent_id) const;
    std::size_t size() const noexcept { return by_id_.size(); }

private:
    std::unordered_map<std::string, CategoryNode> by_id_;
    std::unordered_map<std::string, std::string> by_slug_;
    std::vector<std::string> roots_;
};

/// Why `id` may not be placed under `new_parent` ("" = as a root), or "" when it may: the parent
/// must exist, and may be neither the category itself nor one of its descendants.
std::string move_problem(const CategoryTree& tree, std::string_view id, std::string_view new_parent);

}  // namespace shop::catalog::domain
