// The product list as a shopper pages through it: every filter and sort of the API, combined,
// with cursors that neither skip nor repeat a product, and bad parameters named in a 422.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

std::string first_field(const HttpResult& r) {
    REQUIRE_MESSAGE(r.json().as_object().contains("errors"), r.body);
    return std::string(r.json().at("errors").at(0).at("field").as_string());
}

json::object price(std::int64_t amount, const std::string& currency) { return json::object{{"amount", amount}, {"currency", currency}}; }

/// A published product whose variants cost `usd` (and `eur` where not negative).
std::string product(HttpClient& admin, const std::string& title, const std::vector<std::int64_t>& usd, std::int64_t eur = -1,
                    const std::string& brand_id = "") {
    json::array variants;
    for (std::size_t i = 0; i < usd.size(); ++i) {
        json::array prices{price(usd[i], "USD")};
        if (eur >= 0) prices.push_back(price(eur + static_cast<std::int64_t>(i), "EUR"));
        std::string sku;
        for (char ch : title) sku.push_back(ch == ' ' ? '-' : ch);
        variants.push_back(json::object{{"sku", sku + "-" + std::to_string(i)}, {"prices", prices}});
    }
    json::object body{{"title", title}, {"status", "published"}, {"variants", variants}};
    if (!brand_id.empty()) body["brand_id"] = brand_id;
    auto r = admin.post("/api/v1/products", body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("id");
}

/// Every page of `query` (limit 2), each product's title, checking no product comes twice.
std::vector<std::string> all_pages(HttpClient& c, const std::string& query) {
    std::vector<std::string> titles;
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
        auto r = c.get("/api/v1/products?limit=2&" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
        REQUIRE_MESSAGE(r.status == 200, r.body);
        auto body = r.json();
        for (auto& p : body.at("data").as_array()) titles.emplace_back(p.at("title").as_string());
        if (body.at("next_cursor").is_null()) return titles;
        cursor = std::string(body.at("next_cursor").as_string());
    }
    FAIL("the cursor never ended");
    return titles;
}

}  // namespace

TEST_CASE("the product list sorts by price, title, creation and rating in both directions - every page once, ties by id") {
    TestShop shop;
    auto admin = shop.admin();
    // Created in this order; two share a price so the id breaks the tie.
    product(admin, "Delta", {3000});
    product(admin, "alpha", {1000, 500});  // from 5.00: the lowest variant counts
    product(admin, "Charlie", {2000});
    product(admin, "Bravo", {2000});
    product(admin, "echo", {4000});
    auto c = shop.client();

    CHECK(all_pages(c, "") == std::vector<std::string>{"echo", "Bravo", "Charlie", "alpha", "Delta"});
    CHECK(all_pages(c, "sort=newest") == std::vector<std::string>{"echo", "Bravo", "Charlie", "alpha", "Delta"});
    CHECK(all_pages(c, "sort=created") == std::vector<std::string>{"Delta", "alpha", "Charlie", "Bravo", "echo"});
    CHECK(all_pages(c, "sort=-created") == std::vector<std::string>{"echo", "Bravo", "Charlie", "alpha", "Delta"});
    CHECK(all_pages(c, "sort=price") == std::vector<std::string>{"alpha", "Charlie", "Bravo", "Delta", "echo"});
    CHECK(all_pages(c, "sort=-price") == std::vector<std::string>{"echo", "Delta", "Bravo", "Charlie", "alpha"});
    CHECK(all_pages(c, "sort=title") == std::vector<std::string>{"alpha", "Bravo", "Charlie", "Delta", "echo"});
    CHECK(all_pages(c, "sort=-title") == std::vector<std::string>{"echo", "Delta", "Charlie", "Bravo", "alpha"});
    // No reviews yet: every rating is equal, so the id decides (oldest first ascending).
    CHECK(all_pages(c, "sort=rating") == std::vector<std::string>{"Delta", "alpha", "Charlie", "Bravo", "echo"});
    CHECK(all_pages(c, "sort=-rating") == std::vector<std::string>{"echo", "Bravo", "Charlie", "alpha", "Delta"});

    // A product renamed moves in the title order; the cursor of an earlier page still continues.
    auto first = c.get("/api/v1/products?limit=2&sort=title");
    REQUIRE(first.status == 200);
    auto cursor = std::string(first.json().at("next_cursor").as_string());
    auto list = c.get("/api/v1/products?sort=title&limit=1");
    auto alpha_id = std::string(list.json().at("data").at(0).at("id").as_string());
    REQUIRE(admin.patch("/api/v1/products/" + alpha_id, json::object{{"title", "Zulu"}}).status == 200);
    auto rest = c.get("/api/v1/products?limit=10&sort=title&cursor=" + cursor);
    REQUIRE(rest.status == 200);
    std::vector<std::string> titles;
    auto body = rest.json();
    for (auto& p : body.at("data").as_array()) titles.emplace_back(p.at("title").as_string());
    CHECK(titles == std::vector<std::string>{"Charlie", "Delta", "echo", "Zulu"});
}

