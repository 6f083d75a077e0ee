// Payments to full depth over real HTTP: authorize now and capture later (whole or part), voids,
// partial refunds (never more than captured, concurrent ones included), the sandbox's 3-D Secure
// step, admin refunds of orders, returns, the payments and sales reports, and a capture killed
// between the provider and its record.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "platform/db.hpp"
#include "support/orders.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;
using Overrides = std::map<std::string, std::string>;

namespace {

/// Pays an order; `capture_method` "" = the store's default.
json::object pay(HttpClient& c, const std::string& order_id, const std::string& card = "4242424242424242", const std::string& capture_method = "") {
    json::object body{{"order_id", order_id}, {"payment_method", card_token(c, card)}};
    if (!capture_method.empty()) body["capture_method"] = capture_method;
    auto paid = c.post("/api/v1/payments", body);
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    return paid.json().as_object();
}

std::int64_t amount_of(const json::value& v, const char* key) { return v.at(key).at("amount").as_int64(); }

std::string status_of(HttpClient& c, const std::string& order_id) { return c.get("/api/v1/orders/" + order_id).str("status"); }

std::int64_t on_hand(HttpClient& admin, const std::string& sku) {
    auto r = admin.get("/api/v1/admin/inventory/" + sku);
    REQUIRE(r.status == 200);
    std::int64_t n = 0;
    auto j = r.json();
    for (auto& l : j.at("levels").as_array()) n += l.at("on_hand").as_int64();
    return n;
}

/// Ships and delivers the whole order (admin).
void deliver(TestShop& shop, HttpClient& admin, const std::string& order_id) {
    std::string url = "/api/v1/admin/orders/" + order_id + "/fulfilment";
    REQUIRE(admin.post(url, json::object{{"status", "shipped"}, {"carrier", "DHL"}}).status == 200);
    REQUIRE(admin.post(url, json::object{{"status", "delivered"}}).status == 200);
    shop.settle();
}

/// How many captures the sandbox provider's own books hold for a payment.
std::int64_t sandbox_captures(TestShop& shop, const std::string& payment_id) {
    return shop.app().database().read([&](db::Reader& r) {
        return r.count("SELECT COUNT(*) FROM payment.sandbox_operations o JOIN payment.intents i ON i.provider_ref = o.charge_id "
                       "WHERE i.id = ? AND o.kind = 'capture'",
                       payment_id);
    });
}

/// Fires `n` requests at once, each on its own connection (alternating instances), and returns their statuses.
template <class F>
std::vector<int> at_once(TestShop& shop, int n, F request) {
    std::vector<int> statuses(n);
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    std::uint16_t ports[2] = {shop.port(), shop.peer_port()};
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            while (!go) std::this_thread::yield();
            statuses[i] = request(ports[i % 2], i);
        });
    go = true;
    for (auto& t : threads) t.join();
    return statuses;
}

}  // namespace

