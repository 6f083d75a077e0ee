// Promotions, coupons, shipping, tax, quotes and cart merge/expiry, over real HTTP.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;
using Overrides = std::map<std::string, std::string>;

namespace {

json::object address(const std::string& country, const std::string& region = "") {
    json::object a{{"name", "Ann Buyer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", country}};
    if (!region.empty()) a["region"] = region;
    return a;
}

std::string new_cart(HttpClient& c, const std::string& sku, int quantity) {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    std::string id = cart.str("id");
    if (cart.json().at("customer_id").is_null()) c.set_header("X-Cart-Token", cart.str("token"));
    auto add = c.post("/api/v1/carts/" + id + "/items", json::object{{"sku", sku}, {"quantity", quantity}});
    REQUIRE_MESSAGE(add.status == 201, add.body);
    return id;
}

HttpResult place(HttpClient& c, const std::string& cart_id, const std::string& country = "US", const std::string& method = "standard") {
    json::object body{{"cart_id", cart_id}, {"shipping_address", address(country)}, {"shipping_method", method}};
    if (c.get("/api/v1/carts/" + cart_id).json().at("customer_id").is_null()) body["email"] = "guest@example.com";
    return c.post("/api/v1/checkout", body);
}

std::int64_t amount(const json::value& v, const char* field) { return v.at(field).at("amount").as_int64(); }

std::string create_promotion(HttpClient& admin, json::object body) {
    auto r = admin.post("/api/v1/admin/promotions", body);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.str("id");
}

}  // namespace

TEST_CASE("a coupon shows in the cart, the quote and the order alike, with tax per line and on shipping") {
    TestShop shop;
    auto admin = shop.admin();
    shop.product("TAXED", 1000, 10);
    REQUIRE(admin.post("/api/v1/admin/tax-rates", json::object{{"country", "DE"}, {"rate_bp", 1900}}).status == 201);
    REQUIRE(admin.post("/api/v1/admin/tax-rates", json::object{{"country", "DE"}, {"rate_bp", 1900}, {"tax_class", "shipping"}}).status == 201);
    auto dup = admin.post("/api/v1/admin/tax-rates", json::object{{"country", "de"}, {"rate_bp", 700}});
    CHECK(dup.status == 409);
    auto rates = admin.get("/api/v1/admin/tax-rates");
    REQUIRE(rates.status == 200);
    CHECK(rates.json().at("data").as_array().size() == 2);
    auto reduced = admin.post("/api/v1/admin/tax-rates", json::object{{"country", "DE"}, {"rate_bp", 500}, {"tax_class", "books"}});
    REQUIRE(reduced.status == 201);
    auto changed = admin.patch("/api/v1/admin/tax-rates/" + reduced.str("id"), json::object{{"rate_bp", 700}});
    CHECK(changed.json().at("rate_bp").as_int64() == 700);
    CHECK(admin.patch("/api/v1/admin/tax-rates/txr_01JDNOTAREALID0000000000A", json::object{{"rate_bp", 1}}).status == 404);
    auto methods = admin.get("/api/v1/admin/shipping-methods");
    REQUIRE(methods.status == 200);
    CHECK(methods.json().at("data").as_array().size() >= 2);  // standard and express
    auto promo = create_promotion(admin, {{"code", "save10"}, {"kind", "percent"}, {"percent", 10}});

    auto ann = shop.customer("ann@example.com");
    auto cart_id = new_cart(ann, "TAXED", 2);
    auto bad = ann.post("/api/v1/carts/" + cart_id + "/coupon", json::object{{"code", "NOPE"}});
    CHECK(bad.status == 422);
    CHECK(bad.body.find("\"field\":\"code\"") != std::string::npos);
    auto applied = ann.post("/api/v1/carts/" + cart_id + "/coupon", json::object{{"code", "save10"}});
    REQUIRE_MESSAGE(applied.status == 200, applied.body);
    CHECK(amount(applied.json(), "discount") == 200);
    CHECK(applied.json().at("promotion_code").as_string() == "SAVE10");

    json::object q{{"cart_id", cart_id}, {"shipping_address", address("DE")}, {"shipping_method", "standard"}};
    auto quote = ann.post("/api/v1/checkout/quote", q);
    REQUIRE_MESSAGE(quote.status == 200, quote.body);
    auto qj = quote.json();
    CHECK(amount(qj, "subtotal") == 2000);
    CHECK(amount(qj, "discount") == 200);
    CHECK(amount(qj, "shipping") == 500);
    CHECK(amount(qj, "tax") == 342 + 95);  // 19 % of 1,800 and of 500, each rounded
    CHECK(amount(qj, "total") == 2000 - 200 + 500 + 437);
    // Another country without rates pays no tax; the quote wrote nothing.
    q["shipping_address"] = address("GB");
    CHECK(amount(ann.post("/api/v1/checkout/quote", q).json(), "tax") == 0);

    auto order = place(ann, cart_id, "DE");
    REQUIRE_MESSAGE(order.status == 201, order.body);
    auto oj = order.json();
    for (auto f : {"subtotal", "discount", "shipping", "tax", "total"}) CHECK(amount(oj, f) == amount(qj, f));
    CHECK(oj.at("promotion_code").as_string() == "SAVE10");
    REQUIRE(oj.at("tax_lines").as_array().size() == 2);
    CHECK(oj.at("tax_lines").at(0).at("tax_class").as_string() == "standard");
    CHECK(amount(oj.at("tax_lines").at(0), "taxable") == 1800);
    CHECK(oj.at("tax_lines").at(1).at("tax_class").as_string() == "shipping");
    CHECK(admin.get("/api/v1/admin/promotions/" + promo).json().at("times_used").as_int64() == 1);
    // Read back, the order says the same.
    auto again = ann.get("/api/v1/orders/" + std::string(oj.at("id").as_string()));
    CHECK(amount(again.json(), "total") == amount(oj, "total"));
    CHECK(again.json().at("tax_lines").as_array().size() == 2);
}