TEST_CASE("min_price and max_price compare the lowest variant price in the asked currency and combine with brand and sort") {
    TestShop shop;
    auto admin = shop.admin();
    auto b = admin.post("/api/v1/brands", json::object{{"name", "Acme"}});
    REQUIRE(b.status == 201);
    auto acme = b.str("id");
    product(admin, "Cheap", {500}, 450, acme);
    product(admin, "Middle", {1500, 900}, 1400, acme);  // from 9.00 USD, 14.00 EUR
    product(admin, "Dear", {5000}, 4600);
    product(admin, "Dollars only", {1200});
    auto c = shop.client();

    CHECK(all_pages(c, "min_price=900&max_price=5000&sort=price") == std::vector<std::string>{"Middle", "Dollars only", "Dear"});
    CHECK(all_pages(c, "min_price=901&sort=price") == std::vector<std::string>{"Dollars only", "Dear"});
    CHECK(all_pages(c, "max_price=900&sort=-price") == std::vector<std::string>{"Middle", "Cheap"});
    CHECK(all_pages(c, "max_price=500&min_price=500") == std::vector<std::string>{"Cheap"});
    // In EUR: bounds in euro cents; the product without a EUR price is left out.
    CHECK(all_pages(c, "currency=EUR&sort=price") == std::vector<std::string>{"Cheap", "Middle", "Dear"});
    CHECK(all_pages(c, "currency=EUR&min_price=1000&max_price=2000") == std::vector<std::string>{"Middle"});
    // Combined with a brand and a title order.
    CHECK(all_pages(c, "brand=acme&min_price=600&sort=title") == std::vector<std::string>{"Middle"});
    CHECK(all_pages(c, "brand=" + acme + "&sort=-title") == std::vector<std::string>{"Middle", "Cheap"});
    CHECK(all_pages(c, "brand=acme&max_price=100").empty());
    // The replies show the asked currency's prices.
    auto eur = c.get("/api/v1/products?currency=EUR&sort=price&limit=1");
    REQUIRE(eur.status == 200);
    CHECK(eur.json().at("data").at(0).at("variants").at(0).at("price").at("amount").as_int64() == 450);
}

TEST_CASE("bad list parameters are 422 naming the parameter") {
    TestShop shop;
    auto admin = shop.admin();
    product(admin, "One", {100});
    product(admin, "Two", {200});
    product(admin, "Three", {300});
    auto c = shop.client();
    for (auto [query, field] : std::vector<std::pair<std::string, std::string>>{{"min_price=abc", "min_price"},
                                                                                {"max_price=-1", "max_price"},
                                                                                {"min_price=500&max_price=100", "max_price"},
                                                                                {"sort=cheapest", "sort"},
                                                                                {"sort=-", "sort"},
                                                                                {"currency=eur", "currency"},
                                                                                {"limit=0", "limit"},
                                                                                {"cursor=garbage", "cursor"},
                                                                                {"brand=nobody", "brand"}}) {
        const std::string& query_text = query;  // named: clang 14 cannot capture a structured binding
        CAPTURE(query_text);
        auto r = c.get("/api/v1/products?" + query);
        CHECK(r.status == 422);
        CHECK(first_field(r) == field);
    }
    // A cursor belongs to its sort order, and a price cursor to its currency.
    auto page = c.get("/api/v1/products?limit=1&sort=price");
    REQUIRE(page.status == 200);
    auto cursor = std::string(page.json().at("next_cursor").as_string());
    auto other_sort = c.get("/api/v1/products?limit=1&sort=title&cursor=" + cursor);
    CHECK(other_sort.status == 422);
    CHECK(first_field(other_sort) == "cursor");
    auto other_currency = c.get("/api/v1/products?limit=1&sort=price&currency=EUR&cursor=" + cursor);
    CHECK(other_currency.status == 422);
    CHECK(first_field(other_currency) == "cursor");
    CHECK(c.get("/api/v1/products?limit=1&sort=price&cursor=" + cursor).status == 200);
}
