#include "domain/taxonomy.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_set>

namespace shop::catalog::domain {

CategoryTree::CategoryTree(std::vector<CategoryRow> rows) {
    for (auto& r : rows) {
        std::string id = r.id;
        by_slug_[r.slug] = id;
        by_id_[id].row = std::move(r);
    }
    auto order = [this](const std::string& a, const std::string& b) {
        const auto& x = by_id_.at(a).row;
        const auto& y = by_id_.at(b).row;
        return std::tie(x.position, x.name, x.id) < std::tie(y.position, y.name, y.id);
    };
    std::unordered_map<std::string, std::vector<std::string>> kids;
    std::vector<std::string> tops;
    for (auto& [id, node] : by_id_) {
        const auto& parent = node.row.parent_id;
        if (!parent.empty() && parent != id && by_id_.count(parent)) kids[parent].push_back(id);
        else tops.push_back(id);
    }
    for (auto& [id, list] : kids) std::sort(list.begin(), list.end(), order);
    std::unordered_set<std::string> placed;
    // Depth first from the roots; a node reached a second time (impossible unless the stored rows
    // hold a cycle) is not descended into again.
    auto place = [&](auto& self, const std::string& id, const CategoryNode* parent) -> void {
        if (!placed.insert(id).second) return;
        auto& node = by_id_.at(id);
        if (parent) {
            node.path = parent->path + "/" + node.row.slug;
            node.ancestors = parent->ancestors;
            node.ancestors.push_back(parent->row.id);
        } else {
            node.path = node.row.slug;
        }
        auto it = kids.find(id);
        if (it == kids.end()) return;
        for (auto& child : it->second) {
            if (placed.count(child)) continue;
            node.children.push_back(child);
            self(self, child, &node);
        }
    };
    std::sort(tops.begin(), tops.end(), order);
    for (auto& id : tops) place(place, id, nullptr);
    // Rows caught in a cycle were reached from no root: make them roots so nothing is lost.
    std::vector<std::string> stranded;
    for (auto& [id, node] : by_id_)
        if (!placed.count(id)) stranded.push_back(id);
    std::sort(stranded.begin(), stranded.end(), order);
    for (auto& id : stranded) {
        if (placed.count(id)) continue;
        tops.push_back(id);
        place(place, id, nullptr);
    }
    roots_ = std::move(tops);
}

const CategoryNode* CategoryTree::find(std::string_view id) const {
    auto it = by_id_.find(std::string(id));
    return it == by_id_.end() ? nullptr : &it->second;
}

const CategoryNode* CategoryTree::find_slug(std::string_view slug) const {
    auto it = by_slug_.find(std::string(slug));
    return it == by_slug_.end() ? nullptr : find(it->second);
}

const CategoryNode* CategoryTree::find_key(std::string_view key) const {
    if (auto n = find(key)) return n;
    return find_slug(key);
}

std::vector<std::string> CategoryTree::subtree(std::string_view id) const {
    std::vector<std::string> out;
    if (!find(id)) return out;
    out.emplace_back(id);
    for (std::size_t i = 0; i < out.size(); ++i)
        for (auto& child : by_id_.at(out[i]).children) out.push_back(child);
    return out;
}

std::vector<std::string> CategoryTree::with_ancestors(const std::vector<std::string>& ids) const {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (auto& id : ids) {
        auto node = find(id);
        if (!node) continue;
        for (auto& a : node->ancestors)
            if (seen.insert(a).second) out.push_back(a);
        if (seen.insert(id).second) out.push_back(id);
    }
    return out;
}

std::int64_t CategoryTree::last_position(std::string_view parent_id) const {
    std::int64_t last = -1;
    for (auto& [id, node] : by_id_)
        if (node.row.parent_id == parent_id || (parent_id.empty() && !find(node.row.parent_id)))
            last = std::max(last, node.row.position);
    return last;
}

std::string move_problem(const CategoryTree& tree, std::string_view id, std::string_view new_parent) {
    if (new_parent.empty()) return "";
    if (new_parent == id) return "a category cannot be its own parent";
    auto parent = tree.find(new_parent);
    if (!parent) return "no such category";
    for (auto& a : parent->ancestors)
        if (a == id) return "is a descendant of this category: the move would make a cycle";
    return "";
}

}  // namespace shop::catalog::domain
