// Search on both databases (SQLite FTS5 in the first pass of scripts/test, PostgreSQL tsvector in
// the second): the same queries rank the same products in the same order.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

void product(HttpClient& admin, const std::string& title, const std::string& description, const std::string& sku) {
    auto r = admin.post("/api/v1/products",
                        json::object{{"title", title},
                                     {"description", description},
                                     {"status", "published"},
                                     {"variants", json::array{json::object{{"sku", sku}, {"prices", json::array{json::object{{"amount", 1000}, {"currency", "USD"}}}}}}}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
}

std::vector<std::string> slugs(const HttpResult& r) {
    std::vector<std::string> out;
    auto body = r.json();
    for (auto& h : body.at("data").as_array()) out.emplace_back(h.at("slug").as_string());
    return out;
}

}  // namespace

TEST_CASE("a title match ranks above a description match, and a prefix matches the word being typed") {
    TestShop shop;
    auto admin = shop.admin();
    product(admin, "City Tote", "A canvas bag for every runner and rider.", "TOTE-1");
    product(admin, "Trail Runner", "Light shoe with a grippy sole.", "TRAIL-1");
    product(admin, "Runner Socks", "Merino socks that breathe.", "SOCK-1");
    shop.settle();
    auto c = shop.client();
    auto hits = c.get("/api/v1/search?q=runner");
    REQUIRE(hits.status == 200);
    CHECK(hits.json().at("total").as_int64() == 3);
    auto order = slugs(hits);
    REQUIRE(order.size() == 3);
    CHECK(order[2] == "city-tote");  // only its description says "runner"
    CHECK(hits.json().at("data").at(0).at("score").as_double() > hits.json().at("data").at(2).at("score").as_double());
    CHECK(hits.json().at("suggestion").is_null());
    CHECK(slugs(c.get("/api/v1/search?q=trail%20run")) == std::vector<std::string>{"trail-runner"});
}

TEST_CASE("a mistyped query finds what was meant and says so - nonsense finds nothing") {
    TestShop shop(std::map<std::string, std::string>{}, true);  // the demo catalog
    shop.settle();
    auto c = shop.client();
    auto typo = c.get("/api/v1/search?q=yoag%20mat");
    REQUIRE(typo.status == 200);
    CHECK(typo.json().at("total").as_int64() == 1);
    CHECK(slugs(typo) == std::vector<std::string>{"yoga-mat"});
    CHECK(typo.json().at("suggestion").as_string() == "yoga mat");

    auto two = c.get("/api/v1/search?q=wireles%20hedphones");  // one and two typos in long words
    CHECK(slugs(two) == std::vector<std::string>{"wireless-headphones"});
    CHECK(two.json().at("suggestion").as_string() == "wireless headphones");

    auto exact = c.get("/api/v1/search?q=yoga");
    CHECK(exact.json().at("suggestion").is_null());
    auto nothing = c.get("/api/v1/search?q=qqqqzzzz");
    CHECK(nothing.json().at("total").as_int64() == 0);
    CHECK(nothing.json().at("suggestion").is_null());
    // Short words are not guessed at: "mta" has too many neighbours.
    CHECK(c.get("/api/v1/search?q=mta").json().at("total").as_int64() == 0);
    // A new product's words can be corrected to as soon as it is indexed.
    auto admin = shop.admin();
    product(admin, "Sea Kayak", "Stable touring kayak.", "KAYAK-2");
    shop.settle();
    CHECK(slugs(c.get("/api/v1/search?q=kayka")) == std::vector<std::string>{"sea-kayak"});
}
