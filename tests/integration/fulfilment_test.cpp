// Fulfilment over real HTTP: processing, shipments (partial and whole), delivery, the mails they
// send, and the order's history of status changes, payments and shipments.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <thread>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "support/orders.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

void pay(TestShop& shop, HttpClient& c, const std::string& order_id, const std::string& card = "4242424242424242") {
    auto paid = c.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(c, card)}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    shop.settle();
}

}  // namespace

TEST_CASE("an admin ships an order in two parcels and delivers it: each step mailed once and the history in time order") {
    TestShop shop;
    shop.product("SHIP-A", 1000, 5);
    shop.product("SHIP-B", 2000, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"SHIP-A", 3}, {"SHIP-B", 1}});
    std::string id = order.at("id").as_string().c_str();
    std::string url = "/api/v1/admin/orders/" + id + "/fulfilment";
    std::string line_a = line_of(order, "SHIP-A"), line_b = line_of(order, "SHIP-B");
    CHECK(order.at("shipments").as_array().empty());
    pay(shop, ann, id);
    REQUIRE(ann.get("/api/v1/orders/" + id).str("status") == "confirmed");

    // Only an admin fulfils.
    auto by_customer = ann.post(url, json::object{{"status", "processing"}});
    CHECK(by_customer.status == 403);
    CHECK(shop.client().post(url, json::object{{"status", "processing"}}).status == 401);
    CHECK(ann.get("/api/v1/orders/" + id).str("status") == "confirmed");

    auto processing = admin.post(url, json::object{{"status", "processing"}});
    REQUIRE_MESSAGE(processing.status == 200, processing.body);
    CHECK(processing.str("status") == "processing");

    // Delivering before anything shipped is a step the order's status does not allow.
    auto early = admin.post(url, json::object{{"status", "delivered"}});
    CHECK(early.status == 409);
    CHECK(early.str("code") == "invalid_state");

    // First parcel: two of the three A.
    auto first = admin.post(url, json::object{{"status", "shipped"}, {"carrier", "DHL"}, {"tracking_number", "TRACK-ONE-111"},
                                               {"lines", json::array{json::object{{"line_id", line_a}, {"quantity", 2}}}}});
    REQUIRE_MESSAGE(first.status == 200, first.body);
    CHECK(first.str("status") == "processing");  // not everything has shipped
    auto shipments = first.json().at("shipments").as_array();
    REQUIRE(shipments.size() == 1);
    std::string first_id = shipments[0].at("id").as_string().c_str();
    CHECK(first_id.rfind("shp_", 0) == 0);
    CHECK(shipments[0].at("carrier").as_string() == "DHL");
    CHECK(shipments[0].at("tracking_number").as_string() == "TRACK-ONE-111");
    CHECK(shipments[0].at("status").as_string() == "shipped");
    CHECK(shipments[0].at("delivered_at").is_null());
    REQUIRE(shipments[0].at("lines").as_array().size() == 1);
    CHECK(shipments[0].at("lines").at(0).at("line_id").as_string() == line_a);
    CHECK(shipments[0].at("lines").at(0).at("sku").as_string() == "SHIP-A");
    CHECK(shipments[0].at("lines").at(0).at("quantity").as_int64() == 2);

    // Over-shipping: one A is left, not two; a line of no order; either way nothing ships.
    auto over = admin.post(url, json::object{{"status", "shipped"}, {"lines", json::array{json::object{{"line_id", line_a}, {"quantity", 2}}}}});
    CHECK(over.status == 422);
    CHECK(first_field(over) == "lines[0].quantity");
    auto unknown = admin.post(url, json::object{{"status", "shipped"},
                                                {"lines", json::array{json::object{{"line_id", line_b}, {"quantity", 1}},
                                                                      json::object{{"line_id", "oln_01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"quantity", 1}}}}});
    CHECK(unknown.status == 422);
    CHECK(first_field(unknown) == "lines[1].line_id");
    CHECK(admin.get("/api/v1/orders/" + id).json().at("shipments").as_array().size() == 1);

    // The first parcel arrives; the order still waits for the rest.
    auto arrived = admin.post(url, json::object{{"status", "delivered"}, {"shipment_id", first_id}});
    REQUIRE_MESSAGE(arrived.status == 200, arrived.body);
    CHECK(arrived.str("status") == "processing");
    CHECK(arrived.json().at("shipments").at(0).at("status").as_string() == "delivered");
    CHECK(arrived.json().at("shipments").at(0).at("delivered_at").is_string());
    auto again = admin.post(url, json::object{{"status", "delivered"}, {"shipment_id", first_id}});
    CHECK(again.status == 409);

    // The rest, without lines, under an Idempotency-Key: a replay answers the same and ships nothing more.
    json::object rest{{"status", "shipped"}, {"carrier", "UPS"}, {"tracking_number", "TRACK-TWO-222"}};
    auto second = admin.post(url, rest, {{"Idempotency-Key", "ship-rest-1"}});
    REQUIRE_MESSAGE(second.status == 200, second.body);
    CHECK(second.str("status") == "shipped");
    auto replay = admin.post(url, rest, {{"Idempotency-Key", "ship-rest-1"}});
    CHECK(replay.status == 200);
    CHECK(replay.json() == second.json());
    auto now = admin.get("/api/v1/orders/" + id).json();
    REQUIRE(now.at("shipments").as_array().size() == 2);
    auto second_lines = now.at("shipments").at(1).at("lines").as_array();
    REQUIRE(second_lines.size() == 2);
    CHECK(second_lines[0].at("sku").as_string() == "SHIP-A");
    CHECK(second_lines[0].at("quantity").as_int64() == 1);
    CHECK(second_lines[1].at("sku").as_string() == "SHIP-B");
    CHECK(second_lines[1].at("quantity").as_int64() == 1);
    // Nothing is left to ship, and a shipped order can no longer be cancelled.
    auto nothing_left = admin.post(url, json::object{{"status", "shipped"}});
    CHECK(nothing_left.status == 409);
    CHECK(nothing_left.str("code") == "invalid_state");
    CHECK(ann.post("/api/v1/orders/" + id + "/cancel", json::object{}).status == 409);

    auto delivered = admin.post(url, json::object{{"status", "delivered"}});
    REQUIRE_MESSAGE(delivered.status == 200, delivered.body);
    CHECK(delivered.str("status") == "delivered");
    auto delivered_body = delivered.json();
    for (auto& s : delivered_body.at("shipments").as_array()) CHECK(s.at("status").as_string() == "delivered");
    auto twice = admin.post(url, json::object{{"status", "delivered"}});
    CHECK(twice.status == 409);
    CHECK(twice.str("code") == "invalid_state");

    // The customer sees the shipments on the order too.
    auto seen = ann.get("/api/v1/orders/" + id).json();
    CHECK(seen.at("status").as_string() == "delivered");
    CHECK(seen.at("shipments").as_array().size() == 2);

    // Mails: one per parcel with its tracking number, one per delivery; once each.
    shop.settle();
    CHECK(mails_with(shop, "TRACK-ONE-111") == 1);
    CHECK(mails_with(shop, "TRACK-TWO-222") == 1);
    CHECK(mails_with(shop, "Carrier:         DHL") == 1);
    CHECK(mails_with(shop, "The rest of your order follows") == 1);
    CHECK(mails_with(shop, "a parcel of your order") == 1);
    CHECK(mails_with(shop, "has been delivered. We hope you enjoy it.") == 1);

    // History: status changes, the payment and the shipments, in time order.
    auto history = ann.get("/api/v1/orders/" + id + "/history").json();
    std::vector<std::string> seq;
    std::string last_at;
    for (auto& e : history.at("events").as_array()) {
        seq.push_back(std::string(e.at("kind").as_string()) + ":" + std::string(e.at("event").as_string()));
        std::string at(e.at("at").as_string());
        CHECK(at >= last_at);
        last_at = at;
    }
    std::vector<std::string> expected{"status:pending_payment", "payment:authorized", "payment:captured",   "status:confirmed",
                                      "status:processing",      "shipment:shipped",   "shipment:delivered", "shipment:shipped",
                                      "status:shipped",         "shipment:delivered", "status:delivered"};
    CHECK(seq == expected);
    auto events = history.at("events").as_array();
    CHECK(events[1].at("payment_id").as_string().subview(0, 4) == "pay_");
    CHECK(events[1].at("amount").at("amount").as_int64() == order.at("total").at("amount").as_int64());
    CHECK(events[2].at("amount").at("amount").as_int64() == order.at("total").at("amount").as_int64());  // captured with it
    CHECK(events[5].at("tracking_number").as_string() == "TRACK-ONE-111");
    CHECK(events[5].at("shipment_id").as_string() == first_id);
    CHECK(events[7].at("carrier").as_string() == "UPS");
    CHECK(events[7].at("lines").as_array().size() == 2);
    // The status-only list keeps its shape.
    auto statuses = history.at("history").as_array();
    REQUIRE(statuses.size() == 5);
    CHECK(statuses[3].at("to").as_string() == "shipped");
}

TEST_CASE("fulfilment refuses steps out of order (409 invalid_state) and bad fields (422) and ships a confirmed order through processing") {
    TestShop shop;
    shop.product("STEP-A", 1500, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"STEP-A", 2}});
    std::string id = order.at("id").as_string().c_str();
    std::string url = "/api/v1/admin/orders/" + id + "/fulfilment";

    // Unpaid: nothing can be fulfilled.
    for (const char* step : {"processing", "shipped", "delivered"}) {
        auto r = admin.post(url, json::object{{"status", step}});
        CHECK_MESSAGE(r.status == 409, step);
        CHECK(r.str("code") == "invalid_state");
        CHECK(first_field(r) == "status");
    }
    // Client mistakes name the field.
    auto bad_status = admin.post(url, json::object{{"status", "lost"}});
    CHECK(bad_status.status == 422);
    CHECK(first_field(bad_status) == "status");
    auto misplaced = admin.post(url, json::object{{"status", "processing"}, {"tracking_number", "X"}});
    CHECK(misplaced.status == 422);
    CHECK(first_field(misplaced) == "tracking_number");
    auto zero = admin.post(url, json::object{{"status", "shipped"}, {"lines", json::array{json::object{{"line_id", line_of(order, "STEP-A")}, {"quantity", 0}}}}});
    CHECK(zero.status == 422);
    CHECK(first_field(zero) == "lines[0].quantity");
    CHECK(admin.post("/api/v1/admin/orders/ord_01ARZ3NDEKTSV4RRFFQ69G5FAV/fulfilment", json::object{{"status", "processing"}}).status == 404);

    // A payment that failed, then one that went through: both in the history.
    auto declined = ann.post("/api/v1/payments", json::object{{"order_id", id}, {"payment_method", card_token(ann, "4000000000000002")}});
    REQUIRE(declined.status == 201);
    pay(shop, ann, id);

    auto shipped = admin.post(url, json::object{{"status", "shipped"}, {"carrier", "PostNL"}, {"tracking_number", "3SABC123"}});
    REQUIRE_MESSAGE(shipped.status == 200, shipped.body);
    CHECK(shipped.str("status") == "shipped");
    REQUIRE(shipped.json().at("shipments").as_array().size() == 1);
    CHECK(shipped.json().at("shipments").at(0).at("lines").at(0).at("quantity").as_int64() == 2);
    auto processing = admin.post(url, json::object{{"status", "processing"}});
    CHECK(processing.status == 409);
    CHECK(processing.str("code") == "invalid_state");
    auto wrong_shipment = admin.post(url, json::object{{"status", "delivered"}, {"shipment_id", "shp_01ARZ3NDEKTSV4RRFFQ69G5FAV"}});
    CHECK(wrong_shipment.status == 422);
    CHECK(first_field(wrong_shipment) == "shipment_id");

    // Delivering its only shipment delivers the order.
    std::string shipment = shipped.json().at("shipments").at(0).at("id").as_string().c_str();
    auto delivered = admin.post(url, json::object{{"status", "delivered"}, {"shipment_id", shipment}});
    REQUIRE_MESSAGE(delivered.status == 200, delivered.body);
    CHECK(delivered.str("status") == "delivered");

    auto history = admin.get("/api/v1/orders/" + id + "/history").json();
    std::vector<std::string> statuses, payments;
    for (auto& e : history.at("events").as_array()) {
        if (e.at("kind").as_string() == "status")
            statuses.push_back(std::string(e.at("from").as_string()) + ">" + std::string(e.at("to").as_string()));
        if (e.at("kind").as_string() == "payment") payments.push_back(std::string(e.at("event").as_string()));
    }
    // The payment-failed note of the status list, then both transitions of shipping from confirmed.
    std::vector<std::string> expected_statuses{">pending_payment", "pending_payment>pending_payment", "pending_payment>confirmed",
                                               "confirmed>processing", "processing>shipped", "shipped>delivered"};
    CHECK(statuses == expected_statuses);
    CHECK(payments == std::vector<std::string>{"failed", "authorized", "captured"});
    shop.settle();
    CHECK(mails_with(shop, "3SABC123") == 1);
    CHECK(mails_with(shop, "This completes your order.") == 1);
    CHECK(mails_with(shop, "has been delivered. We hope you enjoy it.") == 1);
}

TEST_CASE("a refund given for a cancelled order shows in its history") {
    TestShop shop;
    shop.product("REFUND-A", 1200, 5);
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"REFUND-A", 1}});
    std::string id = order.at("id").as_string().c_str();
    pay(shop, ann, id);
    REQUIRE(ann.post("/api/v1/orders/" + id + "/cancel", json::object{}).status == 200);
    shop.settle();
    auto events = ann.get("/api/v1/orders/" + id + "/history").json().at("events").as_array();
    std::vector<std::string> seq;
    for (auto& e : events) seq.push_back(std::string(e.at("kind").as_string()) + ":" + std::string(e.at("event").as_string()));
    CHECK(seq == std::vector<std::string>{"status:pending_payment", "payment:authorized", "payment:captured", "status:confirmed",
                                          "status:cancelled", "payment:refunded"});
    CHECK(events.back().at("amount").at("amount").as_int64() == order.at("total").at("amount").as_int64());
    CHECK(events.back().at("refund_id").is_string());
}