TEST_CASE("promotion rules over HTTP: automatic, minimum subtotal, per-customer limit, deactivation, admin only") {
    TestShop shop;
    auto admin = shop.admin();
    shop.product("RULE-1", 2000, 50);
    create_promotion(admin, {{"name", "300 off over 50"}, {"kind", "fixed"}, {"amount", {{"amount", 300}, {"currency", "USD"}}},
                             {"min_subtotal", {{"amount", 5000}, {"currency", "USD"}}}});
    auto once = create_promotion(admin, {{"code", "ONCE"}, {"kind", "percent"}, {"percent", 50}, {"per_customer_limit", 1}});

    auto ann = shop.customer("ann@example.com");
    auto cart_id = new_cart(ann, "RULE-1", 2);
    auto cart = ann.get("/api/v1/carts/" + cart_id).json();
    CHECK(amount(cart, "discount") == 0);  // 4,000 is under the minimum
    cart = ann.post("/api/v1/carts/" + cart_id + "/items", json::object{{"sku", "RULE-1"}, {"quantity", 1}}).json();
    CHECK(amount(cart, "discount") == 300);  // automatic, no code
    CHECK(cart.at("promotion_code").is_null());
    CHECK_FALSE(cart.at("promotion").is_null());

    // A coupon worth more replaces it; one use per customer.
    CHECK(amount(ann.post("/api/v1/carts/" + cart_id + "/coupon", json::object{{"code", "once"}}).json(), "discount") == 3000);
    auto first = place(ann, cart_id);
    REQUIRE_MESSAGE(first.status == 201, first.body);
    CHECK(amount(first.json(), "discount") == 3000);
    auto second = new_cart(ann, "RULE-1", 1);
    auto refused = ann.post("/api/v1/carts/" + second + "/coupon", json::object{{"code", "ONCE"}});
    CHECK(refused.status == 422);
    CHECK(refused.body.find("per customer") != std::string::npos);
    // Another customer may; until an admin stops the coupon.
    auto bob = shop.customer("bob@example.com");
    auto bob_cart = new_cart(bob, "RULE-1", 1);
    CHECK(bob.post("/api/v1/carts/" + bob_cart + "/coupon", json::object{{"code", "ONCE"}}).status == 200);
    CHECK(admin.patch("/api/v1/admin/promotions/" + once, json::object{{"active", false}}).status == 200);
    auto shown = bob.get("/api/v1/carts/" + bob_cart).json();
    CHECK(amount(shown, "discount") == 0);
    CHECK(shown.at("coupon_problem").as_string().find("not active") != std::string::npos);
    auto stopped = place(bob, bob_cart);
    CHECK(stopped.status == 409);
    CHECK(stopped.str("code") == "coupon_unavailable");
    CHECK(bob.request("DELETE", "/api/v1/carts/" + bob_cart + "/coupon").status == 200);
    CHECK(place(bob, bob_cart).status == 201);

    // Bad definitions name their field; only admins manage promotions.
    auto r = admin.post("/api/v1/admin/promotions", json::object{{"kind", "percent"}});
    CHECK(r.status == 422);
    CHECK(r.body.find("\"field\":\"percent\"") != std::string::npos);
    r = admin.post("/api/v1/admin/promotions", json::object{{"code", "ONCE"}, {"kind", "free_shipping"}});
    CHECK(r.status == 409);
    r = admin.post("/api/v1/admin/promotions", json::object{{"code", "X"}, {"kind", "free_shipping"}, {"starts_at", "2027-01-02T00:00:00Z"},
                                                            {"ends_at", "2027-01-01T00:00:00Z"}});
    CHECK(r.status == 422);
    CHECK(r.body.find("ends_at") != std::string::npos);
    r = admin.post("/api/v1/admin/promotions", json::object{{"code", "Y"}, {"kind", "free_shipping"}, {"starts_at", "tomorrow"}});
    CHECK(r.status == 422);
    CHECK(ann.post("/api/v1/admin/promotions", json::object{{"kind", "free_shipping"}}).status == 403);
    CHECK(ann.get("/api/v1/admin/promotions").status == 403);
    CHECK(admin.get("/api/v1/admin/promotions?limit=1").json().at("data").as_array().size() == 1);
}