TEST_CASE("manual capture: authorized only, the order confirmed, then a partial capture releases the rest - once") {
    TestShop shop(Overrides{{"payment.capture", "manual"}});
    shop.product("CAM-A", 4000, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"CAM-A", 1}});
    std::string order_id = order.at("id").as_string().c_str();
    auto p = pay(ann, order_id);
    std::string id = p.at("id").as_string().c_str();
    CHECK(p.at("status").as_string() == "requires_capture");
    CHECK(p.at("capture_method").as_string() == "manual");
    CHECK(amount_of(p, "amount_capturable") == 4500);
    CHECK(amount_of(p, "amount_captured") == 0);
    shop.settle();
    CHECK(status_of(ann, order_id) == "confirmed");  // an authorization is enough to confirm

    // Only an admin captures; more than authorized is refused naming the amount.
    CHECK(ann.post("/api/v1/payments/" + id + "/capture", json::object{}).status == 403);
    auto over = admin.post("/api/v1/payments/" + id + "/capture", json::object{{"amount", 4501}});
    CHECK(over.status == 422);
    CHECK(first_field(over) == "amount");

    auto captured = admin.post("/api/v1/payments/" + id + "/capture", json::object{{"amount", 3000}});
    REQUIRE_MESSAGE(captured.status == 200, captured.body);
    CHECK(captured.str("status") == "succeeded");
    CHECK(amount_of(captured.json(), "amount_captured") == 3000);
    CHECK(amount_of(captured.json(), "amount_capturable") == 0);
    CHECK(amount_of(captured.json(), "amount_refunded") == 0);

    auto again = admin.post("/api/v1/payments/" + id + "/capture", json::object{});
    CHECK(again.status == 409);
    CHECK(again.str("code") == "invalid_state");
    auto void_after = admin.post("/api/v1/payments/" + id + "/cancel", json::object{});
    CHECK(void_after.status == 409);
    CHECK(sandbox_captures(shop, id) == 1);

    // Refunds: part, too much, the rest, then nothing left.
    auto part = admin.post("/api/v1/payments/" + id + "/refunds", json::object{{"amount", 1000}, {"reason", "scratched"}});
    REQUIRE_MESSAGE(part.status == 201, part.body);
    CHECK(amount_of(part.json(), "amount_refunded") == 1000);
    REQUIRE(part.json().at("refunds").as_array().size() == 1);
    CHECK(part.json().at("refunds").at(0).at("status").as_string() == "succeeded");
    auto too_much = admin.post("/api/v1/payments/" + id + "/refunds", json::object{{"amount", 2001}});
    CHECK(too_much.status == 422);
    CHECK(first_field(too_much) == "amount");
    auto rest = admin.post("/api/v1/payments/" + id + "/refunds", json::object{});
    REQUIRE_MESSAGE(rest.status == 201, rest.body);
    CHECK(amount_of(rest.json(), "amount_refunded") == 3000);
    auto nothing = admin.post("/api/v1/payments/" + id + "/refunds", json::object{{"amount", 1}});
    CHECK(nothing.status == 409);
    CHECK(nothing.str("code") == "invalid_state");

    shop.settle();
    // The order learnt it: the whole capture went back.
    CHECK(status_of(ann, order_id) == "refunded");
    auto history = ann.get("/api/v1/orders/" + order_id + "/history").json();
    std::vector<std::string> payment_events;
    for (auto& e : history.at("events").as_array())
        if (e.at("kind").as_string() == "payment") payment_events.emplace_back(e.at("event").as_string());
    CHECK(payment_events == std::vector<std::string>{"authorized", "captured", "refunded", "refunded"});
}

