// Multi-currency (FX rates, converted prices that the list, the cart and checkout agree on) and
// reviews (verified purchases learned from ordering's events, moderation, the product's rating).
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>
#include <thread>
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

json::object address() {
    return {{"name", "Ann Buyer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "US"}};
}

json::object rate(const std::string& currency, const std::string& r) { return json::object{{"currency", currency}, {"rate", r}}; }

std::string card_token(HttpClient& c) {
    auto r = c.post("/api/v1/payments/sandbox/tokens", json::object{{"number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("token");
}

/// Places and pays an order of one unit of `sku` for the signed-in customer; returns the order id.
std::string buy(TestShop& shop, HttpClient& c, const std::string& sku) {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    REQUIRE(c.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", sku}, {"quantity", 1}}).status == 201);
    auto order = c.post("/api/v1/checkout", json::object{{"cart_id", cart.str("id")}, {"shipping_address", address()}, {"shipping_method", "standard"}});
    REQUIRE_MESSAGE(order.status == 201, order.body);
    auto paid = c.post("/api/v1/payments", json::object{{"order_id", order.str("id")}, {"payment_method", card_token(c)}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    shop.settle();
    return order.str("id");
}

}  // namespace

TEST_CASE("FX rates convert base prices half up in the currency's minor units and say so - an explicit price wins") {
    TestShop shop;
    auto admin = shop.admin();
    auto body = json::object{{"title", "Clock"},
                             {"status", "published"},
                             {"variants", json::array{json::object{{"sku", "CLOCK-1"},
                                                                   {"prices", json::array{json::object{{"amount", 1999}, {"currency", "USD"}},
                                                                                          json::object{{"amount", 1500}, {"currency", "GBP"}}}}}}}};
    auto created = admin.post("/api/v1/products", body);
    REQUIRE_MESSAGE(created.status == 201, created.body);
    auto id = created.str("id");
    REQUIRE(admin.put("/api/v1/admin/inventory/CLOCK-1", json::object{{"warehouse", "main"}, {"on_hand", 10}}).status == 200);
    shop.product("CHEAP-1", 1000, 5);  // 10.00 USD
    auto c = shop.client();
    CHECK(c.get("/api/v1/products/" + id + "?currency=EUR").json().at("variants").at(0).at("price").is_null());

    auto put = admin.put("/api/v1/admin/fx-rates",
                         json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "0.9215"), rate("JPY", "151.25"), rate("KWD", "0.30712"), rate("GBP", "0.79")}}});
    REQUIRE_MESSAGE(put.status == 200, put.body);
    CHECK(put.json().at("rates").as_array().size() == 4);
    auto listed = c.get("/api/v1/fx-rates");
    REQUIRE(listed.status == 200);
    CHECK(listed.str("base") == "USD");
    CHECK(listed.json().at("rates").at(0).at("currency").as_string() == "EUR");
    CHECK(listed.json().at("rates").at(0).at("rate").as_string() == "0.9215");

    // 19.99 USD x 0.9215 = 18.420785 EUR -> 18.42; x 151.25 = 3023.4875 JPY -> 3023; x 0.30712 = 6.1393288 KWD -> 6.139.
    auto price = [&](const std::string& currency) { return c.get("/api/v1/products/" + id + "?currency=" + currency).json().at("variants").at(0).at("price"); };
    auto eur = price("EUR");
    CHECK(eur.at("amount").as_int64() == 1842);
    CHECK(eur.at("currency").as_string() == "EUR");
    CHECK(eur.at("converted").as_bool() == true);
    CHECK(price("JPY").at("amount").as_int64() == 3023);
    CHECK(price("KWD").at("amount").as_int64() == 6139);
    auto gbp = price("GBP");  // its own price, not 19.99 x 0.79
    CHECK(gbp.at("amount").as_int64() == 1500);
    CHECK(gbp.at("converted").as_bool() == false);
    CHECK(price("USD").at("converted").as_bool() == false);

    // The list filters and sorts by the converted prices: 10.00 USD = 9.215 -> 9.22 EUR (half up).
    auto cheap = c.get("/api/v1/products?currency=EUR&sort=price");
    REQUIRE(cheap.status == 200);
    CHECK(cheap.json().at("data").at(0).at("variants").at(0).at("price").at("amount").as_int64() == 922);
    CHECK(cheap.json().at("data").as_array().size() == 2);
    CHECK(c.get("/api/v1/products?currency=EUR&max_price=922").json().at("data").as_array().size() == 1);
    CHECK(c.get("/api/v1/products?currency=JPY&min_price=3000").json().at("data").as_array().size() == 1);

    // A cart in EUR is charged the converted price the product shows.
    auto customer = shop.customer("eur@example.com");
    auto cart = customer.post("/api/v1/carts", json::object{{"currency", "EUR"}});
    REQUIRE_MESSAGE(cart.status == 201, cart.body);
    auto line = customer.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", "CLOCK-1"}, {"quantity", 2}});
    REQUIRE_MESSAGE(line.status == 201, line.body);
    auto shown = customer.get("/api/v1/carts/" + cart.str("id"));
    CHECK(shown.json().at("lines").at(0).at("unit_price").at("amount").as_int64() == 1842);
    CHECK(shown.json().at("subtotal").at("amount").as_int64() == 3684);

    // New rates replace the old ones: without a EUR rate the price is gone again.
    REQUIRE(admin.put("/api/v1/admin/fx-rates", json::object{{"base", "USD"}, {"rates", json::array{rate("JPY", "150")}}}).status == 200);
    CHECK(price("EUR").is_null());
    CHECK(price("JPY").at("amount").as_int64() == 2999);  // 2998.5 -> 2999
    CHECK(c.get("/api/v1/products?currency=EUR&max_price=100000").json().at("data").as_array().empty());
}

TEST_CASE("FX rates are validated: the base currency, ISO 4217 codes, decimal strings - admins only") {
    TestShop shop;
    auto admin = shop.admin();
    for (auto [body, field] : std::vector<std::pair<json::object, std::string>>{
             {json::object{{"base", "EUR"}, {"rates", json::array{}}}, "base"},
             {json::object{{"base", "USD"}, {"rates", json::array{rate("XYZ", "1.2")}}}, "rates[0].currency"},
             {json::object{{"base", "USD"}, {"rates", json::array{rate("USD", "1")}}}, "rates[0].currency"},
             {json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "0.9"), rate("EUR", "0.8")}}}, "rates[1].currency"},
             {json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "-0.9")}}}, "rates[0].rate"},
             {json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "0")}}}, "rates[0].rate"},
             {json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "1e3")}}}, "rates[0].rate"},
             {json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "0.123456789")}}}, "rates[0].rate"},
             {json::object{{"base", "USD"}, {"rates", json::array{json::object{{"currency", "EUR"}, {"rate", 0.92}}}}}, "rates[0].rate"}}) {
        std::string body_text = json::serialize(body);  // named: clang 14 cannot capture a structured binding
        CAPTURE(body_text);
        auto r = admin.put("/api/v1/admin/fx-rates", body);
        CHECK(r.status == 422);
        CHECK(first_field(r) == field);
    }
    CHECK(shop.customer("x@example.com").put("/api/v1/admin/fx-rates", json::object{{"base", "USD"}, {"rates", json::array{}}}).status == 403);
    auto normalised = admin.put("/api/v1/admin/fx-rates", json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "0.920")}}});
    REQUIRE(normalised.status == 200);
    CHECK(normalised.json().at("rates").at(0).at("rate").as_string() == "0.92");
}