TEST_CASE("a coupon limited to 50 uses: 200 concurrent checkouts, exactly 50 orders carry it") {
    TestShop shop;
    auto admin = shop.admin();
    shop.product("RUSH", 1000, 1000);
    auto promo = create_promotion(admin, {{"code", "FIFTY"}, {"kind", "fixed"}, {"amount", {{"amount", 100}, {"currency", "USD"}}},
                                          {"usage_limit", 50}});
    constexpr int kBuyers = 200;
    std::vector<HttpClient> buyers;
    std::vector<std::string> carts;
    for (int i = 0; i < kBuyers; ++i) {
        buyers.push_back(shop.client());
        carts.push_back(new_cart(buyers.back(), "RUSH", 1));
        REQUIRE(buyers.back().post("/api/v1/carts/" + carts.back() + "/coupon", json::object{{"code", "FIFTY"}}).status == 200);
    }
    std::uint16_t ports[2] = {shop.port(), shop.peer_port()};
    std::atomic<int> with_coupon{0}, refused{0}, other{0};
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    constexpr int kThreads = 20;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            while (!go) std::this_thread::yield();
            for (int i = t; i < kBuyers; i += kThreads) {
                auto c = buyers[i].on(ports[i % 2]);
                auto r = place(c, carts[i]);
                if (r.status == 201 && r.json().at("promotion_code").is_string() && r.json().at("promotion_code").as_string() == "FIFTY" && amount(r.json(), "discount") == 100) ++with_coupon;
                else if (r.status == 409 && r.str("code") == "coupon_unavailable") ++refused;
                else ++other;
            }
        });
    go = true;
    for (auto& t : threads) t.join();
    CHECK(with_coupon == 50);
    CHECK(refused == kBuyers - 50);
    CHECK(other == 0);
    CHECK(admin.get("/api/v1/admin/promotions/" + promo).json().at("times_used").as_int64() == 50);
    auto s = admin.get("/api/v1/admin/inventory/RUSH").json();
    CHECK(s.at("reserved").as_int64() == 50);  // the refused checkouts reserved nothing that stays
}