TEST_CASE("capture method per request, a void of an authorization, and an unknown store setting refused at start") {
    TestShop shop;  // default: automatic
    shop.product("VOID-A", 2000, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    std::string auto_order = place(ann, {{"VOID-A", 1}}).at("id").as_string().c_str();
    auto automatic = pay(ann, auto_order);
    CHECK(automatic.at("status").as_string() == "succeeded");
    CHECK(amount_of(automatic, "amount_captured") == 2500);

    std::string order_id = place(ann, {{"VOID-A", 1}}).at("id").as_string().c_str();
    auto p = pay(ann, order_id, "4242424242424242", "manual");
    std::string id = p.at("id").as_string().c_str();
    CHECK(p.at("status").as_string() == "requires_capture");
    CHECK(ann.post("/api/v1/payments/" + id + "/cancel", json::object{}).status == 403);
    auto voided = admin.post("/api/v1/payments/" + id + "/cancel", json::object{{"reason", "customer asked by phone"}});
    REQUIRE_MESSAGE(voided.status == 200, voided.body);
    CHECK(voided.str("status") == "canceled");
    CHECK(amount_of(voided.json(), "amount_captured") == 0);
    auto capture = admin.post("/api/v1/payments/" + id + "/capture", json::object{});
    CHECK(capture.status == 409);
    CHECK(capture.str("code") == "invalid_state");
    CHECK(sandbox_captures(shop, id) == 0);
    shop.settle();
    auto history = admin.get("/api/v1/orders/" + order_id + "/history").json();
    bool voided_seen = false;
    for (auto& e : history.at("events").as_array()) voided_seen |= e.at("kind").as_string() == "payment" && e.at("event").as_string() == "voided";
    CHECK(voided_seen);

    std::string refused;
    try {
        TestShop wrong(Overrides{{"payment.capture", "later"}});
    } catch (const std::exception& e) {
        refused = e.what();
    }
    CHECK(refused.find("payment.capture") != std::string::npos);
}

TEST_CASE("3-D Secure in the sandbox: requires_action with a next_action, the documented step completes or fails it") {
    TestShop shop;
    shop.product("TDS-A", 3000, 5);
    auto ann = shop.customer("ann@example.com");
    auto bob = shop.customer("bob@example.com");
    std::string order_id = place(ann, {{"TDS-A", 1}}).at("id").as_string().c_str();

    // Failing the authentication: the payment fails and the order stays payable.
    auto first = pay(ann, order_id, "4000000000003220");
    std::string first_id = first.at("id").as_string().c_str();
    CHECK(first.at("status").as_string() == "requires_action");
    std::string url = "/api/v1/payments/" + first_id + "/sandbox/3ds";
    CHECK(first.at("next_action").at("type").as_string() == "sandbox_3ds");
    CHECK(first.at("next_action").at("url").as_string() == url);
    shop.settle();
    CHECK(status_of(ann, order_id) == "pending_payment");
    // While it waits for the customer, no second payment starts.
    auto second = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4242424242424242")}});
    CHECK(second.status == 409);
    CHECK(second.str("code") == "payment_in_progress");
    CHECK(bob.post(url, json::object{{"result", "succeed"}}).status == 404);  // not bob's payment
    auto bad = ann.post(url, json::object{{"result", "maybe"}});
    CHECK(bad.status == 422);
    CHECK(first_field(bad) == "result");
    auto failed = ann.post(url, json::object{{"result", "fail"}});
    REQUIRE_MESSAGE(failed.status == 200, failed.body);
    CHECK(failed.str("status") == "failed");
    CHECK(failed.str("failure_code") == "authentication_failed");
    shop.settle();
    CHECK(status_of(ann, order_id) == "pending_payment");

    // Passing it: captured (automatic) and the order confirmed only then.
    auto retry = pay(ann, order_id, "4000000000003220");
    std::string retry_id = retry.at("id").as_string().c_str();
    CHECK(retry.at("status").as_string() == "requires_action");
    auto ok = ann.post("/api/v1/payments/" + retry_id + "/sandbox/3ds", json::object{{"result", "succeed"}});
    REQUIRE_MESSAGE(ok.status == 200, ok.body);
    CHECK(ok.str("status") == "succeeded");
    CHECK(amount_of(ok.json(), "amount_captured") == 3500);
    CHECK(ok.json().as_object().if_contains("next_action") == nullptr);
    shop.settle();
    CHECK(status_of(ann, order_id) == "confirmed");
    auto twice = ann.post("/api/v1/payments/" + retry_id + "/sandbox/3ds", json::object{{"result", "succeed"}});
    CHECK(twice.status == 409);
    CHECK(twice.str("code") == "invalid_state");
    CHECK(sandbox_captures(shop, retry_id) == 1);
}

TEST_CASE("concurrent captures of one authorization capture once, concurrent refunds never exceed the capture") {
    TestShop shop(Overrides{{"payment.capture", "manual"}});
    shop.product("RACE-A", 9500, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    std::string order_id = place(ann, {{"RACE-A", 1}}).at("id").as_string().c_str();
    std::string id = pay(ann, order_id).at("id").as_string().c_str();  // 10000 authorized
    auto login = shop.client().post("/api/v1/auth/login", json::object{{"email", kAdminEmail}, {"password", kAdminPassword}});
    std::string bearer = "Bearer " + login.str("access_token");

    auto captures = at_once(shop, 8, [&](std::uint16_t port, int) {
        HttpClient c(port);
        c.set_header("Authorization", bearer);
        return c.post("/api/v1/payments/" + id + "/capture", json::object{}).status;
    });
    int ok = 0;
    for (int s : captures) {
        if (s == 200) ++ok;
        else CHECK(s == 409);
    }
    CHECK(ok == 1);
    CHECK(sandbox_captures(shop, id) == 1);
    CHECK(amount_of(admin.get("/api/v1/payments/" + id).json(), "amount_captured") == 10000);

    // Twelve refunds of 1000 at once against 10000 captured: exactly ten go through.
    auto refunds = at_once(shop, 12, [&](std::uint16_t port, int) {
        HttpClient c(port);
        c.set_header("Authorization", bearer);
        return c.post("/api/v1/payments/" + id + "/refunds", json::object{{"amount", 1000}}).status;
    });
    int refunded = 0;
    for (int s : refunds) {
        if (s == 201) ++refunded;
        else CHECK((s == 409 || s == 422));
    }
    CHECK(refunded == 10);
    auto after = admin.get("/api/v1/payments/" + id).json();
    CHECK(amount_of(after, "amount_refunded") == 10000);
    CHECK(after.at("refunds").as_array().size() == 10);
    std::int64_t at_provider = shop.app().database().read([&](db::Reader& r) {
        return r.count("SELECT COALESCE(SUM(o.amount), 0) FROM payment.sandbox_operations o JOIN payment.intents i ON i.provider_ref = o.charge_id "
                       "WHERE i.id = ? AND o.kind = 'refund' AND o.status = 'succeeded'",
                       id);
    });
    CHECK(at_provider == 10000);
}

TEST_CASE("admin refunds of an order: partial with restock, the rest, never more than captured - and mailed") {
    TestShop shop;
    shop.product("REF-A", 1000, 10);
    shop.product("REF-B", 2500, 10);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"REF-A", 3}, {"REF-B", 1}});  // 3000 + 2500 + 500 shipping = 6000
    std::string order_id = order.at("id").as_string().c_str();
    std::string url = "/api/v1/admin/orders/" + order_id + "/refunds";

    auto unpaid = admin.post(url, json::object{{"amount", 100}, {"reason", "goodwill"}});
    CHECK(unpaid.status == 409);
    CHECK(unpaid.str("code") == "invalid_state");
    pay(ann, order_id);
    shop.settle();
    deliver(shop, admin, order_id);
    CHECK(on_hand(admin, "REF-A") == 7);

    CHECK(ann.post(url, json::object{{"amount", 100}, {"reason", "goodwill"}}).status == 403);
    CHECK(admin.post(url, json::object{{"amount", 100}}).status == 422);  // a reason is required
    auto lines_without_restock =
        admin.post(url, json::object{{"amount", 100}, {"reason", "x"}, {"lines", json::array{json::object{{"line_id", line_of(order, "REF-A")}, {"quantity", 1}}}}});
    CHECK(lines_without_restock.status == 422);
    CHECK(first_field(lines_without_restock) == "lines");
    auto over_restock = admin.post(url, json::object{{"amount", 100}, {"reason", "x"}, {"restock", true},
                                                     {"lines", json::array{json::object{{"line_id", line_of(order, "REF-A")}, {"quantity", 4}}}}});
    CHECK(over_restock.status == 422);
    CHECK(first_field(over_restock) == "lines[0].quantity");

    auto part = admin.post(url, json::object{{"amount", 1000}, {"reason", "one mug arrived broken"}, {"restock", true},
                                             {"lines", json::array{json::object{{"line_id", line_of(order, "REF-A")}, {"quantity", 1}}}}});
    REQUIRE_MESSAGE(part.status == 201, part.body);
    CHECK(part.str("status") == "pending");
    CHECK(amount_of(part.json(), "amount") == 1000);
    CHECK(part.json().at("restocked").at(0).at("sku").as_string() == "REF-A");
    std::string part_id = part.str("id");
    shop.settle();
    CHECK(status_of(ann, order_id) == "partially_refunded");
    CHECK(on_hand(admin, "REF-A") == 8);
    auto payment = admin.get("/api/v1/orders/" + order_id + "/payments").json().at("data").at(0).as_object();
    CHECK(amount_of(payment, "amount_refunded") == 1000);
    CHECK(payment.at("refunds").at(0).at("id").as_string() == part_id);  // one refund, one id, in both modules
    CHECK(mails_with(shop, "we have refunded USD 10.00") == 1);

    auto too_much = admin.post(url, json::object{{"amount", 5001}, {"reason", "x"}});
    CHECK(too_much.status == 422);
    CHECK(first_field(too_much) == "amount");
    auto rest = admin.post(url, json::object{{"reason", "order lost"}});
    REQUIRE_MESSAGE(rest.status == 201, rest.body);
    CHECK(amount_of(rest.json(), "amount") == 5000);
    shop.settle();
    CHECK(status_of(ann, order_id) == "refunded");
    auto none = admin.post(url, json::object{{"amount", 1}, {"reason", "x"}});
    CHECK(none.status == 409);
    CHECK(on_hand(admin, "REF-A") == 8);  // the second refund did not restock

    auto history = ann.get("/api/v1/orders/" + order_id + "/history").json();
    std::vector<std::string> seen;
    for (auto& e : history.at("events").as_array()) seen.push_back(std::string(e.at("kind").as_string()) + ":" + std::string(e.at("event").as_string()));
    auto at = [&](const std::string& s) { return std::find(seen.begin(), seen.end(), s) - seen.begin(); };
    CHECK(at("payment:authorized") < at("shipment:shipped"));
    CHECK(at("shipment:shipped") < at("shipment:delivered"));
    CHECK(at("shipment:delivered") < at("refund:requested"));
    CHECK(at("refund:requested") < at("refund:succeeded"));
    CHECK(at("status:partially_refunded") < at("status:refunded"));
    CHECK(at("status:refunded") < static_cast<long>(seen.size()));
}

