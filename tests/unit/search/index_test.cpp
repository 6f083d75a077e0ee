// The in-memory search index: matching, ranking, filters, disjunctive facets, sorts, typo
// correction, autocomplete and same-category neighbours, on a small hand-made corpus.
#include "domain/index.hpp"

#include <doctest/doctest.h>

#include "domain/query.hpp"

using namespace shop::search::domain;

namespace {

Document doc(std::string id, std::string title, std::string description, std::string brand, std::vector<std::string> categories,
             std::int64_t usd, double rating, bool in_stock) {
    Document d;
    d.product_id = std::move(id);
    d.title = std::move(title);
    d.slug = d.product_id + "-slug";
    d.description = std::move(description);
    d.brand_id = std::move(brand);
    d.category_ids = std::move(categories);
    if (usd >= 0) d.prices = {{"USD", usd}, {"EUR", usd * 9 / 10}};
    d.rating_average = rating;
    d.rating_count = rating > 0 ? 3 : 0;
    d.in_stock = in_stock;
    return d;
}

Corpus corpus() {
    Corpus c;
    c.categories = {{"cat_shoes", "Shoes", "shoes", ""}, {"cat_run", "Running shoes", "running-shoes", "cat_shoes"},
                    {"cat_bags", "Bags", "bags", ""}};
    c.brands = {{"brd_a", "Acme", "acme"}, {"brd_b", "Bolt", "bolt"}, {"brd_z", "Zeta", "zeta"}};
    c.documents = {
        doc("prd_1", "Trail Runner", "Light shoe with a grippy sole.", "brd_a", {"cat_run"}, 9000, 4.5, true),
        doc("prd_2", "Road Runner", "Fast shoe for the road.", "brd_b", {"cat_run"}, 12000, 3.2, false),
        doc("prd_3", "City Tote", "A canvas bag for every runner.", "brd_a", {"cat_bags"}, 3000, 4.9, true),
        doc("prd_4", "Leather Boot", "Warm boot.", "brd_b", {"cat_shoes"}, 20000, 0, true),
        doc("prd_5", "Runner Socks", "Merino socks.", "", {}, -1, 0, true),
    };
    c.collections = {{"col_sale", "Sale", "sale", {"prd_2", "prd_4", "prd_gone"}}};
    return c;
}

std::vector<std::string> ids(const Results& r) {
    std::vector<std::string> out;
    for (auto& h : r.hits) out.push_back(h.doc->product_id);
    return out;
}

Query query(std::string text) {
    Query q;
    q.words = tokenize(text);
    q.currency = "USD";
    return q;
}

std::int64_t count_of(const std::vector<FacetCount>& facet, const std::string& id) {
    for (auto& f : facet)
        if (f.id == id) return f.count;
    return 0;
}

}  // namespace

TEST_CASE("title matches rank above description matches and the last word is a prefix") {
    Index index(corpus());
    auto r = index.search(query("runner"));
    CHECK(r.total == 4);
    REQUIRE(r.hits.size() == 4);
    CHECK(r.hits.back().doc->product_id == "prd_3");  // only its description says runner
    CHECK(r.hits.front().score > r.hits.back().score);
    CHECK(ids(index.search(query("trail run"))) == std::vector<std::string>{"prd_1"});
    CHECK(index.search(query("run trail")).total == 0);  // a word before the last must be whole
    CHECK_FALSE(index.search(query("runner")).suggestion);
}

TEST_CASE("a mistyped word is corrected when nothing matches as typed") {
    Index index(corpus());
    auto r = index.search(query("leathr"));
    CHECK(ids(r) == std::vector<std::string>{"prd_4"});
    REQUIRE(r.suggestion);
    CHECK(*r.suggestion == "leather");
    CHECK(index.search(query("qqqqzzzz")).total == 0);
    CHECK_FALSE(index.search(query("qqqqzzzz")).suggestion);
}

TEST_CASE("filters combine and each facet ignores only its own filter") {
    Index index(corpus());
    auto q = query("shoe");
    q.filters.brand_ids = {"brd_a"};
    auto r = index.search(q);
    CHECK(ids(r) == std::vector<std::string>{"prd_1"});
    // Brand facet: both brands that have shoes, although only Acme is chosen.
    CHECK(count_of(r.brands, "brd_a") == 1);
    CHECK(count_of(r.brands, "brd_b") == 1);
    // Category facet respects the brand: only Acme's shoe, counted in its category and the parent.
    CHECK(count_of(r.categories, "cat_run") == 1);
    CHECK(count_of(r.categories, "cat_shoes") == 1);

    q.filters.brand_ids = {"brd_a", "brd_b"};  // any of them
    CHECK(index.search(q).total == 2);

    auto cat = query("a");
    cat.words = {};
    cat.filters.category_ids = {"cat_shoes"};  // includes running shoes below it
    CHECK(index.search(cat).total == 3);
    cat.filters.in_stock_only = true;
    CHECK(index.search(cat).total == 2);
    cat.filters.min_price = 10000;
    auto priced = index.search(cat);
    CHECK(ids(priced) == std::vector<std::string>{"prd_4"});
    // The price facet ignores the price filter but keeps category and stock: 9000 and 20000.
    CHECK(priced.price_buckets[3] == 1);  // 5000..10000
    CHECK(priced.price_buckets[4] == 1);  // 10000..25000
    CHECK(priced.price_buckets[5] == 0);
}