TEST_CASE("an order that expires unpaid gives its coupon use back") {
    TestShop shop(Overrides{{"inventory.reservation_ttl_s", "1"}});
    auto admin = shop.admin();
    shop.product("BACK", 1000, 5);
    auto promo = create_promotion(admin, {{"code", "SOLO"}, {"kind", "percent"}, {"percent", 20}, {"usage_limit", 1}});
    auto guest = shop.client();
    auto cart_id = new_cart(guest, "BACK", 1);
    REQUIRE(guest.post("/api/v1/carts/" + cart_id + "/coupon", json::object{{"code", "SOLO"}}).status == 200);
    REQUIRE(place(guest, cart_id).status == 201);
    CHECK(admin.get("/api/v1/admin/promotions/" + promo).json().at("times_used").as_int64() == 1);
    auto other = shop.client();
    auto other_cart = new_cart(other, "BACK", 1);
    CHECK(other.post("/api/v1/carts/" + other_cart + "/coupon", json::object{{"code", "SOLO"}}).status == 422);  // used up
    std::int64_t used = 1;
    for (int i = 0; i < 100 && used != 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        shop.settle();
        used = admin.get("/api/v1/admin/promotions/" + promo).json().at("times_used").as_int64();
    }
    CHECK(used == 0);
    CHECK(other.post("/api/v1/carts/" + other_cart + "/coupon", json::object{{"code", "SOLO"}}).status == 200);
}

TEST_CASE("shipping methods: per-currency rates, destinations, free over a subtotal, admin only") {
    TestShop shop;
    auto admin = shop.admin();
    shop.product("SHIP-1", 3000, 10);
    auto created = admin.post("/api/v1/admin/shipping-methods",
                              json::object{{"code", "eu-post"}, {"name", "EU Post"}, {"price", {{"amount", 700}, {"currency", "USD"}}},
                                           {"free_over", {{"amount", 5000}, {"currency", "USD"}}}, {"countries", {"de", "FR"}}});
    REQUIRE_MESSAGE(created.status == 201, created.body);
    CHECK(created.json().at("countries").as_array().size() == 2);
    CHECK(admin.post("/api/v1/admin/shipping-methods", json::object{{"code", "eu-post"}, {"name", "x"}, {"price", {{"amount", 1}, {"currency", "USD"}}}})
              .status == 409);
    auto mixed = admin.post("/api/v1/admin/shipping-methods",
                            json::object{{"code", "odd"}, {"name", "Odd"}, {"price", {{"amount", 1}, {"currency", "USD"}}},
                                         {"free_over", {{"amount", 1}, {"currency", "EUR"}}}});
    CHECK(mixed.status == 422);
    auto customer = shop.customer("ann@example.com");
    CHECK(customer.post("/api/v1/admin/shipping-methods", json::object{}).status == 403);

    auto guest = shop.client();
    auto cart_id = new_cart(guest, "SHIP-1", 1);
    auto codes = [&](const std::string& country) {
        std::map<std::string, std::int64_t> out;
        auto r = guest.get("/api/v1/checkout/shipping-methods?cart_id=" + cart_id + (country.empty() ? "" : "&country=" + country));
        REQUIRE(r.status == 200);
        auto body = r.json();
        for (auto& m : body.at("data").as_array()) out[std::string(m.at("code").as_string())] = amount(m, "price_for_cart");
        return out;
    };
    CHECK(codes("US").count("eu-post") == 0);
    CHECK(codes("DE").at("eu-post") == 700);
    CHECK(codes("DE").at("standard") == 500);
    // Not to the US at checkout either.
    auto wrong = place(guest, cart_id, "US", "eu-post");
    CHECK(wrong.status == 422);
    CHECK(wrong.body.find("shipping_method") != std::string::npos);
    // Over free_over it is free.
    auto lines = guest.get("/api/v1/carts/" + cart_id).json().at("lines");
    auto line_id = std::string(lines.at(0).at("id").as_string());
    REQUIRE(guest.patch("/api/v1/carts/" + cart_id + "/items/" + line_id, json::object{{"quantity", 2}}).status == 200);
    CHECK(codes("DE").at("eu-post") == 0);
    auto order = place(guest, cart_id, "DE", "eu-post");
    REQUIRE_MESSAGE(order.status == 201, order.body);
    CHECK(amount(order.json(), "shipping") == 0);
    // A cart in a currency a method has no rate in is not offered it.
    REQUIRE(admin.patch("/api/v1/admin/shipping-methods/eu-post", json::object{{"rates", {{{"price", {{"amount", 650}, {"currency", "EUR"}}}}}}})
                .status == 200);
    CHECK(codes("DE").count("eu-post") == 0);
    CHECK(admin.patch("/api/v1/admin/shipping-methods/nope", json::object{{"active", false}}).status == 404);
}