TEST_CASE("concurrent admin refunds of one order over HTTP never exceed what was captured") {
    TestShop shop;
    shop.product("CREF-A", 4500, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    std::string order_id = place(ann, {{"CREF-A", 1}}).at("id").as_string().c_str();  // 5000 captured
    pay(ann, order_id);
    shop.settle();
    auto login = shop.client().post("/api/v1/auth/login", json::object{{"email", kAdminEmail}, {"password", kAdminPassword}});
    std::string bearer = "Bearer " + login.str("access_token");
    auto statuses = at_once(shop, 8, [&](std::uint16_t port, int) {
        HttpClient c(port);
        c.set_header("Authorization", bearer);
        return c.post("/api/v1/admin/orders/" + order_id + "/refunds", json::object{{"amount", 1500}, {"reason", "race"}}).status;
    });
    int accepted = 0;
    for (int s : statuses) {
        if (s == 201) ++accepted;
        else CHECK((s == 409 || s == 422));
    }
    CHECK(accepted == 3);  // 3 x 1500 <= 5000 < 4 x 1500
    shop.settle();
    auto payment = admin.get("/api/v1/orders/" + order_id + "/payments").json().at("data").at(0).as_object();
    CHECK(amount_of(payment, "amount_refunded") == 4500);
    CHECK(status_of(admin, order_id) == "confirmed");  // part of an order not delivered: the status stays
    auto last = admin.post("/api/v1/admin/orders/" + order_id + "/refunds", json::object{{"reason", "the rest"}});
    REQUIRE_MESSAGE(last.status == 201, last.body);
    CHECK(amount_of(last.json(), "amount") == 500);
    shop.settle();
    CHECK(status_of(admin, order_id) == "refunded");
}

TEST_CASE("returns: after delivery only, within what was delivered, approved and received into a refund and restock") {
    TestShop shop;
    shop.product("RET-A", 1000, 10);
    shop.product("RET-B", 3000, 10);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto bob = shop.customer("bob@example.com");
    auto order = place(ann, {{"RET-A", 2}, {"RET-B", 1}});  // 2000 + 3000 + 500 = 5500
    std::string order_id = order.at("id").as_string().c_str();
    std::string line_a = line_of(order, "RET-A"), line_b = line_of(order, "RET-B");
    std::string url = "/api/v1/orders/" + order_id + "/returns";
    json::object one_a{{"lines", json::array{json::object{{"line_id", line_a}, {"quantity", 1}}}}, {"reason", "too small"}};
    pay(ann, order_id);
    shop.settle();
    auto early = ann.post(url, one_a);
    CHECK(early.status == 409);
    CHECK(early.str("code") == "invalid_state");
    deliver(shop, admin, order_id);
    CHECK(on_hand(admin, "RET-A") == 8);

    CHECK(bob.post(url, one_a).status == 404);
    auto too_many = ann.post(url, json::object{{"lines", json::array{json::object{{"line_id", line_a}, {"quantity", 3}}}}, {"reason", "x"}});
    CHECK(too_many.status == 422);
    CHECK(first_field(too_many) == "lines[0].quantity");
    auto requested = ann.post(url, json::object{{"lines", json::array{json::object{{"line_id", line_a}, {"quantity", 2}}}}, {"reason", "too small"}});
    REQUIRE_MESSAGE(requested.status == 201, requested.body);
    std::string ret = requested.str("id");
    CHECK(ret.rfind("ret_", 0) == 0);
    CHECK(requested.str("status") == "requested");
    // Both units are in that return: none is left to return.
    auto again = ann.post(url, one_a);
    CHECK(again.status == 422);

    CHECK(ann.get("/api/v1/admin/returns").status == 403);
    auto listed = admin.get("/api/v1/admin/returns?status=requested").json();
    REQUIRE(listed.at("data").as_array().size() == 1);
    CHECK(listed.at("data").at(0).at("id").as_string() == ret);

    auto early_receive = admin.post("/api/v1/admin/returns/" + ret + "/receive", json::object{});
    CHECK(early_receive.status == 409);
    CHECK(early_receive.str("code") == "invalid_state");
    auto approved = admin.post("/api/v1/admin/returns/" + ret + "/approve", json::object{{"note", "send it to our warehouse"}});
    REQUIRE_MESSAGE(approved.status == 200, approved.body);
    CHECK(approved.str("status") == "approved");
    auto received = admin.post("/api/v1/admin/returns/" + ret + "/receive", json::object{{"restock", true}});
    REQUIRE_MESSAGE(received.status == 200, received.body);
    CHECK(received.str("status") == "received");
    CHECK(amount_of(received.json(), "refund_amount") == 2000);  // two units of 1000, no discount or tax; shipping stays
    shop.settle();
    CHECK(on_hand(admin, "RET-A") == 10);
    CHECK(status_of(ann, order_id) == "partially_refunded");
    auto payment = admin.get("/api/v1/orders/" + order_id + "/payments").json().at("data").at(0).as_object();
    CHECK(amount_of(payment, "amount_refunded") == 2000);
    CHECK(mails_with(shop, "is approved") == 1);

    // A second return of B, rejected: its unit can be asked for again.
    json::object b{{"lines", json::array{json::object{{"line_id", line_b}, {"quantity", 1}}}}, {"reason", "changed my mind"}};
    std::string second = ann.post(url, b).str("id");
    auto rejected = admin.post("/api/v1/admin/returns/" + second + "/reject", json::object{{"note", "past the return window"}});
    REQUIRE(rejected.status == 200);
    CHECK(admin.post("/api/v1/admin/returns/" + second + "/approve", json::object{}).status == 409);
    CHECK(ann.post(url, b).status == 201);

    auto history = ann.get("/api/v1/orders/" + order_id + "/history").json();
    std::vector<std::string> returns;
    for (auto& e : history.at("events").as_array())
        if (e.at("kind").as_string() == "return") returns.emplace_back(e.at("event").as_string());
    CHECK(returns == std::vector<std::string>{"requested", "approved", "received", "requested", "rejected", "requested"});
}

TEST_CASE("the payments and sales reports count what happened, by day and provider") {
    TestShop shop;
    shop.product("RPT-A", 1000, 20);
    shop.product("RPT-B", 4000, 20);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    std::string o1 = place(ann, {{"RPT-A", 2}}).at("id").as_string().c_str();                 // 2500
    std::string o2 = place(ann, {{"RPT-B", 1}, {"RPT-A", 1}}).at("id").as_string().c_str();  // 5500
    std::string o3 = place(ann, {{"RPT-A", 1}}).at("id").as_string().c_str();                 // 1500
    pay(ann, o1);
    auto declined = ann.post("/api/v1/payments", json::object{{"order_id", o2}, {"payment_method", card_token(ann, "4000000000000002")}});
    CHECK(declined.str("status") == "failed");
    std::string p2 = pay(ann, o2, "4242424242424242", "manual").at("id").as_string().c_str();
    REQUIRE(admin.post("/api/v1/payments/" + p2 + "/capture", json::object{{"amount", 5000}}).status == 200);
    shop.settle();
    REQUIRE(admin.post("/api/v1/admin/orders/" + o1 + "/refunds", json::object{{"amount", 700}, {"reason", "late"}}).status == 201);
    shop.settle();
    (void)o3;  // placed, never paid: no sale

    CHECK(ann.get("/api/v1/admin/reports/payments").status == 403);
    auto bad = admin.get("/api/v1/admin/reports/payments?from=2026-13-01");
    CHECK(bad.status == 422);
    CHECK(first_field(bad) == "from");
    auto payments = admin.get("/api/v1/admin/reports/payments").json();
    REQUIRE(payments.at("totals").as_array().size() == 1);
    auto t = payments.at("totals").at(0).as_object();
    CHECK(t.at("provider").as_string() == "sandbox");
    CHECK(t.at("attempts").as_int64() == 3);
    CHECK(t.at("succeeded").as_int64() == 2);
    CHECK(t.at("failed").as_int64() == 1);
    CHECK(t.at("success_rate_bp").as_int64() == 6666);
    CHECK(amount_of(t, "authorized") == 8000);
    CHECK(amount_of(t, "volume") == 7500);  // 2500 + 5000 of 5500 captured
    CHECK(t.at("refunds").as_int64() == 1);
    CHECK(amount_of(t, "refunded") == 700);
    REQUIRE(payments.at("days").as_array().size() == 1);
    CHECK(payments.at("days").at(0).at("day").as_string() == payments.at("to").as_string());
    auto past = admin.get("/api/v1/admin/reports/payments?from=2020-01-01&to=2020-01-31").json();
    CHECK(past.at("days").as_array().empty());

    auto sales = admin.get("/api/v1/admin/reports/sales").json();
    REQUIRE(sales.at("totals").as_array().size() == 1);
    auto s = sales.at("totals").at(0).as_object();
    CHECK(s.at("currency").as_string() == "USD");
    CHECK(s.at("orders").as_int64() == 2);
    CHECK(amount_of(s, "revenue") == 8000);
    CHECK(amount_of(s, "refunded") == 700);
    CHECK(amount_of(s, "net_revenue") == 7300);
    CHECK(amount_of(s, "average_order_value") == 4000);
    auto top = sales.at("top_products").as_array();
    REQUIRE(top.size() == 2);
    CHECK(top[0].at("sku").as_string() == "RPT-A");
    CHECK(top[0].at("quantity").as_int64() == 3);
    CHECK(amount_of(top[0], "revenue") == 3000);
    CHECK(top[1].at("sku").as_string() == "RPT-B");
    CHECK(top[1].at("quantity").as_int64() == 1);
}

namespace {

/// A free TCP port on the loopback interface.
std::uint16_t free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(s);
    return ntohs(a.sin_port);
}

/// The real `shop` binary serving `dir` on `port`, with `env` added to this process's environment.
class ShopProcess {
public:
    ShopProcess(const TempDir& dir, std::uint16_t port, const std::vector<std::string>& env) : port_(port) {
        std::vector<std::string> vars;
        // Inherited SHOP_* variables are configuration (an unknown one stops the start): only ours.
        for (char** e = environ; *e; ++e)
            if (std::string_view(*e).substr(0, 5) != "SHOP_") vars.emplace_back(*e);
        vars.push_back(std::string("SHOP_ADMIN_EMAIL=") + kAdminEmail);
        vars.push_back(std::string("SHOP_ADMIN_PASSWORD=") + kAdminPassword);
        vars.push_back("SHOP_AUTH_PASSWORD_COST=minimum");
        vars.push_back("SHOP_LOG_LEVEL=warn");
        vars.push_back("SHOP_BUS_POLL_INTERVAL_MS=20");
        if (!dir.db_url().empty()) vars.push_back("SHOP_DB_URL=" + dir.db_url());
        for (auto& v : env) vars.push_back(v);
        std::vector<std::string> args{SHOP_BINARY, "serve", "--port", std::to_string(port), "--host", "127.0.0.1", "--data-dir", dir.path().string(),
                                      "--no-seed"};
        std::vector<char*> argv, envp;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& v : vars) envp.push_back(v.data());
        envp.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
        REQUIRE(pid_ > 0);
        for (int i = 0; i < 400; ++i) {
            try {
                HttpClient c(port_);
                if (c.get("/healthz").status == 200) return;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        FAIL("the shop binary did not start");
    }
    ~ShopProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    HttpClient client() const { return HttpClient(port_); }
    /// Waits for the process to end; its wait status.
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }
    void stop() {
        ::kill(pid_, SIGTERM);
        wait();
    }

private:
    std::uint16_t port_;
    pid_t pid_ = -1;
};

HttpClient signed_in(const ShopProcess& p, const std::string& email, const std::string& password) {
    auto c = p.client();
    auto r = c.post("/api/v1/auth/login", json::object{{"email", email}, {"password", password}});
    REQUIRE_MESSAGE(r.status == 200, r.body);
    c.set_header("Authorization", "Bearer " + r.str("access_token"));
    return c;
}

}  // namespace

