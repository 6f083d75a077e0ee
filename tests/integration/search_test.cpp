// Search on both databases (SQLite FTS5 in the first pass of scripts/test, PostgreSQL tsvector in
// the second): the same queries rank the same products in the same order.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>

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

namespace {

std::string made(HttpClient& admin, const std::string& path, const json::object& body) {
    auto r = admin.post(path, body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("id");
}

std::string shelved(HttpClient& admin, const std::string& title, const std::string& sku, std::int64_t usd, const std::string& brand_id,
                    const std::string& category_id) {
    json::object body{{"title", title},
                      {"description", "Made for walking."},
                      {"status", "published"},
                      {"variants", json::array{json::object{{"sku", sku}, {"prices", json::array{json::object{{"amount", usd}, {"currency", "USD"}}}}}}}};
    if (!brand_id.empty()) body["brand_id"] = brand_id;
    if (!category_id.empty()) body["category_ids"] = json::array{json::value(category_id)};
    return made(admin, "/api/v1/products", body);
}

std::int64_t facet_count(const json::value& reply, const char* facet, const std::string& id) {
    auto values = reply.at("facets").at(facet).as_array();
    for (auto& v : values)
        if (v.at("value").as_string() == id) return v.at("count").as_int64();
    return 0;
}

}  // namespace

TEST_CASE("search filters by category with what is below it, brand, collection, price and stock, and facets ignore their own filter") {
    TestShop shop;
    auto admin = shop.admin();
    auto shoes = made(admin, "/api/v1/categories", json::object{{"name", "Shoes"}});
    auto boots = made(admin, "/api/v1/categories", json::object{{"name", "Boots"}, {"parent_id", shoes}});
    auto bags = made(admin, "/api/v1/categories", json::object{{"name", "Bags"}});
    auto acme = made(admin, "/api/v1/brands", json::object{{"name", "Acme"}});
    auto bolt = made(admin, "/api/v1/brands", json::object{{"name", "Bolt"}});
    auto hiker = shelved(admin, "Hiker Boot", "HIKE-1", 9000, acme, boots);
    auto runner = shelved(admin, "Runner Shoe", "RUN-1", 12000, bolt, shoes);
    shelved(admin, "Walker Bag", "BAG-1", 3000, acme, bags);
    made(admin, "/api/v1/collections", json::object{{"name", "Sale"}, {"product_ids", json::array{json::value(runner)}}});
    REQUIRE(admin.put("/api/v1/admin/inventory/HIKE-1", json::object{{"warehouse", "main"}, {"on_hand", 3}}).status == 200);
    REQUIRE(admin.put("/api/v1/admin/inventory/BAG-1", json::object{{"warehouse", "main"}, {"on_hand", 1}}).status == 200);
    shop.settle();
    auto c = shop.client();

    auto all = c.get("/api/v1/search?q=walking");
    REQUIRE_MESSAGE(all.status == 200, all.body);
    auto body = all.json();
    CHECK(body.at("total").as_int64() == 3);
    CHECK(facet_count(body, "brand", acme) == 2);
    CHECK(facet_count(body, "category", shoes) == 2);  // the boot counts in Shoes, the category above its own

    auto in_shoes = c.get("/api/v1/search?q=walking&category=shoes");  // by slug, with Boots below it
    CHECK(in_shoes.json().at("total").as_int64() == 2);
    auto acme_shoes = c.get("/api/v1/search?q=walking&category=shoes&brand=" + acme).json();
    CHECK(acme_shoes.at("total").as_int64() == 1);
    CHECK(acme_shoes.at("data").at(0).at("id").as_string() == hiker);
    // The brand facet ignores the brand filter (Bolt still offered, with the count it would give) but
    // keeps the category filter (the bag is not counted for Acme).
    CHECK(facet_count(acme_shoes, "brand", acme) == 1);
    CHECK(facet_count(acme_shoes, "brand", bolt) == 1);
    CHECK(facet_count(acme_shoes, "category", bags) == 1);  // the category facet ignores the category filter
    CHECK(c.get("/api/v1/search?q=walking&brand=acme,bolt").json().at("total").as_int64() == 3);

    auto hit = acme_shoes.at("data").at(0);
    CHECK(hit.at("brand").at("name").as_string() == "Acme");
    CHECK(hit.at("in_stock").as_bool());
    CHECK(hit.at("price").at("amount").as_int64() == 9000);
    CHECK(hit.at("rating").at("count").as_int64() == 0);
    CHECK(hit.at("image").is_null());

    CHECK(c.get("/api/v1/search?q=walking&in_stock=true").json().at("total").as_int64() == 2);  // the runner has no stock
    CHECK(c.get("/api/v1/search?q=walking&collection=sale").json().at("data").at(0).at("id").as_string() == runner);
    auto priced = c.get("/api/v1/search?q=walking&min_price=5000&max_price=10000").json();
    CHECK(priced.at("total").as_int64() == 1);
    // The price facet ignores the price filter: all three prices are in its buckets.
    std::int64_t bucketed = 0;
    auto buckets = priced.at("facets").at("price").as_array();
    for (auto& b : buckets) bucketed += b.at("count").as_int64();
    CHECK(bucketed == 3);

    auto cheap_first = slugs(c.get("/api/v1/search?q=walking&sort=price"));
    CHECK(cheap_first == std::vector<std::string>{"walker-bag", "hiker-boot", "runner-shoe"});
    CHECK(slugs(c.get("/api/v1/search?q=walking&sort=-price")).front() == "runner-shoe");
    CHECK(slugs(c.get("/api/v1/search?q=walking&sort=newest")).front() == "walker-bag");

    // Selling out takes the product out of in_stock results once inventory says so.
    REQUIRE(admin.put("/api/v1/admin/inventory/BAG-1", json::object{{"warehouse", "main"}, {"on_hand", 0}}).status == 200);
    shop.settle();
    CHECK(c.get("/api/v1/search?q=walking&in_stock=true").json().at("total").as_int64() == 1);

    // A renamed brand and a moved category show at once.
    REQUIRE(admin.patch("/api/v1/brands/" + acme, json::object{{"name", "Acme Works"}}).status == 200);
    REQUIRE(admin.patch("/api/v1/categories/" + boots, json::object{{"parent_id", bags}}).status == 200);
    shop.settle();
    auto moved = c.get("/api/v1/search?q=walking&category=" + bags).json();
    CHECK(moved.at("total").as_int64() == 2);
    CHECK(facet_count(moved, "brand", acme) == 2);
    CHECK(moved.at("data").at(0).at("brand").at("name").as_string() == "Acme Works");
}

TEST_CASE("search refuses filters that name nothing and bad values, naming the parameter") {
    TestShop shop;
    auto c = shop.client();
    auto field = [&](const std::string& query) {
        auto r = c.get("/api/v1/search?q=x&" + query);
        REQUIRE_MESSAGE(r.status == 422, r.body);
        return std::string(r.json().at("errors").at(0).at("field").as_string());
    };
    CHECK(field("category=nowhere") == "category");
    CHECK(field("brand=nobody") == "brand");
    CHECK(field("collection=none") == "collection");
    CHECK(field("min_price=abc") == "min_price");
    CHECK(field("min_price=500&max_price=100") == "min_price");
    CHECK(field("sort=cheapest") == "sort");
    CHECK(field("in_stock=yes") == "in_stock");
    CHECK(field("min_rating=6") == "min_rating");
}

TEST_CASE("autocomplete offers categories, brands and titles as they are typed, and forgives a typo") {
    TestShop shop;
    auto admin = shop.admin();
    auto outdoor = made(admin, "/api/v1/categories", json::object{{"name", "Outdoor"}});
    auto acme = made(admin, "/api/v1/brands", json::object{{"name", "Outrun"}});
    shelved(admin, "Outback Tent", "TENT-1", 20000, acme, outdoor);
    shelved(admin, "Kettle", "KET-1", 2000, "", "");
    shop.settle();
    auto c = shop.client();
    auto r = c.get("/api/v1/search/suggest?q=out");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto data = r.json().at("data").as_array();
    REQUIRE(data.size() == 3);
    CHECK(data[0].at("kind").as_string() == "category");
    CHECK(data[0].at("text").as_string() == "Outdoor");
    CHECK(data[1].at("kind").as_string() == "brand");
    CHECK(data[2].at("text").as_string() == "Outback Tent");
    CHECK(r.json().at("suggestion").is_null());
    auto typo = c.get("/api/v1/search/suggest?q=kettel");
    REQUIRE(typo.json().at("data").as_array().size() == 1);
    CHECK(typo.json().at("suggestion").as_string() == "kettle");
    CHECK(c.get("/api/v1/search/suggest?q=out&limit=1").json().at("data").as_array().size() == 1);
    CHECK(c.get("/api/v1/search/suggest").status == 422);
}

namespace {

/// A paid order of one unit of each SKU.
void paid_order(HttpClient& c, const std::vector<std::string>& skus) {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    auto cart_id = cart.str("id");
    for (auto& sku : skus) REQUIRE(c.post("/api/v1/carts/" + cart_id + "/items", json::object{{"sku", sku}, {"quantity", 1}}).status == 201);
    json::object address{{"name", "Ann"}, {"line1", "1 Main St"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "US"}};
    auto order = c.post("/api/v1/checkout", json::object{{"cart_id", cart_id}, {"shipping_address", address}, {"shipping_method", "standard"}});
    REQUIRE_MESSAGE(order.status == 201, order.body);
    auto token = c.post("/api/v1/payments/sandbox/tokens",
                        json::object{{"number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}});
    auto paid = c.post("/api/v1/payments", json::object{{"order_id", order.str("id")}, {"payment_method", token.str("token")}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
}

std::vector<std::string> recommended(HttpClient& c, const std::string& id, std::vector<std::string>* reasons = nullptr) {
    auto r = c.get("/api/v1/products/" + id + "/recommendations");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::string> out;
    auto body = r.json();
    for (auto& p : body.at("data").as_array()) {
        out.emplace_back(p.at("slug").as_string());
        if (reasons) reasons->emplace_back(p.at("reason").as_string());
    }
    return out;
}

}  // namespace

TEST_CASE("recommendations: products bought together most often first, then the same category") {
    TestShop shop;
    auto admin = shop.admin();
    auto kitchen = made(admin, "/api/v1/categories", json::object{{"name", "Kitchen"}});
    auto garden = made(admin, "/api/v1/categories", json::object{{"name", "Garden"}});
    auto kettle = shelved(admin, "Kettle", "KET-1", 2000, "", kitchen);
    shelved(admin, "Teapot", "POT-1", 3000, "", kitchen);
    shelved(admin, "Mug", "MUG-1", 900, "", kitchen);
    shelved(admin, "Rake", "RAKE-1", 1500, "", garden);
    shelved(admin, "Gloves", "GLOVE-1", 1200, "", garden);
    for (auto sku : {"KET-1", "POT-1", "MUG-1", "RAKE-1", "GLOVE-1"})
        REQUIRE(admin.put(std::string("/api/v1/admin/inventory/") + sku, json::object{{"warehouse", "main"}, {"on_hand", 20}}).status == 200);
    shop.settle();
    auto c = shop.client();
    // Nothing sold yet: the kettle's category, without the kettle itself.
    std::vector<std::string> reasons;
    auto before = recommended(c, kettle, &reasons);
    CHECK(before.size() == 2);
    CHECK(std::find(before.begin(), before.end(), "kettle") == before.end());
    CHECK(reasons == std::vector<std::string>{"same_category", "same_category"});

    auto ann = shop.customer("ann@example.com");
    paid_order(ann, {"KET-1", "RAKE-1"});
    paid_order(ann, {"KET-1", "RAKE-1", "GLOVE-1"});
    paid_order(ann, {"KET-1", "GLOVE-1"});
    paid_order(ann, {"KET-1", "RAKE-1"});
    shop.settle();
    reasons.clear();
    auto after = recommended(c, "kettle", &reasons);  // by slug
    REQUIRE(after.size() == 4);
    CHECK(after[0] == "rake");  // three orders
    CHECK(after[1] == "gloves");  // two
    CHECK(reasons[0] == "bought_together");
    CHECK(reasons[2] == "same_category");
    auto body = c.get("/api/v1/products/" + kettle + "/recommendations?limit=1").json();
    REQUIRE(body.at("data").as_array().size() == 1);
    CHECK(body.at("data").at(0).at("orders").as_int64() == 3);
    CHECK(c.get("/api/v1/products/no-such-product/recommendations").status == 404);
}
