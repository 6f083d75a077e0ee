// `shop seed --dataset demo`: the data set loaded through the modules' APIs, as a shopper, the
// vendor and the admin then see it over HTTP.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "app/app.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {
HttpClient signed_in(TestShop& shop, const std::string& email, const std::string& password, std::string* role = nullptr) {
    auto c = shop.client();
    auto r = c.post("/api/v1/auth/login", json::object{{"email", email}, {"password", password}});
    REQUIRE_MESSAGE(r.status == 200, r.body);
    c.set_header("Authorization", "Bearer " + r.str("access_token"));
    if (role) *role = std::string(c.get("/api/v1/me").json().at("role").as_string());
    return c;
}
}  // namespace

TEST_CASE("the demo data set: test accounts, a searchable catalog with facets, stock and past orders, loaded once") {
    TestShop shop;
    CHECK(shop.app().seed_demo_dataset() == 600);
    shop.settle();
    std::string role;
    auto admin = signed_in(shop, "admin@example.com", "Admin123!", &role);
    CHECK(role == "admin");
    signed_in(shop, "vendor@example.com", "Vendor123!", &role);
    CHECK(role == "vendor");
    auto customer = signed_in(shop, "customer@example.com", "Customer123!", &role);
    CHECK(role == "customer");

    auto c = shop.client();
    auto roots = c.get("/api/v1/categories").json().at("data").as_array();
    CHECK(roots.size() == 10);
    auto hits = c.get("/api/v1/search?q=a&limit=5").json();  // every description has "a"
    CHECK(hits.at("total").as_int64() == 600);
    CHECK(hits.at("facets").at("brand").as_array().size() == 40);
    CHECK(hits.at("facets").at("category").as_array().size() == 50);
    CHECK(c.get("/api/v1/search?q=a&in_stock=true").json().at("total").as_int64() < 600);  // some are sold out
    auto movements = admin.get("/api/v1/admin/inventory/movements?limit=100").json().at("data").as_array();
    CHECK(movements.size() == 100);
    auto warehouses = admin.get("/api/v1/admin/warehouses").json();
    CHECK(warehouses.at("data").as_array().size() == 3);
    // Past orders of the seeded customers are paid and confirmed.
    auto orders = admin.get("/api/v1/orders?limit=100").json().at("data").as_array();
    CHECK(orders.size() == 60);
    CHECK(orders[0].at("status").as_string() == "confirmed");
    CHECK_FALSE(customer.get("/api/v1/orders").json().at("data").as_array().empty());

    // Every product has two to four pictures (about 1,800 in all), generated PNGs served from the data directory.
    std::int64_t images = 0, rated = 0;
    std::string first_image;
    std::string cursor;
    do {
        auto page = c.get("/api/v1/products?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor)).json();
        for (auto& p : page.at("data").as_array()) {
            auto n = static_cast<std::int64_t>(p.at("images").as_array().size());
            CHECK((n >= 2 && n <= 4));
            images += n;
            if (first_image.empty()) first_image = std::string(p.at("images").at(0).at("url").as_string());
            CHECK_FALSE(p.at("images").at(0).at("alt").as_string().empty());
            if (p.at("rating").at("count").as_int64() > 0) ++rated;
        }
        auto& next = page.at("next_cursor");
        cursor = next.is_string() ? std::string(next.as_string()) : "";
    } while (!cursor.empty());
    CHECK(images > 1600);
    CHECK(images < 2000);
    auto png = c.get(first_image);
    CHECK(png.status == 200);
    CHECK(png.header("content-type") == "image/png");
    CHECK(png.body.substr(1, 3) == "PNG");
    // Reviews: most approved (the products' ratings follow them), some waiting for moderation,
    // the buyers' ones marked as verified purchases.
    CHECK(rated > 80);
    auto pending = admin.get("/api/v1/admin/reviews?status=pending&limit=100").json().at("data").as_array();
    CHECK_FALSE(pending.empty());
    auto approved = admin.get("/api/v1/admin/reviews?status=approved&limit=100").json().at("data").as_array();
    CHECK(approved.size() == 100);
    std::int64_t verified = 0;
    for (auto& r : approved) verified += r.at("verified_purchase").as_bool() ? 1 : 0;
    CHECK(verified > 0);
    CHECK(verified < 100);

    CHECK(shop.app().seed_demo_dataset() == 0);  // a catalog with products is left alone
}