TEST_CASE("concurrent shipments of one order on two instances never ship more than was ordered") {
    TestShop shop;
    shop.product("RUSH-SHIP", 500, 20);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"RUSH-SHIP", 10}});
    std::string id = order.at("id").as_string().c_str();
    std::string url = "/api/v1/admin/orders/" + id + "/fulfilment", line = line_of(order, "RUSH-SHIP");
    pay(shop, ann, id);
    constexpr int kRequests = 16;  // one unit each; 10 can ship
    std::uint16_t ports[2] = {shop.port(), shop.peer_port()};
    std::atomic<int> shipped{0}, refused{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kRequests; ++i)
        threads.emplace_back([&, i] {
            auto c = admin.on(ports[i % 2]);
            while (!go) std::this_thread::yield();
            auto r = c.post(url, json::object{{"status", "shipped"}, {"lines", json::array{json::object{{"line_id", line}, {"quantity", 1}}}}});
            if (r.status == 200) ++shipped;
            else if ((r.status == 422 && first_field(r) == "lines[0].quantity") || (r.status == 409 && r.str("code") == "invalid_state")) ++refused;
            else ++other;
        });
    go = true;
    for (auto& t : threads) t.join();
    CHECK(shipped == 10);
    CHECK(refused == kRequests - 10);
    CHECK(other == 0);
    auto now = admin.get("/api/v1/orders/" + id).json();
    CHECK(now.at("status").as_string() == "shipped");
    std::int64_t units = 0;
    for (auto& sh : now.at("shipments").as_array()) units += sh.at("lines").at(0).at("quantity").as_int64();
    CHECK(units == 10);
    auto history = admin.get("/api/v1/orders/" + id + "/history").json();
    int to_shipped = 0;
    for (auto& h : history.at("history").as_array()) to_shipped += h.at("to").as_string() == "shipped" ? 1 : 0;
    CHECK(to_shipped == 1);
}
