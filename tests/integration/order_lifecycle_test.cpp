// The order's life after checkout, over real HTTP: cancellation.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/db.hpp"
#include "platform/ids.hpp"
#include "support/test_shop.hpp"

#include <chrono>
#include <thread>

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

json::object address() {
    return {{"name", "Ann Buyer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "US"}};
}

std::string order_for(HttpClient& c, const std::string& sku, int quantity, const std::string& email = "") {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    std::string id = cart.str("id");
    if (cart.json().at("customer_id").is_null()) c.set_header("X-Cart-Token", cart.str("token"));
    REQUIRE(c.post("/api/v1/carts/" + id + "/items", json::object{{"sku", sku}, {"quantity", quantity}}).status == 201);
    json::object body{{"cart_id", id}, {"shipping_address", address()}, {"shipping_method", "standard"}};
    if (!email.empty()) body["email"] = email;
    auto order = c.post("/api/v1/checkout", body);
    REQUIRE_MESSAGE(order.status == 201, order.body);
    return order.str("id");
}

json::object stock(HttpClient& admin, const std::string& sku) { return admin.get("/api/v1/admin/inventory/" + sku).json().as_object(); }

bool mailed(const TestShop& shop, const std::string& needle) {
    auto dir = shop.dir() / "mail" / "outbox";
    if (!std::filesystem::exists(dir)) return false;
    for (auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        if (ss.str().find(needle) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("a customer cancels a paid order: stock back, payment refunded, coupon use back, mailed - again is the same") {
    TestShop shop;
    shop.product("CANCEL-1", 2500, 3);
    auto admin = shop.admin();
    auto promo = admin.post("/api/v1/admin/promotions", json::object{{"code", "BYE"}, {"kind", "percent"}, {"percent", 10}, {"usage_limit", 1}});
    REQUIRE(promo.status == 201);
    auto ann = shop.customer("ann@example.com");
    auto cart = ann.post("/api/v1/carts", json::object{});
    std::string cart_id = cart.str("id");
    REQUIRE(ann.post("/api/v1/carts/" + cart_id + "/items", json::object{{"sku", "CANCEL-1"}, {"quantity", 2}}).status == 201);
    REQUIRE(ann.post("/api/v1/carts/" + cart_id + "/coupon", json::object{{"code", "BYE"}}).status == 200);
    auto placed = ann.post("/api/v1/checkout", json::object{{"cart_id", cart_id}, {"shipping_address", address()}, {"shipping_method", "standard"}});
    REQUIRE_MESSAGE(placed.status == 201, placed.body);
    std::string order_id = placed.str("id");
    auto token = ann.post("/api/v1/payments/sandbox/tokens",
                          json::object{{"number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}});
    auto paid = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", token.str("token")}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    std::string payment_id = paid.str("id");
    shop.settle();
    REQUIRE(ann.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
    CHECK(stock(admin, "CANCEL-1").at("on_hand").as_int64() == 1);  // sold

    auto bob = shop.customer("bob@example.com");
    CHECK(bob.post("/api/v1/orders/" + order_id + "/cancel", json::object{}).status == 404);  // not his
    auto cancelled = ann.post("/api/v1/orders/" + order_id + "/cancel", json::object{{"reason", "changed my mind"}});
    REQUIRE_MESSAGE(cancelled.status == 200, cancelled.body);
    CHECK(cancelled.str("status") == "cancelled");
    shop.settle();

    CHECK(stock(admin, "CANCEL-1").at("on_hand").as_int64() == 3);  // restocked
    auto payment = ann.get("/api/v1/payments/" + payment_id).json();
    CHECK(payment.at("amount_refunded").at("amount").as_int64() == payment.at("amount").at("amount").as_int64());
    CHECK(admin.get("/api/v1/admin/promotions/" + promo.str("id")).json().at("times_used").as_int64() == 0);
    CHECK(mailed(shop, "you cancelled it"));
    auto history = ann.get("/api/v1/orders/" + order_id + "/history").json();
    CHECK(history.at("history").as_array().back().at("note").as_string() == "changed my mind");

    auto again = ann.post("/api/v1/orders/" + order_id + "/cancel", json::object{});
    CHECK(again.status == 200);
    CHECK(again.str("status") == "cancelled");
    shop.settle();
    CHECK(stock(admin, "CANCEL-1").at("on_hand").as_int64() == 3);  // not twice
    // A cancelled order takes no payment.
    auto late = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", token.str("token")}});
    CHECK(late.status == 409);
}

TEST_CASE("a guest cancels an unpaid order with the cart token - an admin cancels anyone's") {
    TestShop shop;
    shop.product("CANCEL-2", 1000, 4);
    auto admin = shop.admin();
    auto guest = shop.client();
    auto order_id = order_for(guest, "CANCEL-2", 3, "guest@example.com");
    CHECK(stock(admin, "CANCEL-2").at("reserved").as_int64() == 3);
    CHECK(shop.client().post("/api/v1/orders/" + order_id + "/cancel", json::object{}).status == 404);  // no token
    auto r = guest.request("POST", "/api/v1/orders/" + order_id + "/cancel");  // no body at all
    REQUIRE_MESSAGE(r.status == 200, r.body);
    shop.settle();
    CHECK(stock(admin, "CANCEL-2").at("reserved").as_int64() == 0);
    CHECK(mailed(shop, "you cancelled it"));

    auto ann = shop.customer("ann@example.com");
    auto second = order_for(ann, "CANCEL-2", 1);
    auto by_admin = admin.post("/api/v1/orders/" + second + "/cancel", json::object{});
    REQUIRE(by_admin.status == 200);
    shop.settle();
    CHECK(mailed(shop, "the shop cancelled it"));
    CHECK(stock(admin, "CANCEL-2").at("available").as_int64() == 4);
    auto bad = admin.post("/api/v1/orders/" + second + "/cancel", json::object{{"reason", ""}});
    CHECK(bad.status == 422);
}

TEST_CASE("stock held for an order that was never written (a crash mid-checkout) is released without waiting for the TTL") {
    TestShop shop(std::map<std::string, std::string>{{"ordering.orphan_sweep_interval_s", "1"}});
    shop.product("ORPHAN", 1000, 5);
    auto admin = shop.admin();
    auto guest = shop.client();
    auto real_order = order_for(guest, "ORPHAN", 1, "guest@example.com");
    // What a crash between inventory's reservation and ordering's transaction leaves: a reservation
    // under a minted order id with no order, a minute old (reservations live 15 minutes).
    std::string ghost = new_id("ord"), minute_ago = iso8601(now_ms() - 60'000);
    auto hold = [&](const std::string& reference) {
        shop.app().database().write("inventory", Ctx::system("test"), [&](db::Tx& tx) -> Result<void> {
            tx.exec("INSERT INTO inventory.reservations (id, reference, sku, warehouse, quantity, status, expires_ms, created_at, updated_at) "
                    "VALUES (?, ?, 'ORPHAN', 'main', 2, 'active', ?, ?, ?)",
                    new_id("rsv"), reference, now_ms() + 900'000, minute_ago, minute_ago);
            return {};
        });
    };
    hold(ghost);
    hold(real_order);  // an old reservation of an order that exists stays
    REQUIRE(stock(admin, "ORPHAN").at("reserved").as_int64() == 5);
    std::int64_t reserved = 5;
    for (int i = 0; i < 50 && reserved != 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        reserved = stock(admin, "ORPHAN").at("reserved").as_int64();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // another sweep or two
    reserved = stock(admin, "ORPHAN").at("reserved").as_int64();
    CHECK(reserved == 3);  // the ghost's 2 are free again; the real order keeps its 1 + 2
    CHECK(guest.get("/api/v1/orders/" + real_order).str("status") == "pending_payment");
}
