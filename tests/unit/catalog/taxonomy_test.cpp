#include "catalog/src/domain/taxonomy.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using shop::catalog::domain::CategoryRow;
using shop::catalog::domain::CategoryTree;
using shop::catalog::domain::move_problem;

namespace {

// clothing (0) ── shirts (1) ── oxford
//              └─ trousers (0)
// home (1)
CategoryTree shop_tree() {
    return CategoryTree({{"c", "Clothing", "clothing", "", 0},
                         {"s", "Shirts", "shirts", "c", 1},
                         {"t", "Trousers", "trousers", "c", 0},
                         {"o", "Oxford", "oxford", "s", 0},
                         {"h", "Home", "home", "", 1}});
}

}  // namespace

TEST_CASE("a tree from rows: roots and children by position, paths of slugs, ancestors root first") {
    auto tree = shop_tree();
    CHECK(tree.roots() == std::vector<std::string>{"c", "h"});
    CHECK(tree.find("c")->children == std::vector<std::string>{"t", "s"});
    CHECK(tree.find("o")->path == "clothing/shirts/oxford");
    CHECK(tree.find("o")->ancestors == std::vector<std::string>{"c", "s"});
    CHECK(tree.find("h")->ancestors.empty());
    CHECK(tree.find_slug("oxford")->row.id == "o");
    CHECK(tree.find_key("s")->row.slug == "shirts");
    CHECK(tree.find_key("shirts")->row.id == "s");
    CHECK(tree.find_key("nope") == nullptr);
    CHECK(tree.last_position("c") == 1);
    CHECK(tree.last_position("o") == -1);
    CHECK(tree.last_position("") == 1);
}

TEST_CASE("equal positions fall back to the name, so the order never depends on storage") {
    CategoryTree tree({{"b", "Beta", "beta", "", 0}, {"a", "Alpha", "alpha", "", 0}});
    CHECK(tree.roots() == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a subtree holds the category and everything below it - ancestry adds every parent once") {
    auto tree = shop_tree();
    CHECK(tree.subtree("c") == std::vector<std::string>{"c", "t", "s", "o"});
    CHECK(tree.subtree("o") == std::vector<std::string>{"o"});
    CHECK(tree.subtree("x").empty());
    CHECK(tree.with_ancestors({"o"}) == std::vector<std::string>{"c", "s", "o"});
    CHECK(tree.with_ancestors({"o", "t", "h"}) == std::vector<std::string>{"c", "s", "o", "t", "h"});
    CHECK(tree.with_ancestors({"gone"}).empty());
}

TEST_CASE("a move under the category itself or its descendants is refused - elsewhere it is allowed") {
    auto tree = shop_tree();
    CHECK_FALSE(move_problem(tree, "c", "c").empty());
    CHECK_FALSE(move_problem(tree, "c", "s").empty());
    CHECK_FALSE(move_problem(tree, "c", "o").empty());
    CHECK_FALSE(move_problem(tree, "s", "o").empty());
    CHECK_FALSE(move_problem(tree, "s", "missing").empty());
    CHECK(move_problem(tree, "s", "h").empty());
    CHECK(move_problem(tree, "o", "c").empty());
    CHECK(move_problem(tree, "s", "").empty());
}

TEST_CASE("stored rows that form a cycle still load: each node once, placed as a root") {
    CategoryTree tree({{"a", "A", "a", "b", 0}, {"b", "B", "b", "a", 0}, {"r", "R", "r", "", 0}});
    CHECK(tree.size() == 3);
    CHECK(tree.find("a") != nullptr);
    std::size_t placed = tree.roots().size();
    for (auto& r : tree.roots()) placed += tree.subtree(r).size() - 1;
    CHECK(placed == 3);
}