TEST_CASE("a guest cart merges into the customer's: quantities summed and capped by stock, the guest cart closed") {
    TestShop shop;
    shop.product("MERGE-A", 500, 3);
    shop.product("MERGE-B", 700, 5);
    auto guest = shop.client();
    auto guest_cart = guest.post("/api/v1/carts", json::object{});
    std::string gid = guest_cart.str("id"), token = guest_cart.str("token");
    guest.set_header("X-Cart-Token", token);
    REQUIRE(guest.post("/api/v1/carts/" + gid + "/items", json::object{{"sku", "MERGE-A"}, {"quantity", 2}}).status == 201);
    REQUIRE(guest.post("/api/v1/carts/" + gid + "/items", json::object{{"sku", "MERGE-B"}, {"quantity", 1}}).status == 201);

    auto ann = shop.customer("ann@example.com");
    auto mine = new_cart(ann, "MERGE-A", 2);
    auto bob = shop.customer("bob@example.com");
    CHECK(bob.post("/api/v1/carts/" + mine + "/merge", json::object{{"cart_id", gid}, {"token", token}}).status == 404);
    CHECK(ann.post("/api/v1/carts/" + mine + "/merge", json::object{{"cart_id", gid}, {"token", "wrong"}}).status == 404);
    CHECK(shop.client().post("/api/v1/carts/" + mine + "/merge", json::object{{"cart_id", gid}, {"token", token}}).status == 401);
    auto merged = ann.post("/api/v1/carts/" + mine + "/merge", json::object{{"cart_id", gid}, {"token", token}});
    REQUIRE_MESSAGE(merged.status == 200, merged.body);
    std::map<std::string, std::int64_t> q;
    auto merged_body = merged.json();
    for (auto& l : merged_body.at("lines").as_array()) q[std::string(l.at("sku").as_string())] = l.at("quantity").as_int64();
    CHECK(q["MERGE-A"] == 3);  // 2 + 2, only 3 in stock
    CHECK(q["MERGE-B"] == 1);
    auto closed = guest.get("/api/v1/carts/" + gid).json();
    CHECK(closed.at("status").as_string() == "merged");
    CHECK(closed.at("merged_into").as_string() == mine);
    CHECK(place(guest, gid).status == 409);
    CHECK(ann.post("/api/v1/carts/" + mine + "/merge", json::object{{"cart_id", gid}, {"token", token}}).status == 409);  // closed
}