TEST_CASE("the binary killed (SIGKILL) between a capture at the provider and its record captures exactly once after restart") {
    TempDir dir;
    std::string payment_id;
    std::uint16_t port = free_port();
    {
        // SHOPTEST_KILL_AT: the process kills itself with SIGKILL right after the provider captured.
        ShopProcess shop(dir, port, {"SHOP_PAYMENT_CAPTURE=manual", "SHOPTEST_KILL_AT=payment.capture.after_provider"});
        auto admin = signed_in(shop, kAdminEmail, kAdminPassword);
        REQUIRE(admin.post("/api/v1/products", json::object{{"title", "Crash lamp"}, {"status", "published"},
                                                            {"variants", json::array{json::object{{"sku", "CRASH-A"},
                                                                                                  {"prices", json::array{json::object{{"amount", 7000}, {"currency", "USD"}}}}}}}})
                    .status == 201);
        REQUIRE(admin.put("/api/v1/admin/inventory/CRASH-A", json::object{{"warehouse", "main"}, {"on_hand", 3}}).status == 200);
        auto ann = shop.client();
        auto reg = ann.post("/api/v1/auth/register", json::object{{"email", "ann@example.com"}, {"password", "a-long-enough-passphrase"}, {"name", "Ann"}});
        REQUIRE(reg.status == 201);
        ann.set_header("Authorization", "Bearer " + reg.str("access_token"));
        std::string order_id = place(ann, {{"CRASH-A", 1}}).at("id").as_string().c_str();
        auto p = pay(ann, order_id);
        payment_id = p.at("id").as_string().c_str();
        REQUIRE(p.at("status").as_string() == "requires_capture");
        bool answered = false;
        try {
            answered = admin.post("/api/v1/payments/" + payment_id + "/capture", json::object{}).status != 0;
        } catch (const std::exception&) {
        }
        CHECK_FALSE(answered);  // the process died before it could answer
        int status = shop.wait();
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
    }
    {
        // The same data, no fault: the pending capture is finished with the same idempotency key.
        ShopProcess shop(dir, port, {"SHOP_PAYMENT_CAPTURE=manual"});
        auto admin = signed_in(shop, kAdminEmail, kAdminPassword);
        auto p = admin.get("/api/v1/payments/" + payment_id);
        REQUIRE(p.status == 200);
        CHECK(p.str("status") == "succeeded");
        CHECK(amount_of(p.json(), "amount_captured") == 7500);
        auto again = admin.post("/api/v1/payments/" + payment_id + "/capture", json::object{});
        CHECK(again.status == 409);
        shop.stop();
    }
    // What the provider's books and payment's records say, read from the same data.
    TestShop after(dir);
    CHECK(sandbox_captures(after, payment_id) == 1);
    CHECK(after.app().database().read([&](db::Reader& r) {
        return r.count("SELECT COUNT(*) FROM payment.operations WHERE intent_id = ? AND kind = 'capture' AND status = 'succeeded'", payment_id);
    }) == 1);
}
