// Inventory over HTTP: adjustments, warehouses and the allocation rule, the stock list and the
// movements ledger, backorders, the vendor's own stock, and the stock invariant under concurrency.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>
#include <barrier>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;
using Overrides = std::map<std::string, std::string>;

namespace {

json::object address() {
    return {{"name", "Ann Buyer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "US"}};
}

// A customer's cart holding `quantity` of `sku`, checked out: the order (201) or the refusal.
HttpResult order(HttpClient& c, const std::string& sku, std::int64_t quantity) {
    auto cart = c.post("/api/v1/carts", json::object{});
    REQUIRE_MESSAGE(cart.status == 201, cart.body);
    auto add = c.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", sku}, {"quantity", quantity}});
    if (add.status != 201) return add;
    return c.post("/api/v1/checkout",
                  json::object{{"cart_id", cart.str("id")}, {"shipping_address", address()}, {"shipping_method", "standard"}});
}

HttpResult pay(HttpClient& c, const std::string& order_id) {
    auto token = c.post("/api/v1/payments/sandbox/tokens",
                        json::object{{"number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}});
    REQUIRE_MESSAGE(token.status == 201, token.body);
    return c.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", token.str("token")}});
}

json::object stock(HttpClient& admin, const std::string& sku) {
    auto r = admin.get("/api/v1/admin/inventory/" + sku);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return r.json().as_object();
}

json::object level(const json::object& stock, const std::string& warehouse) {
    for (auto& l : stock.at("levels").as_array())
        if (l.at("warehouse").as_string() == warehouse) return l.as_object();
    FAIL("no level in " << warehouse);
    return {};
}

std::int64_t i64(const json::object& o, const char* key) { return o.at(key).as_int64(); }

std::string first_field(const HttpResult& r) {
    auto j = r.json();
    if (!j.is_object() || !j.as_object().contains("errors")) return "";
    return std::string(j.at("errors").at(0).at("field").as_string());
}

HttpResult adjust(HttpClient& c, const std::string& sku, const std::string& warehouse, std::int64_t delta,
                  const std::string& reason = "recount", const std::map<std::string, std::string>& headers = {}) {
    return c.post("/api/v1/admin/inventory/" + sku + "/adjustments",
                  json::object{{"warehouse", warehouse}, {"delta", delta}, {"reason", reason}}, headers);
}

// Every movement of a SKU, following the cursor.
std::vector<json::object> movements(HttpClient& admin, const std::string& query) {
    std::vector<json::object> out;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        auto r = admin.get("/api/v1/admin/inventory/movements?limit=7&" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
        REQUIRE_MESSAGE(r.status == 200, r.body);
        auto page_json = r.json();
        for (auto& m : page_json.at("data").as_array()) out.push_back(m.as_object());
        auto next = page_json.at("next_cursor");
        if (next.is_null()) break;
        cursor = std::string(next.as_string());
    }
    return out;
}

std::string my_id(HttpClient& c) { return c.get("/api/v1/me").str("id"); }

}  // namespace

TEST_CASE("stock adjustments: a delta with a reason, bounded by zero and by reservations, idempotent, in the movements ledger") {
    TestShop shop;
    shop.product("ADJ-1", 1000, 5);
    auto admin = shop.admin();
    std::string admin_id = my_id(admin);

    auto up = adjust(admin, "ADJ-1", "main", 3, "found in the back room");
    REQUIRE_MESSAGE(up.status == 200, up.body);
    CHECK(up.str("sku") == "ADJ-1");
    CHECK(up.json().at("on_hand").as_int64() == 8);
    CHECK(level(up.json().as_object(), "main").at("on_hand").as_int64() == 8);

    // Client mistakes name their field and change nothing.
    CHECK(first_field(adjust(admin, "ADJ-1", "main", 0)) == "delta");
    auto no_reason = admin.post("/api/v1/admin/inventory/ADJ-1/adjustments", json::object{{"warehouse", "main"}, {"delta", 1}});
    CHECK(no_reason.status == 422);
    CHECK(first_field(no_reason) == "reason");
    CHECK(first_field(adjust(admin, "ADJ-1", "main", 1, std::string(201, 'x'))) == "reason");
    auto nowhere = adjust(admin, "ADJ-1", "nowhere", 1);
    CHECK(nowhere.status == 422);
    CHECK(first_field(nowhere) == "warehouse");
    auto below_zero = adjust(admin, "ADJ-1", "main", -9);
    CHECK(below_zero.status == 409);
    CHECK(first_field(below_zero) == "delta");

    // An unpaid order holds 6: on_hand may not go below that.
    auto ann = shop.customer("ann@example.com");
    auto placed = order(ann, "ADJ-1", 6);
    REQUIRE_MESSAGE(placed.status == 201, placed.body);
    auto below_held = adjust(admin, "ADJ-1", "main", -3);
    CHECK(below_held.status == 409);
    CHECK(first_field(below_held) == "delta");
    auto to_held = adjust(admin, "ADJ-1", "main", -2, "damaged");
    REQUIRE_MESSAGE(to_held.status == 200, to_held.body);
    CHECK(to_held.json().at("on_hand").as_int64() == 6);
    CHECK(to_held.json().at("reserved").as_int64() == 6);
    CHECK(to_held.json().at("available").as_int64() == 0);

    // The same Idempotency-Key answers the same reply and adjusts once; another body under it is 422.
    auto first = adjust(admin, "ADJ-1", "main", 4, "delivery 17", {{"Idempotency-Key", "adj-17"}});
    REQUIRE(first.status == 200);
    auto again = adjust(admin, "ADJ-1", "main", 4, "delivery 17", {{"Idempotency-Key", "adj-17"}});
    CHECK(again.status == 200);
    CHECK(again.header("idempotent-replayed") == "true");
    CHECK(again.json() == first.json());
    CHECK(adjust(admin, "ADJ-1", "main", 5, "delivery 17", {{"Idempotency-Key", "adj-17"}}).status == 422);
    CHECK(stock(admin, "ADJ-1").at("on_hand").as_int64() == 10);

    // Unknown SKUs are 404 everywhere, not stock created from nothing.
    CHECK(adjust(admin, "NO-SUCH", "main", 1).status == 404);
    auto put_unknown = admin.put("/api/v1/admin/inventory/NO-SUCH", json::object{{"on_hand", 3}});
    CHECK(put_unknown.status == 404);
    CHECK(put_unknown.str("code") == "not_found");
    CHECK(admin.get("/api/v1/admin/inventory/NO-SUCH").status == 404);
    CHECK(shop.client().get("/api/v1/inventory/NO-SUCH").status == 404);
    CHECK(admin.get("/api/v1/admin/inventory?limit=100").body.find("NO-SUCH") == std::string::npos);
    // A product's SKU without any stock answers zeros.
    auto bare = admin.post("/api/v1/products",
                           json::object{{"title", "Bare"}, {"status", "published"},
                                        {"variants", json::array{json::object{{"sku", "BARE-1"},
                                                                              {"prices", json::array{json::object{{"amount", 100}, {"currency", "USD"}}}}}}}});
    REQUIRE(bare.status == 201);
    auto zero = shop.client().get("/api/v1/inventory/BARE-1");
    REQUIRE(zero.status == 200);
    CHECK(zero.json().at("available").as_int64() == 0);
    CHECK(zero.json().at("in_stock").as_bool() == false);
    CHECK(stock(admin, "BARE-1").at("on_hand").as_int64() == 0);

    // The ledger, newest first: who, why, and how much; a PUT for nothing is refused.
    CHECK(first_field(admin.put("/api/v1/admin/inventory/ADJ-1", json::object{{"warehouse", "main"}})) == "on_hand");
    auto ledger = movements(admin, "sku=ADJ-1");
    REQUIRE(ledger.size() == 4);
    CHECK(ledger[0].at("delta").as_int64() == 4);
    CHECK(ledger[0].at("reason").as_string() == "delivery 17");
    CHECK(ledger[1].at("delta").as_int64() == -2);
    CHECK(ledger[1].at("reason").as_string() == "damaged");
    CHECK(ledger[2].at("reason").as_string() == "found in the back room");
    CHECK(ledger[3].at("reason").as_string() == "set");
    CHECK(ledger[3].at("delta").as_int64() == 5);
    std::int64_t sum = 0;
    for (auto& m : ledger) {
        CHECK(m.at("actor").as_string() == admin_id);
        CHECK(m.at("warehouse").as_string() == "main");
        CHECK_FALSE(m.contains("order_id"));
        sum += m.at("delta").as_int64();
    }
    CHECK(sum == 10);

    // A sale is a movement by the system, carrying its order.
    REQUIRE(pay(ann, placed.str("id")).status == 201);
    shop.settle();
    auto sale = movements(admin, "sku=ADJ-1&warehouse=main");
    REQUIRE(sale.size() == 5);
    CHECK(sale[0].at("reason").as_string() == "sale");
    CHECK(sale[0].at("delta").as_int64() == -6);
    CHECK(sale[0].at("order_id").as_string() == placed.str("id"));
    CHECK(sale[0].at("actor").as_string() == "system");
    CHECK(movements(admin, "warehouse=east").empty());
    CHECK(movements(admin, "sku=BARE-1").empty());
    // The path is not read as a SKU named "movements".
    CHECK(admin.get("/api/v1/admin/inventory/movements").json().at("data").as_array().size() == 5);
}

TEST_CASE("warehouses: create, unique slug codes, rename, priority - a reservation splits across them by the documented rule") {
    TestShop shop;
    auto admin = shop.admin();
    auto east = admin.post("/api/v1/admin/warehouses", json::object{{"code", "east"}, {"name", "East"}});
    REQUIRE_MESSAGE(east.status == 201, east.body);
    CHECK(east.str("code") == "east");
    CHECK(east.json().at("priority").as_int64() == 0);
    auto dup = admin.post("/api/v1/admin/warehouses", json::object{{"code", "east"}, {"name", "East again"}});
    CHECK(dup.status == 409);
    CHECK(first_field(dup) == "code");
    CHECK(first_field(admin.post("/api/v1/admin/warehouses", json::object{{"code", "East Side"}, {"name", "E"}})) == "code");
    CHECK(first_field(admin.post("/api/v1/admin/warehouses", json::object{{"code", "west"}})) == "name");
    auto renamed = admin.patch("/api/v1/admin/warehouses/east", json::object{{"name", "East coast"}});
    REQUIRE(renamed.status == 200);
    CHECK(renamed.str("name") == "East coast");
    CHECK(admin.patch("/api/v1/admin/warehouses/nowhere", json::object{{"name", "X"}}).status == 404);
    auto list = admin.get("/api/v1/admin/warehouses").json().at("data").as_array();
    REQUIRE(list.size() == 2);
    CHECK(list[0].at("code").as_string() == "east");
    CHECK(list[0].at("name").as_string() == "East coast");
    CHECK(list[1].at("code").as_string() == "main");
    CHECK(shop.customer("carl@example.com").get("/api/v1/admin/warehouses").status == 403);

    // Most free stock first: 4 of main's 3 + east's 2 take main's 3, then 1 from east.
    shop.product("SPLIT", 1000, 3);
    REQUIRE(admin.put("/api/v1/admin/inventory/SPLIT", json::object{{"warehouse", "east"}, {"on_hand", 2}}).status == 200);
    auto ann = shop.customer("ann@example.com");
    auto o1 = order(ann, "SPLIT", 4);
    REQUIRE_MESSAGE(o1.status == 201, o1.body);
    auto s = stock(admin, "SPLIT");
    CHECK(level(s, "main").at("reserved").as_int64() == 3);
    CHECK(level(s, "east").at("reserved").as_int64() == 1);
    CHECK(i64(s, "available") == 1);

    // Equal free stock: the higher priority goes first.
    shop.product("TIE", 1000, 2);
    REQUIRE(admin.put("/api/v1/admin/inventory/TIE", json::object{{"warehouse", "east"}, {"on_hand", 2}}).status == 200);
    REQUIRE(admin.patch("/api/v1/admin/warehouses/east", json::object{{"priority", 10}}).json().at("priority").as_int64() == 10);
    auto o2 = order(ann, "TIE", 3);
    REQUIRE_MESSAGE(o2.status == 201, o2.body);
    auto t = stock(admin, "TIE");
    CHECK(level(t, "east").at("reserved").as_int64() == 2);
    CHECK(level(t, "main").at("reserved").as_int64() == 1);

    // Paying sells from both warehouses, each a movement with the order.
    REQUIRE(pay(ann, o1.str("id")).status == 201);
    shop.settle();
    auto sold = stock(admin, "SPLIT");
    CHECK(level(sold, "main").at("on_hand").as_int64() == 0);
    CHECK(level(sold, "east").at("on_hand").as_int64() == 1);
    CHECK(i64(sold, "sold") == 4);
    auto east_moves = movements(admin, "sku=SPLIT&warehouse=east");
    REQUIRE(east_moves.size() == 2);
    CHECK(east_moves[0].at("delta").as_int64() == -1);
    CHECK(east_moves[0].at("order_id").as_string() == o1.str("id"));
}

TEST_CASE("the stock list, its low-stock filter and cursor, and inventory.low_stock.v1 when a level crosses its threshold") {
    TestShop shop;
    auto admin = shop.admin();
    shop.product("LOW-A", 1000, 10);
    shop.product("LOW-B", 1000, 10);
    shop.product("LOW-C", 1000, 2);
    REQUIRE(admin.put("/api/v1/admin/inventory/LOW-A", json::object{{"low_stock_threshold", 3}}).status == 200);
    REQUIRE(admin.put("/api/v1/admin/inventory/LOW-C", json::object{{"low_stock_threshold", 2}}).status == 200);

    auto low = admin.get("/api/v1/admin/inventory?low_stock=true").json();
    REQUIRE(low.at("data").as_array().size() == 1);
    CHECK(low.at("data").at(0).at("sku").as_string() == "LOW-C");
    CHECK(low.at("data").at(0).at("low_stock").as_bool());

    // Above the threshold: no event (the request's trace holds none).
    auto quiet = adjust(admin, "LOW-A", "main", -6);
    REQUIRE(quiet.status == 200);
    CHECK_FALSE(quiet.json().at("low_stock").as_bool());
    CHECK(admin.get("/api/v1/admin/traces/" + quiet.header("x-request-id")).status == 404);
    // Crossing it: one event naming the level.
    auto crossing = adjust(admin, "LOW-A", "main", -1);
    REQUIRE(crossing.status == 200);
    CHECK(crossing.json().at("low_stock").as_bool());
    CHECK(level(crossing.json().as_object(), "main").at("low_stock").as_bool());
    auto trace = admin.get("/api/v1/admin/traces/" + crossing.header("x-request-id"));
    REQUIRE(trace.status == 200);
    CHECK(trace.body.find("inventory.low_stock.v1") != std::string::npos);
    // Already low: going lower is no new crossing.
    auto lower = adjust(admin, "LOW-A", "main", -1);
    CHECK(admin.get("/api/v1/admin/traces/" + lower.header("x-request-id")).status == 404);

    auto both = admin.get("/api/v1/admin/inventory?low_stock=true&limit=1");
    REQUIRE(both.status == 200);
    REQUIRE(both.json().at("data").as_array().size() == 1);
    CHECK(both.json().at("data").at(0).at("sku").as_string() == "LOW-A");
    auto cursor = std::string(both.json().at("next_cursor").as_string());
    auto second = admin.get("/api/v1/admin/inventory?low_stock=true&limit=1&cursor=" + cursor).json();
    REQUIRE(second.at("data").as_array().size() == 1);
    CHECK(second.at("data").at(0).at("sku").as_string() == "LOW-C");
    CHECK(second.at("next_cursor").is_null());

    auto all = admin.get("/api/v1/admin/inventory").json().at("data").as_array();
    REQUIRE(all.size() == 3);
    CHECK(all[1].at("sku").as_string() == "LOW-B");
    CHECK(all[1].at("on_hand").as_int64() == 10);
    CHECK(first_field(admin.get("/api/v1/admin/inventory?low_stock=maybe")) == "low_stock");
    CHECK(first_field(admin.get("/api/v1/admin/inventory?limit=0")) == "limit");
    CHECK(shop.customer("carl@example.com").get("/api/v1/admin/inventory?low_stock=true").status == 403);
}

TEST_CASE("a backorderable SKU sells beyond its stock up to its limit - paid backorders are sold when stock arrives") {
    TestShop shop;
    auto admin = shop.admin();
    shop.product("BO-1", 1000, 1);
    auto c = shop.client();
    auto before = c.get("/api/v1/inventory/BO-1").json();
    CHECK(before.at("available").as_int64() == 1);
    CHECK(before.at("backorderable").as_bool() == false);

    CHECK(first_field(admin.put("/api/v1/admin/inventory/BO-1", json::object{{"backorderable", true}})) == "backorder_limit");
    auto on = admin.put("/api/v1/admin/inventory/BO-1", json::object{{"backorderable", true}, {"backorder_limit", 2}});
    REQUIRE_MESSAGE(on.status == 200, on.body);
    CHECK(on.json().at("backorderable").as_bool());
    CHECK(on.json().at("backorder_limit").as_int64() == 2);
    CHECK(on.json().at("on_hand").as_int64() == 1);  // the level is untouched
    auto pub = c.get("/api/v1/inventory/BO-1").json();
    CHECK(pub.at("available").as_int64() == 3);
    CHECK(pub.at("in_stock").as_bool());
    CHECK(pub.at("backorderable").as_bool());

    // The cart and checkout sell up to the allowance, not beyond.
    auto ann = shop.customer("ann@example.com");
    auto too_many = order(ann, "BO-1", 4);
    CHECK(too_many.status == 409);
    CHECK(too_many.str("code") == "out_of_stock");
    auto placed = order(ann, "BO-1", 3);
    REQUIRE_MESSAGE(placed.status == 201, placed.body);
    auto held = stock(admin, "BO-1");
    CHECK(i64(held, "on_hand") == 1);
    CHECK(i64(held, "reserved") == 3);
    CHECK(i64(held, "available") == 0);
    CHECK(i64(held, "backordered") == 2);
    CHECK(i64(held, "orderable") == 0);
    auto sold_out = c.get("/api/v1/inventory/BO-1").json();
    CHECK(sold_out.at("available").as_int64() == 0);
    CHECK(sold_out.at("in_stock").as_bool() == false);
    CHECK(order(ann, "BO-1", 1).status == 409);

    // Paid: the unit in stock is sold, the two backordered wait for stock.
    REQUIRE(pay(ann, placed.str("id")).status == 201);
    shop.settle();
    CHECK(ann.get("/api/v1/orders/" + placed.str("id")).str("status") == "confirmed");
    auto waiting = stock(admin, "BO-1");
    CHECK(i64(waiting, "on_hand") == 0);
    CHECK(i64(waiting, "sold") == 1);
    CHECK(i64(waiting, "backordered") == 2);

    // A delivery of 5 fills them first: 2 sold to the order, 3 free.
    auto delivery = adjust(admin, "BO-1", "main", 5, "delivery");
    REQUIRE_MESSAGE(delivery.status == 200, delivery.body);
    CHECK(delivery.json().at("on_hand").as_int64() == 3);
    CHECK(delivery.json().at("sold").as_int64() == 3);
    CHECK(delivery.json().at("reserved").as_int64() == 0);
    CHECK(delivery.json().at("backordered").as_int64() == 0);
    CHECK(delivery.json().at("available").as_int64() == 3);
    CHECK(c.get("/api/v1/inventory/BO-1").json().at("available").as_int64() == 5);
    auto ledger = movements(admin, "sku=BO-1");
    REQUIRE(ledger.size() >= 3);
    std::int64_t to_order = 0, sum = 0;
    for (auto& m : ledger) {
        sum += m.at("delta").as_int64();
        if (m.contains("order_id") && m.at("order_id").as_string() == placed.str("id")) to_order += m.at("delta").as_int64();
    }
    CHECK(to_order == -3);
    CHECK(sum == 3);

    // Switched off: only free stock can be ordered.
    REQUIRE(admin.put("/api/v1/admin/inventory/BO-1", json::object{{"backorderable", false}}).status == 200);
    auto off = c.get("/api/v1/inventory/BO-1").json();
    CHECK(off.at("available").as_int64() == 3);
    CHECK(off.at("backorderable").as_bool() == false);
}

TEST_CASE("a vendor manages the stock of its own products only") {
    TestShop shop;
    std::string vera_id;
    auto vera = shop.vendor("vera@example.com", &vera_id);
    auto walt = shop.vendor("walt@example.com");
    auto product = [](HttpClient& v, const std::string& sku) {
        auto r = v.post("/api/v1/products",
                        json::object{{"title", "Vendor " + sku}, {"status", "published"},
                                     {"variants", json::array{json::object{{"sku", sku},
                                                                           {"prices", json::array{json::object{{"amount", 900}, {"currency", "USD"}}}}}}}});
        REQUIRE_MESSAGE(r.status == 201, r.body);
    };
    product(vera, "VERA-1");
    product(walt, "WALT-1");
    shop.product("SHOP-1", 900, 4);

    auto set = vera.put("/api/v1/admin/inventory/VERA-1", json::object{{"on_hand", 7}});
    REQUIRE_MESSAGE(set.status == 200, set.body);
    CHECK(set.json().at("on_hand").as_int64() == 7);
    auto adj = adjust(vera, "VERA-1", "main", -2, "sample sent");
    REQUIRE_MESSAGE(adj.status == 200, adj.body);
    CHECK(stock(vera, "VERA-1").at("on_hand").as_int64() == 5);

    // Another vendor's SKU, or the shop's own, answers as an unknown one does.
    for (std::string sku : {"WALT-1", "SHOP-1", "NO-SUCH"}) {
        CAPTURE(sku);
        auto get = vera.get("/api/v1/admin/inventory/" + sku);
        CHECK(get.status == 404);
        CHECK(get.str("code") == "not_found");
        CHECK(vera.put("/api/v1/admin/inventory/" + sku, json::object{{"on_hand", 0}}).status == 404);
        CHECK(adjust(vera, sku, "main", 1).status == 404);
    }
    auto admin = shop.admin();
    CHECK(stock(admin, "SHOP-1").at("on_hand").as_int64() == 4);
    CHECK(stock(admin, "WALT-1").at("on_hand").as_int64() == 0);
    // The admin manages every SKU; warehouses, the stock list and the ledger stay the admin's.
    CHECK(adjust(admin, "VERA-1", "main", 1).status == 200);
    CHECK(vera.get("/api/v1/admin/warehouses").status == 403);
    CHECK(vera.post("/api/v1/admin/warehouses", json::object{{"code", "vera"}, {"name", "Vera's"}}).status == 403);
    CHECK(vera.get("/api/v1/admin/inventory?low_stock=true").status == 403);
    CHECK(vera.get("/api/v1/admin/inventory/movements?sku=VERA-1").status == 403);
    CHECK(shop.customer("carl@example.com").get("/api/v1/admin/inventory/VERA-1").status == 403);
    auto ledger = movements(admin, "sku=VERA-1");
    REQUIRE(ledger.size() == 3);
    CHECK(ledger[1].at("actor").as_string() == vera_id);
    CHECK(ledger[2].at("actor").as_string() == vera_id);
}

TEST_CASE("concurrent reserve, commit, release and adjust: on_hand = available + reserved per SKU and warehouse, movements sum to on_hand") {
    // Short reservations so that unpaid orders are released while the load runs.
    TestShop shop(Overrides{{"inventory.reservation_ttl_s", "2"}});
    auto admin = shop.admin();
    REQUIRE(admin.post("/api/v1/admin/warehouses", json::object{{"code", "east"}, {"name", "East"}}).status == 201);
    const std::vector<std::string> skus{"MIX-1", "MIX-2"};
    for (auto& sku : skus) {
        shop.product(sku, 500, 4);
        REQUIRE(admin.put("/api/v1/admin/inventory/" + sku, json::object{{"warehouse", "east"}, {"on_hand", 3}}).status == 200);
    }
    std::uint16_t ports[2] = {shop.port(), shop.peer_port()};
    const int kBuyers = 6, kRounds = 10;
    std::vector<std::string> bearers;
    for (int i = 0; i < kBuyers; ++i) {
        std::string email = "mix" + std::to_string(i) + "@example.com";
        shop.customer(email);
        auto login = shop.client().post("/api/v1/auth/login", json::object{{"email", email}, {"password", "a-long-enough-passphrase"}});
        bearers.push_back("Bearer " + login.str("access_token"));
    }
    auto admin_login = shop.client().post("/api/v1/auth/login", json::object{{"email", kAdminEmail}, {"password", kAdminPassword}});
    std::string admin_bearer = "Bearer " + admin_login.str("access_token");

    // Each round every buyer checks out a cart of one SKU at the same moment, on alternating
    // instances, while the staff adjusts that SKU's stock; half of the orders are paid (commit),
    // the others expire (release).
    std::barrier round(kBuyers + 1);
    std::atomic<int> placed{0}, paid{0}, adjusted{0}, unexpected{0};
    std::vector<std::thread> threads;
    for (int b = 0; b < kBuyers; ++b)
        threads.emplace_back([&, b] {
            std::mt19937 rng(b);
            HttpClient c(ports[b % 2]);
            c.set_header("Authorization", bearers[b]);
            for (int r = 0; r < kRounds; ++r) {
                const auto& sku = skus[r % skus.size()];
                auto cart = c.post("/api/v1/carts", json::object{});
                auto add = c.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", sku}, {"quantity", 1 + rng() % 2}});
                round.arrive_and_wait();
                if (add.status != 201) {
                    if (add.status != 409) ++unexpected;
                    continue;
                }
                auto o = c.post("/api/v1/checkout",
                                json::object{{"cart_id", cart.str("id")}, {"shipping_address", address()}, {"shipping_method", "standard"}});
                if (o.status == 409) continue;  // out of stock: a refusal, not a failure
                if (o.status != 201) {
                    ++unexpected;
                    continue;
                }
                ++placed;
                if (rng() % 2 == 0 && pay(c, o.str("id")).status == 201) ++paid;
            }
        });
    threads.emplace_back([&] {  // the warehouse staff
        std::mt19937 rng(99);
        for (int r = 0; r < kRounds; ++r) {
            HttpClient c(ports[r % 2]);
            c.set_header("Authorization", admin_bearer);
            const auto& sku = skus[r % skus.size()];
            round.arrive_and_wait();
            for (int k = 0; k < 2; ++k) {
                std::int64_t delta = static_cast<std::int64_t>(rng() % 8) - 3;
                if (delta == 0) delta = 2;
                auto a = adjust(c, sku, (r + k) % 2 ? "east" : "main", delta, "cycle count");
                if (a.status == 200) ++adjusted;
                else if (a.status != 409) ++unexpected;
            }
        }
    });
    for (auto& t : threads) t.join();
    CHECK(unexpected == 0);
    CHECK(placed > 0);
    CHECK(adjusted > 0);
    MESSAGE("orders placed ", placed.load(), ", paid ", paid.load(), ", adjustments ", adjusted.load());

    auto check_invariants = [&](bool all_released) {
        for (auto& sku : skus) {
            CAPTURE(sku);
            auto s = stock(admin, sku);
            CHECK(i64(s, "on_hand") == i64(s, "available") + i64(s, "reserved"));
            CHECK(i64(s, "backordered") == 0);
            if (all_released) CHECK(i64(s, "reserved") == 0);
            std::int64_t on_hand = 0;
            for (auto& lv : s.at("levels").as_array()) {
                auto l = lv.as_object();
                CAPTURE(l.at("warehouse").as_string());
                CHECK(i64(l, "on_hand") == i64(l, "available") + i64(l, "reserved"));
                CHECK(i64(l, "on_hand") >= 0);
                on_hand += i64(l, "on_hand");
                std::int64_t moved = 0;
                for (auto& m : movements(admin, "sku=" + sku + "&warehouse=" + std::string(l.at("warehouse").as_string())))
                    moved += m.at("delta").as_int64();
                CHECK(moved == i64(l, "on_hand"));
            }
            CHECK(on_hand == i64(s, "on_hand"));
            std::int64_t moved = 0;
            for (auto& m : movements(admin, "sku=" + sku)) moved += m.at("delta").as_int64();
            CHECK(moved == i64(s, "on_hand"));
        }
    };
    shop.settle();
    check_invariants(false);
    // Every unpaid reservation expires and is released; the invariants still hold, nothing is held.
    std::this_thread::sleep_for(std::chrono::milliseconds(2600));
    shop.settle();
    check_invariants(true);
}