TEST_CASE("reviews: one per customer, verified after a confirmed order, counted into the rating only when approved") {
    TestShop shop;
    auto admin = shop.admin();
    auto product = shop.product("REVIEWED-1", 1200, 10);
    auto other = shop.product("OTHER-1", 900, 10);
    auto ann = shop.customer("ann@example.com");
    auto bob = shop.customer("bob@example.com");
    buy(shop, ann, "REVIEWED-1");

    auto a = ann.post("/api/v1/products/" + product + "/reviews", json::object{{"rating", 5}, {"title", "Great"}, {"body", "Works well."}});
    REQUIRE_MESSAGE(a.status == 201, a.body);
    CHECK(a.json().at("verified_purchase").as_bool() == true);
    CHECK(a.str("status") == "pending");
    auto again = ann.post("/api/v1/products/" + product + "/reviews", json::object{{"rating", 1}});
    CHECK(again.status == 409);
    auto b = bob.post("/api/v1/products/" + product + "/reviews", json::object{{"rating", 2}});
    REQUIRE(b.status == 201);
    CHECK(b.json().at("verified_purchase").as_bool() == false);
    auto bad = bob.post("/api/v1/products/" + other + "/reviews", json::object{{"rating", 6}});
    CHECK(bad.status == 422);
    CHECK(first_field(bad) == "rating");
    CHECK(shop.client().post("/api/v1/products/" + product + "/reviews", json::object{{"rating", 3}}).status == 401);
    CHECK(shop.vendor("v@example.com").post("/api/v1/products/" + product + "/reviews", json::object{{"rating", 3}}).status == 403);
    CHECK(ann.post("/api/v1/products/prd_01J0000000000000000000000/reviews", json::object{{"rating", 3}}).status == 404);

    // Nothing counts or shows before moderation.
    auto c = shop.client();
    CHECK(c.get("/api/v1/products/" + product).json().at("rating").at("count").as_int64() == 0);
    CHECK(c.get("/api/v1/products/" + product + "/reviews").json().at("data").as_array().empty());
    auto pending = admin.get("/api/v1/admin/reviews?status=pending");
    REQUIRE(pending.status == 200);
    CHECK(pending.json().at("data").as_array().size() == 2);
    CHECK(ann.get("/api/v1/admin/reviews").status == 403);

    REQUIRE(admin.patch("/api/v1/admin/reviews/" + a.str("id"), json::object{{"status", "approved"}}).status == 200);
    auto moderated = admin.patch("/api/v1/admin/reviews/" + b.str("id"), json::object{{"status", "approved"}});
    REQUIRE(moderated.status == 200);
    CHECK(moderated.str("status") == "approved");
    auto rating = c.get("/api/v1/products/" + product).json().at("rating");
    CHECK(rating.at("count").as_int64() == 2);
    CHECK(rating.at("average").as_double() == doctest::Approx(3.5));
    // Approving twice changes nothing; rejecting takes it out again.
    REQUIRE(admin.patch("/api/v1/admin/reviews/" + b.str("id"), json::object{{"status", "approved"}}).status == 200);
    CHECK(c.get("/api/v1/products/" + product).json().at("rating").at("count").as_int64() == 2);
    REQUIRE(admin.patch("/api/v1/admin/reviews/" + b.str("id"), json::object{{"status", "rejected"}}).status == 200);
    rating = c.get("/api/v1/products/" + product).json().at("rating");
    CHECK(rating.at("count").as_int64() == 1);
    CHECK(rating.at("average").as_double() == doctest::Approx(5.0));
    CHECK(admin.patch("/api/v1/admin/reviews/rev_01J0000000000000000000000", json::object{{"status", "approved"}}).status == 404);
    auto wrong = admin.patch("/api/v1/admin/reviews/" + b.str("id"), json::object{{"status", "pending"}});
    CHECK(wrong.status == 422);

    auto listed = c.get("/api/v1/products/" + product + "/reviews");
    REQUIRE(listed.status == 200);
    REQUIRE(listed.json().at("data").as_array().size() == 1);
    CHECK(listed.json().at("data").at(0).at("title").as_string() == "Great");
    CHECK(admin.get("/api/v1/admin/reviews?status=rejected").json().at("data").as_array().size() == 1);

    // The list sorts by the approved average: the reviewed product first.
    auto best = c.get("/api/v1/products?sort=-rating&limit=1");
    CHECK(best.json().at("data").at(0).at("id").as_string() == product);
}