TEST_CASE("a cart line holds at most cart.max_line_quantity units, and abandoned carts are deleted") {
    TestShop shop(Overrides{{"cart.max_line_quantity", "5"}, {"cart.abandoned_after_s", "1"}, {"cart.sweep_interval_s", "1"}});
    shop.product("LIMIT", 100, 100);
    auto guest = shop.client();
    auto cart = guest.post("/api/v1/carts", json::object{});
    std::string id = cart.str("id");
    guest.set_header("X-Cart-Token", cart.str("token"));
    auto over = guest.post("/api/v1/carts/" + id + "/items", json::object{{"sku", "LIMIT"}, {"quantity", 6}});
    CHECK(over.status == 422);
    CHECK(over.body.find("at most 5") != std::string::npos);
    REQUIRE(guest.post("/api/v1/carts/" + id + "/items", json::object{{"sku", "LIMIT"}, {"quantity", 5}}).status == 201);
    int status = 200;
    for (int i = 0; i < 60 && status == 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        status = guest.get("/api/v1/carts/" + id).status;
    }
    CHECK(status == 404);
}

TEST_CASE("a product's tax class picks its rate, and a method with weight bands prices the cart by its weight") {
    TestShop shop;
    auto admin = shop.admin();
    auto book = admin.post("/api/v1/products",
                           json::object{{"title", "A heavy book"},
                                        {"status", "published"},
                                        {"tax_class", "books"},
                                        {"variants", json::array{json::object{{"sku", "BOOK-1"},
                                                                              {"weight_grams", 800},
                                                                              {"prices", json::array{json::object{{"amount", 2000}, {"currency", "USD"}}}}}}}});
    REQUIRE_MESSAGE(book.status == 201, book.body);
    CHECK(book.json().at("tax_class").as_string() == "books");
    CHECK(book.json().at("variants").at(0).at("weight_grams").as_int64() == 800);
    CHECK(admin.post("/api/v1/products", json::object{{"title", "Bad class"}, {"tax_class", "Not A Slug"},
                                                       {"variants", json::array{json::object{{"sku", "BAD-1"}, {"prices", json::array{json::object{{"amount", 1}, {"currency", "USD"}}}}}}}})
              .status == 422);
    REQUIRE(admin.put("/api/v1/admin/inventory/BOOK-1", json::object{{"warehouse", "main"}, {"on_hand", 10}}).status == 200);
    REQUIRE(admin.post("/api/v1/admin/tax-rates", json::object{{"country", "FR"}, {"rate_bp", 2000}}).status == 201);
    REQUIRE(admin.post("/api/v1/admin/tax-rates", json::object{{"country", "FR"}, {"rate_bp", 550}, {"tax_class", "books"}}).status == 201);
    // A class no product could carry (products take the slug form) is refused on rates too.
    auto odd = admin.post("/api/v1/admin/tax-rates", json::object{{"country", "FR"}, {"rate_bp", 550}, {"tax_class", "reduced_rate"}});
    CHECK(odd.status == 422);
    CHECK(odd.body.find("\"field\":\"tax_class\"") != std::string::npos);
    auto parcel = admin.post("/api/v1/admin/shipping-methods",
                             json::object{{"code", "parcel"},
                                          {"name", "Parcel by weight"},
                                          {"price", {{"amount", 2500}, {"currency", "USD"}}},
                                          {"weight_bands", json::array{json::object{{"up_to_grams", 1000}, {"price", {{"amount", 600}, {"currency", "USD"}}}},
                                                                       json::object{{"up_to_grams", 2000}, {"price", {{"amount", 900}, {"currency", "USD"}}}}}}});
    REQUIRE_MESSAGE(parcel.status == 201, parcel.body);
    CHECK(parcel.json().at("rates").at(0).at("weight_bands").as_array().size() == 2);

    auto guest = shop.client();
    auto cart_id = new_cart(guest, "BOOK-1", 1);
    auto price_of = [&] {
        auto r = guest.get("/api/v1/checkout/shipping-methods?cart_id=" + cart_id);
        auto body = r.json();
        for (auto& m : body.at("data").as_array())
            if (m.at("code") == "parcel") return amount(m, "price_for_cart");
        return std::int64_t{-1};
    };
    CHECK(price_of() == 600);  // 800 g
    auto line_id = std::string(guest.get("/api/v1/carts/" + cart_id).json().at("lines").at(0).at("id").as_string());
    REQUIRE(guest.patch("/api/v1/carts/" + cart_id + "/items/" + line_id, json::object{{"quantity", 2}}).status == 200);
    CHECK(price_of() == 900);  // 1,600 g
    REQUIRE(guest.patch("/api/v1/carts/" + cart_id + "/items/" + line_id, json::object{{"quantity", 3}}).status == 200);
    CHECK(price_of() == 2500);  // 2,400 g: above every band, the flat price

    auto order = place(guest, cart_id, "FR", "parcel");
    REQUIRE_MESSAGE(order.status == 201, order.body);
    auto oj = order.json();
    CHECK(amount(oj, "shipping") == 2500);
    CHECK(amount(oj, "tax") == 330);  // 5.5 % of 6,000 (books); shipping untaxed without a `shipping` rate
    REQUIRE(oj.at("tax_lines").as_array().size() == 1);
    CHECK(oj.at("tax_lines").at(0).at("tax_class").as_string() == "books");
    CHECK(oj.at("tax_lines").at(0).at("rate_bp").as_int64() == 550);
}

