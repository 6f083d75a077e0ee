// The demo data set: the sizes the README promises, the three test accounts, a consistent tree, and
// the same data from the same seed.
#include "app/demo_dataset.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace shop::app;

TEST_CASE("the demo data set has the promised accounts, tree, brands, products, stock and orders") {
    auto d = demo_dataset();
    REQUIRE(d.users.size() == 128);
    CHECK(d.users[0].email == "admin@example.com");
    CHECK(d.users[0].role == "admin");
    CHECK(d.users[1].email == "vendor@example.com");
    CHECK(d.users[1].role == "vendor");
    CHECK(d.users[2].email == "customer@example.com");
    CHECK(d.users[2].password == "Customer123!");
    std::set<std::string> emails;
    for (auto& u : d.users) emails.insert(u.email);
    CHECK(emails.size() == 128);

    CHECK(d.categories.size() == 50);
    int roots = 0;
    for (auto& c : d.categories) {
        if (c.parent < 0) ++roots;
        else CHECK(d.categories[static_cast<std::size_t>(c.parent)].parent < 0);  // parents come first and are roots
    }
    CHECK(roots == 10);
    CHECK(d.brands.size() == 40);

    REQUIRE(d.products.size() == 600);
    std::set<std::string> titles, skus;
    int sold_out = 0;
    for (auto& p : d.products) {
        titles.insert(p.title);
        CHECK(d.categories[static_cast<std::size_t>(p.category)].parent >= 0);  // products sit in subcategories
        REQUIRE(p.variants.size() == p.stock.size());
        for (std::size_t v = 0; v < p.variants.size(); ++v) {
            skus.insert(p.variants[v].sku);
            CHECK(p.variants[v].usd > 0);
            if (p.stock[v].front().on_hand == 0) ++sold_out;
        }
    }
    CHECK(titles.size() == 600);
    CHECK(skus.size() >= 600);
    CHECK(sold_out > 0);  // the in-stock facet has something to tell
    CHECK(d.orders.size() == 60);
}

TEST_CASE("the same seed gives the same data set, another seed another") {
    auto a = demo_dataset(7), b = demo_dataset(7), c = demo_dataset(8);
    REQUIRE(a.products.size() == b.products.size());
    for (std::size_t i = 0; i < a.products.size(); ++i) {
        CHECK(a.products[i].title == b.products[i].title);
        CHECK(a.products[i].variants[0].usd == b.products[i].variants[0].usd);
    }
    CHECK(a.users[50].email == b.users[50].email);
    CHECK(a.products[0].title != c.products[0].title);
}