TEST_CASE("price buckets, rating facet, min_rating and collections") {
    Index index(corpus());
    Query all;
    all.currency = "USD";
    auto r = index.search(all);
    CHECK(r.total == 5);
    // 3000 -> [2], 9000 -> [3], 12000 and 20000 -> [4]; the unpriced product is in no bucket.
    CHECK(r.price_buckets == std::array<std::int64_t, 6>{0, 0, 1, 1, 2, 0});
    CHECK(r.rating_at_least == std::array<std::int64_t, 5>{3, 3, 3, 2, 0});
    all.filters.min_rating = 4;
    auto rated = index.search(all);
    CHECK(rated.total == 2);
    CHECK(rated.rating_at_least[0] == 3);  // the rating facet ignores min_rating
    all.filters.min_rating.reset();
    all.filters.collection_id = "col_sale";
    CHECK(index.search(all).total == 2);  // a product the index does not have is skipped
    all.filters.collection_id = "col_unknown";
    CHECK(index.search(all).total == 0);
}

TEST_CASE("sorts: price both ways with unpriced last, newest, rating, and pages") {
    Index index(corpus());
    Query q;
    q.currency = "USD";
    q.sort = Sort::price_asc;
    CHECK(ids(index.search(q)) == std::vector<std::string>{"prd_3", "prd_1", "prd_2", "prd_4", "prd_5"});
    q.sort = Sort::price_desc;
    CHECK(ids(index.search(q)) == std::vector<std::string>{"prd_4", "prd_2", "prd_1", "prd_3", "prd_5"});
    q.sort = Sort::newest;
    CHECK(ids(index.search(q)).front() == "prd_5");
    q.sort = Sort::rating;
    CHECK(ids(index.search(q)).front() == "prd_3");
    q.sort = Sort::price_asc;
    q.offset = 1;
    q.limit = 2;
    auto page = index.search(q);
    CHECK(page.total == 5);
    CHECK(ids(page) == std::vector<std::string>{"prd_1", "prd_2"});
    q.currency = "GBP";  // no product is priced in it: all unpriced, in score then index order
    q.offset = 0;
    q.limit = 20;
    CHECK(index.search(q).total == 5);
}

TEST_CASE("autocomplete: categories, brands, then titles, prefix and typo tolerant") {
    Index index(corpus());
    auto r = index.suggest("run", 10);
    REQUIRE(r.items.size() >= 3);
    CHECK(r.items[0].kind == "category");
    CHECK(r.items[0].text == "Running shoes");
    bool socks = false;
    for (auto& s : r.items) socks = socks || s.text == "Runner Socks";
    CHECK(socks);
    CHECK_FALSE(r.corrected);
    auto brand = index.suggest("acm", 5);
    REQUIRE_FALSE(brand.items.empty());
    CHECK(brand.items[0].kind == "brand");
    CHECK(brand.items[0].id == "brd_a");
    CHECK(index.suggest("zeta", 5).items.empty());  // a brand without published products is not offered
    auto typo = index.suggest("leathre bo", 5);
    REQUIRE(typo.items.size() == 1);
    CHECK(typo.items[0].text == "Leather Boot");
    REQUIRE(typo.corrected);
    CHECK(*typo.corrected == "leather bo");
    CHECK(index.suggest("trail", 1).items.size() == 1);
}

TEST_CASE("same category: the deepest category first, then above it, without the product itself") {
    Index index(corpus());
    auto* trail = index.find("prd_1");
    REQUIRE(trail);
    auto peers = index.same_category(*trail, 5, {});
    REQUIRE(peers.size() == 2);
    CHECK(peers[0]->product_id == "prd_2");  // same running-shoes category
    CHECK(peers[1]->product_id == "prd_4");  // shoes, one level up
    CHECK(index.same_category(*trail, 5, {"prd_2"}).size() == 1);
    CHECK(index.same_category(*index.find("prd_5"), 5, {}).empty());  // no category
}
