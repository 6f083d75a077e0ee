// What only exists with PostgreSQL: moving a SQLite install into it (shop migrate-data), and
// instances sharing one database. Skipped in the SQLite pass of scripts/test.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "app/migrate_data.hpp"
#include "platform/db.hpp"
#include "platform/log.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

json::object address() {
    return {{"name", "Ann Buyer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "US"}};
}

/// A customer's whole checkout, paid; returns the order id.
std::string buy(HttpClient& c, const std::string& sku, int quantity) {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    auto cart_id = cart.str("id");
    REQUIRE(c.post("/api/v1/carts/" + cart_id + "/items", json::object{{"sku", sku}, {"quantity", quantity}}).status == 201);
    auto order = c.post("/api/v1/checkout", json::object{{"cart_id", cart_id}, {"shipping_address", address()}, {"shipping_method", "standard"}});
    REQUIRE_MESSAGE(order.status == 201, order.body);
    auto token = c.post("/api/v1/payments/sandbox/tokens",
                        json::object{{"number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}});
    REQUIRE(token.status == 201);
    auto paid = c.post("/api/v1/payments", json::object{{"order_id", order.str("id")}, {"payment_method", token.str("token")}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    REQUIRE(paid.str("status") == "succeeded");
    return order.str("id");
}

}  // namespace

TEST_CASE("migrate-data moves a SQLite install to PostgreSQL: customers, orders, stock, mail and search carry over" *
          doctest::skip(!on_postgresql())) {
    TempDir sqlite_dir(false);  // no scratch database: this one is SQLite
    std::string order_id, product_id;
    {
        TestShop before(sqlite_dir);
        product_id = before.product("MOVE-1", 2500, 5);
        auto ann = before.customer("ann@example.com");
        order_id = buy(ann, "MOVE-1", 2);
        before.settle();
        REQUIRE(before.app().database().dialect() == "sqlite");
    }

    TempDir pg;
    Logger log(LogLevel::off);
    auto report = app::migrate_data(sqlite_dir.path(), pg.db_url(), test_config(pg.path()), log);
    CHECK(report.rows > 20);
    CHECK(report.per_table.at("ordering.orders") == 1);
    CHECK(report.per_table.at("identity.users") == 2);  // the admin and Ann
    // A second run would mix two shops: refused.
    CHECK_THROWS_WITH_AS(app::migrate_data(sqlite_dir.path(), pg.db_url(), test_config(pg.path()), log),
                         doctest::Contains("in use"), std::runtime_error);

    TestShop after(pg);
    REQUIRE(after.app().database().dialect() == "postgresql");
    after.settle();
    auto c = after.client();
    auto login = c.post("/api/v1/auth/login", json::object{{"email", "ann@example.com"}, {"password", "a-long-enough-passphrase"}});
    REQUIRE_MESSAGE(login.status == 200, login.body);  // the argon2id hash came along
    c.set_header("Authorization", "Bearer " + login.str("access_token"));
    auto order = c.get("/api/v1/orders/" + order_id);
    REQUIRE(order.status == 200);
    CHECK(order.str("status") == "confirmed");
    CHECK(order.json().at("total").at("amount").as_int64() == 2 * 2500 + 500);
    auto stock = after.admin().get("/api/v1/admin/inventory/MOVE-1").json();
    CHECK(stock.at("on_hand").as_int64() == 3);
    CHECK(stock.at("sold").as_int64() == 2);
    CHECK(c.get("/api/v1/search?q=MOVE").json().at("total").as_int64() == 1);  // the index in memory, built from the copied documents
    CHECK(c.get("/api/v1/search?q=prodcut").json().at("suggestion").as_string() == "product");  // typo correction against the copied documents
    CHECK(c.get("/api/v1/products/" + product_id).status == 200);

    // Life goes on: a new order gets the next number, and old events are not handled again
    // (one confirmation mail per order, the first one already sent before the move).
    auto next = buy(c, "MOVE-1", 1);
    after.settle();
    CHECK(c.get("/api/v1/orders/" + next).str("number") == "1002");
    auto mail = after.admin().get("/api/v1/admin/notifications?limit=10").json().at("data").as_array();
    CHECK(mail.size() == 2);
    CHECK(after.admin().get("/api/v1/admin/inventory/MOVE-1").json().at("sold").as_int64() == 3);
}

TEST_CASE("two instances share one database: a write on one is read on the other and its events handled once" *
          doctest::skip(!on_postgresql())) {
    TestShop shop;
    auto peer = HttpClient(shop.peer_port());
    shop.product("SHARED-1", 1000, 10);
    shop.settle();
    auto on_peer = peer.get("/api/v1/inventory/SHARED-1");
    REQUIRE(on_peer.status == 200);
    CHECK(on_peer.json().at("available").as_int64() == 10);
    CHECK(peer.get("/api/v1/search?q=SHARED").json().at("total").as_int64() == 1);
    // Orders placed through both instances; every confirmation mailed exactly once.
    auto ann = shop.customer("ann@example.com");
    auto bob = shop.customer("bob@example.com");
    auto bob_on_peer = bob.on(shop.peer_port());
    for (int i = 0; i < 3; ++i) {
        buy(ann, "SHARED-1", 1);
        buy(bob_on_peer, "SHARED-1", 1);
    }
    shop.settle();
    auto mail = shop.admin().get("/api/v1/admin/notifications?limit=50").json().at("data").as_array();
    CHECK(mail.size() == 6);
    CHECK(shop.admin().get("/api/v1/admin/inventory/SHARED-1").json().at("sold").as_int64() == 6);
}