TEST_CASE("a promotion on a category takes off the lines of products in it or below it") {
    TestShop shop;
    auto admin = shop.admin();
    auto clothing = admin.post("/api/v1/categories", json::object{{"name", "Clothing"}});
    REQUIRE_MESSAGE(clothing.status == 201, clothing.body);
    auto shirts = admin.post("/api/v1/categories", json::object{{"name", "Shirts"}, {"parent_id", clothing.str("id")}});
    REQUIRE_MESSAGE(shirts.status == 201, shirts.body);
    auto shirt = admin.post("/api/v1/products",
                            json::object{{"title", "A shirt"},
                                         {"status", "published"},
                                         {"category_ids", json::array{json::value(shirts.str("id"))}},
                                         {"variants", json::array{json::object{{"sku", "SHIRT-1"},
                                                                               {"prices", json::array{json::object{{"amount", 3000}, {"currency", "USD"}}}}}}}});
    REQUIRE_MESSAGE(shirt.status == 201, shirt.body);
    REQUIRE(admin.put("/api/v1/admin/inventory/SHIRT-1", json::object{{"warehouse", "main"}, {"on_hand", 5}}).status == 200);
    shop.product("MUG-1", 1000, 5);

    auto unknown = admin.post("/api/v1/admin/promotions", json::object{{"code", "NOCAT"}, {"kind", "percent"}, {"percent", 10},
                                                                      {"category_ids", json::array{"cat_01JDZZZZZZZZZZZZZZZZZZZZZZ"}}});
    CHECK(unknown.status == 422);
    CHECK(unknown.body.find("category_ids[0]") != std::string::npos);
    auto promo = create_promotion(admin, {{"code", "CLOTHES"}, {"kind", "percent"}, {"percent", 20},
                                          {"category_ids", json::array{json::value(clothing.str("id"))}}});
    CHECK(admin.get("/api/v1/admin/promotions/" + promo).json().at("category_ids").as_array().size() == 1);

    auto guest = shop.client();
    auto cart_id = new_cart(guest, "SHIRT-1", 1);
    REQUIRE(guest.post("/api/v1/carts/" + cart_id + "/items", json::object{{"sku", "MUG-1"}, {"quantity", 1}}).status == 201);
    auto cart = guest.post("/api/v1/carts/" + cart_id + "/coupon", json::object{{"code", "CLOTHES"}});
    REQUIRE_MESSAGE(cart.status == 200, cart.body);
    CHECK(amount(cart.json(), "discount") == 600);  // 20 % of the shirt only
    auto order = place(guest, cart_id);
    REQUIRE_MESSAGE(order.status == 201, order.body);
    CHECK(amount(order.json(), "discount") == 600);
    // A cart without clothing cannot use it.
    auto other = shop.client();
    auto mugs = new_cart(other, "MUG-1", 1);
    auto refused = other.post("/api/v1/carts/" + mugs + "/coupon", json::object{{"code", "CLOTHES"}});
    CHECK(refused.status == 422);
    CHECK(refused.body.find("none of the items") != std::string::npos);
}