TEST_CASE("review pages follow their cursor, and a cancelled order does not verify a purchase") {
    TestShop shop;
    auto admin = shop.admin();
    auto product = shop.product("PAGED-1", 500, 50);
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        auto c = shop.customer("reviewer" + std::to_string(i) + "@example.com");
        auto r = c.post("/api/v1/products/" + product + "/reviews", json::object{{"rating", 1 + i}});
        REQUIRE(r.status == 201);
        REQUIRE(admin.patch("/api/v1/admin/reviews/" + r.str("id"), json::object{{"status", "approved"}}).status == 200);
        ids.push_back(r.str("id"));
    }
    auto c = shop.client();
    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 5; ++page) {
        auto r = c.get("/api/v1/products/" + product + "/reviews?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        REQUIRE(r.status == 200);
        auto body = r.json();
        for (auto& x : body.at("data").as_array()) seen.emplace_back(x.at("id").as_string());
        if (body.at("next_cursor").is_null()) break;
        cursor = std::string(body.at("next_cursor").as_string());
    }
    CHECK(seen == std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]});
    auto rating = c.get("/api/v1/products/PAGED-1").status;
    CHECK(rating == 404);  // a SKU is not a slug
    auto avg = c.get("/api/v1/products/" + product).json().at("rating");
    CHECK(avg.at("average").as_double() == doctest::Approx(3.0));

    auto carl = shop.customer("carl@example.com");
    auto order = buy(shop, carl, "PAGED-1");
    auto cancelled = carl.post("/api/v1/orders/" + order + "/cancel", json::object{});
    REQUIRE_MESSAGE(cancelled.status == 200, cancelled.body);
    shop.settle();
    auto r = carl.post("/api/v1/products/" + product + "/reviews", json::object{{"rating", 4}});
    REQUIRE(r.status == 201);
    CHECK(r.json().at("verified_purchase").as_bool() == false);
}

TEST_CASE("rates set on one instance reach the other one's prices (PostgreSQL: two instances on one database)") {
    TestShop shop(std::map<std::string, std::string>{{"catalog.fx_refresh_interval_ms", "100"}});
    auto admin = shop.admin();
    auto id = shop.product("TWIN-1", 2000, 5);
    auto peer = shop.client().on(shop.peer_port());
    auto eur = [&] { return peer.get("/api/v1/products/" + id + "?currency=EUR").json().at("variants").at(0).at("price"); };
    CHECK(eur().is_null());
    REQUIRE(admin.put("/api/v1/admin/fx-rates", json::object{{"base", "USD"}, {"rates", json::array{rate("EUR", "0.5")}}}).status == 200);
    json::value price;
    for (int i = 0; i < 100; ++i) {  // the peer picks the rates up within its refresh interval
        price = eur();
        if (!price.is_null()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE_FALSE(price.is_null());
    CHECK(price.at("amount").as_int64() == 1000);
    CHECK(price.at("converted").as_bool());
}
