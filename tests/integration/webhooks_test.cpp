// Outbound webhooks over real components: the shop POSTs to a real HTTP receiver (Python's
// http.server, which checks Shop-Signature with Python's hmac), which fails, stalls past the
// timeout, then accepts; the admin sees every attempt, redelivers, and watches an endpoint that
// never answers well get disabled. One paid order is one delivery, even when the bus handler runs
// again for its event.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "platform/db.hpp"
#include "support/orders.hpp"
#include "support/test_shop.hpp"
#include "support/webhook_receiver.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

// Small waits, so that retries and giving up happen within a test.
std::map<std::string, std::string> fast_webhooks(int max_attempts) {
    return {{"webhooks.retry_base_ms", "100"}, {"webhooks.retry_max_ms", "200"}, {"webhooks.max_attempts", std::to_string(max_attempts)},
            {"webhooks.timeout_ms", "700"}};
}

json::object create_endpoint(HttpClient& admin, const std::string& url, json::array types) {
    auto r = admin.post("/api/v1/admin/webhooks", json::object{{"url", url}, {"event_types", std::move(types)}, {"description", "test receiver"}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.json().as_object();
}

json::array deliveries(HttpClient& admin, const std::string& endpoint_id) {
    auto r = admin.get("/api/v1/admin/webhooks/" + endpoint_id + "/deliveries?limit=100");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return r.json().at("data").as_array();
}

std::string paid_order(TestShop& shop, HttpClient& customer, const std::string& sku) {
    std::string order_id = pay_order(customer, sku);
    shop.settle();
    return order_id;
}

std::string metric_line(TestShop& shop, const std::string& prefix) {
    auto body = shop.client().get("/metrics").body;
    auto at = body.find(prefix);
    return at == std::string::npos ? "" : body.substr(at, body.find('\n', at) - at);
}

}  // namespace

TEST_CASE("webhooks: admin routes validate, keep the secret to create and rotate, audit, and refuse customers and guests") {
    TestShop shop;
    WebhookReceiver receiver;
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto guest = shop.client();

    CHECK(guest.get("/api/v1/admin/webhooks").status == 401);
    CHECK(ann.get("/api/v1/admin/webhooks").status == 403);
    CHECK(ann.post("/api/v1/admin/webhooks", json::object{{"url", receiver.url("/a")}, {"event_types", json::array{"*"}}}).status == 403);
    CHECK(ann.get("/api/v1/admin/webhooks/event-types").status == 403);

    auto types = admin.get("/api/v1/admin/webhooks/event-types");
    REQUIRE(types.status == 200);
    bool listed = false;
    json::value type_list = types.json();
    for (auto& t : type_list.at("data").as_array()) listed = listed || (t.at("type") == "ordering.order_confirmed.v1" && t.at("source") == "ordering");
    CHECK(listed);

    auto bad_url = admin.post("/api/v1/admin/webhooks", json::object{{"url", "ftp://example.com/x"}, {"event_types", json::array{"*"}}});
    CHECK(bad_url.status == 422);
    CHECK(first_field(bad_url) == "url");
    CHECK(first_field(admin.post("/api/v1/admin/webhooks", json::object{{"url", "/relative"}, {"event_types", json::array{"*"}}})) == "url");
    auto bad_type = admin.post("/api/v1/admin/webhooks",
                               json::object{{"url", receiver.url("/a")}, {"event_types", json::array{"ordering.order_confirmed.v1", "ordering.order_teleported.v1"}}});
    CHECK(bad_type.status == 422);
    CHECK(first_field(bad_type) == "event_types[1]");
    CHECK(first_field(admin.post("/api/v1/admin/webhooks", json::object{{"url", receiver.url("/a")}, {"event_types", json::array{}}})) == "event_types");

    // Create with an Idempotency-Key: a retry answers the same endpoint with its secret, which the
    // stored reply does not hold.
    json::object body{{"url", receiver.url("/a")}, {"event_types", json::array{"ordering.order_confirmed.v1"}}, {"description", "ERP"}};
    auto made = admin.post("/api/v1/admin/webhooks", body, {{"Idempotency-Key", "whk-create-1"}});
    REQUIRE_MESSAGE(made.status == 201, made.body);
    std::string id = made.str("id"), secret = made.str("secret");
    CHECK(id.rfind("whk_", 0) == 0);
    CHECK(secret.rfind("whsec_", 0) == 0);
    CHECK(secret.size() > 30);
    CHECK(made.json().at("enabled").as_bool());
    auto again = admin.post("/api/v1/admin/webhooks", body, {{"Idempotency-Key", "whk-create-1"}});
    CHECK(again.status == 201);
    CHECK(again.header("idempotent-replayed") == "true");
    CHECK(again.str("id") == id);
    CHECK(again.str("secret") == secret);
    std::int64_t stored_with_secret = 0;
    shop.app().database().read([&](db::Reader& r) {
        stored_with_secret = r.count("SELECT COUNT(*) FROM notification.idempotency_keys WHERE body LIKE ?", "%" + secret + "%");
    });
    CHECK(stored_with_secret == 0);

    // GET never shows the secret.
    auto one = admin.get("/api/v1/admin/webhooks/" + id);
    REQUIRE(one.status == 200);
    CHECK_FALSE(one.json().as_object().contains("secret"));
    CHECK(one.str("description") == "ERP");
    auto list = admin.get("/api/v1/admin/webhooks?limit=1");
    REQUIRE(list.status == 200);
    CHECK(list.json().at("data").as_array().size() == 1);
    CHECK_FALSE(list.json().at("data").at(0).as_object().contains("secret"));
    CHECK(list.body.find(secret) == std::string::npos);

    // PATCH: validated; disabling by hand says so; enabling clears it.
    auto patch_bad = admin.patch("/api/v1/admin/webhooks/" + id, json::object{{"url", "https://user:pw@example.com/"}});
    CHECK(patch_bad.status == 422);
    CHECK(first_field(patch_bad) == "url");
    CHECK(first_field(admin.patch("/api/v1/admin/webhooks/" + id, json::object{{"event_types", json::array{"*", "nope.v1"}}})) == "event_types[1]");
    auto off = admin.patch("/api/v1/admin/webhooks/" + id, json::object{{"enabled", false}, {"event_types", json::array{"*"}}});
    REQUIRE(off.status == 200);
    CHECK_FALSE(off.json().at("enabled").as_bool());
    CHECK(off.str("disabled_reason") == "disabled by an admin");
    CHECK(off.json().at("event_types") == json::array{"*"});
    auto on = admin.patch("/api/v1/admin/webhooks/" + id, json::object{{"enabled", true}});
    CHECK(on.json().at("enabled").as_bool());
    CHECK_FALSE(on.json().as_object().contains("disabled_reason"));
    CHECK(ann.patch("/api/v1/admin/webhooks/" + id, json::object{{"enabled", false}}).status == 403);

    // Rotation: a new secret, shown once.
    auto rotated = admin.post("/api/v1/admin/webhooks/" + id + "/rotate-secret", json::object{});
    REQUIRE_MESSAGE(rotated.status == 200, rotated.body);
    CHECK(rotated.str("secret").rfind("whsec_", 0) == 0);
    CHECK(rotated.str("secret") != secret);
    CHECK(admin.post("/api/v1/admin/webhooks/whk_0000000000000000000000000/rotate-secret", json::object{}).status == 404);
    CHECK(ann.post("/api/v1/admin/webhooks/" + id + "/rotate-secret", json::object{}).status == 403);

    // The audit log has each admin change, without the secret.
    auto audit = admin.get("/api/v1/admin/audit-log?action=notification.webhook&limit=100");
    REQUIRE(audit.status == 200);
    std::set<std::string> actions;
    json::value entries = audit.json();
    for (auto& e : entries.at("data").as_array()) actions.insert(std::string(e.at("action").as_string()));
    CHECK(actions.count("notification.webhook.created"));
    CHECK(actions.count("notification.webhook.updated"));
    CHECK(actions.count("notification.webhook.secret_rotated"));
    CHECK(audit.body.find(secret) == std::string::npos);
    CHECK(audit.body.find(rotated.str("secret")) == std::string::npos);

    CHECK(guest.request("DELETE", "/api/v1/admin/webhooks/" + id).status == 401);
    CHECK(admin.request("DELETE", "/api/v1/admin/webhooks/" + id).status == 204);
    CHECK(admin.get("/api/v1/admin/webhooks/" + id).status == 404);
    CHECK(admin.get("/api/v1/admin/webhooks/" + id + "/deliveries").status == 404);
    CHECK(admin.request("DELETE", "/api/v1/admin/webhooks/" + id).status == 404);
    // Replaying the create of a deleted endpoint cannot show its secret: 404.
    CHECK(admin.post("/api/v1/admin/webhooks", body, {{"Idempotency-Key", "whk-create-1"}}).status == 404);
    audit = admin.get("/api/v1/admin/audit-log?action=notification.webhook.deleted");
    CHECK(audit.json().at("data").as_array().size() == 1);
}

TEST_CASE("webhooks: a paid order is delivered signed once, through failures and a timeout, then redelivered") {
    WebhookReceiver receiver;
    receiver.set_mode("fail");
    TestShop shop(fast_webhooks(20));
    shop.product("HOOK-TEE", 2500, 5);
    auto admin = shop.admin();
    auto endpoint = create_endpoint(admin, receiver.url("/orders"), json::array{"ordering.order_confirmed.v1"});
    std::string id(endpoint.at("id").as_string());
    receiver.set_secret("/orders", std::string(endpoint.at("secret").as_string()));
    auto ann = shop.customer("ann@example.com");
    std::string order_id = paid_order(shop, ann, "HOOK-TEE");

    // Two refusals, then a receiver that answers too late, then one that accepts.
    REQUIRE(eventually([&] { return receiver.requests().size() >= 2; }));
    receiver.set_mode("slow 1500");
    REQUIRE(eventually([&] {
        auto d = deliveries(admin, id);
        if (d.empty()) return false;
        for (auto& a : d.at(0).at("attempt_log").as_array())
            if (a.at("http_status").is_null()) return true;
        return false;
    }));
    receiver.set_mode("ok");
    json::object delivery;
    REQUIRE(eventually([&] {
        auto d = deliveries(admin, id);
        if (d.size() != 1) return false;
        delivery = d.at(0).as_object();
        return delivery.at("status") == "succeeded";
    }));
    CHECK(delivery.at("event_type") == "ordering.order_confirmed.v1");
    std::string delivery_id(delivery.at("id").as_string());
    CHECK(delivery_id.rfind("whd_", 0) == 0);
    CHECK(delivery.at("next_attempt_at").is_null());
    auto& log = delivery.at("attempt_log").as_array();
    REQUIRE(log.size() >= 4);
    CHECK(delivery.at("attempts").as_int64() == static_cast<std::int64_t>(log.size()));
    CHECK(log.at(0).at("http_status") == 500);
    CHECK(log.at(0).at("error").as_string().find("HTTP 500") != json::string::npos);
    CHECK(log.at(0).at("error").as_string().find("receiver says no") != json::string::npos);
    bool timed_out = false;
    for (auto& a : log)
        if (a.at("http_status").is_null()) timed_out = timed_out || a.at("error").as_string().find("no answer within 700 ms") != json::string::npos;
    CHECK(timed_out);
    CHECK(log.back().at("http_status") == 204);
    CHECK(log.back().at("error") == "");
    CHECK(log.back().at("duration_ms").as_int64() >= 0);

    // Every request the receiver kept: signed with the secret, the same delivery, the event as published.
    auto received = receiver.requests();
    REQUIRE(received.size() >= 4);
    std::string event_id;
    for (auto& r : received) {
        CHECK(r.at("signature_valid").as_bool());
        CHECK(r.at("headers").at("content-type") == "application/json");
        CHECK(r.at("headers").at("shop-webhook-id").as_string() == delivery_id);
        auto sent = json::parse(r.at("body").as_string()).as_object();
        CHECK(sent.at("type") == "ordering.order_confirmed.v1");
        CHECK(sent.at("data").at("order_id").as_string() == order_id);
        CHECK(sent.at("created_at").as_string().size() >= 20);
        if (event_id.empty()) event_id = std::string(sent.at("id").as_string());
        CHECK(sent.at("id").as_string() == event_id);
    }
    CHECK(delivery.at("event_id").as_string() == event_id);
    CHECK(event_id.rfind("evt_", 0) == 0);
    CHECK(metric_line(shop, "shop_webhook_deliveries{status=\"succeeded\"}") == "shop_webhook_deliveries{status=\"succeeded\"} 1");
    CHECK(metric_line(shop, "shop_webhook_deliveries{status=\"failed\"}") == "shop_webhook_deliveries{status=\"failed\"} 0");

    // Redeliver: one fresh attempt now, the same delivery id, audited.
    std::size_t before = received.size();
    auto again = admin.post("/api/v1/admin/webhooks/" + id + "/deliveries/" + delivery_id + "/redeliver", json::object{});
    REQUIRE_MESSAGE(again.status == 202, again.body);
    CHECK(again.str("status") == "pending");
    REQUIRE(eventually([&] { return receiver.requests().size() == before + 1; }));
    CHECK(receiver.requests().back().at("headers").at("shop-webhook-id").as_string() == delivery_id);
    CHECK(receiver.requests().back().at("signature_valid").as_bool());
    REQUIRE(eventually([&] {
        auto d = deliveries(admin, id);
        return d.at(0).at("status") == "succeeded" && d.at(0).at("attempt_log").as_array().size() == log.size() + 1;
    }));
    CHECK(admin.post("/api/v1/admin/webhooks/" + id + "/deliveries/whd_0000000000000000000000000/redeliver", json::object{}).status == 404);
    auto ann_redeliver = ann.post("/api/v1/admin/webhooks/" + id + "/deliveries/" + delivery_id + "/redeliver", json::object{});
    CHECK(ann_redeliver.status == 403);
    CHECK(shop.client().get("/api/v1/admin/webhooks/" + id + "/deliveries").status == 401);
    auto audit = admin.get("/api/v1/admin/audit-log?action=notification.webhook.redelivered");
    REQUIRE(audit.status == 200);
    CHECK(audit.json().at("data").as_array().size() == 1);
}

TEST_CASE("webhooks: an endpoint whose delivery fails for good is disabled, and enabled again it gets the delivery through") {
    WebhookReceiver receiver;
    receiver.set_mode("fail");
    TestShop shop(fast_webhooks(3));
    auto admin = shop.admin();
    auto endpoint = create_endpoint(admin, receiver.url("/users"), json::array{"identity.user_registered.v1"});
    std::string id(endpoint.at("id").as_string());
    receiver.set_secret("/users", std::string(endpoint.at("secret").as_string()));
    shop.customer("bea@example.com");
    shop.settle();

    json::object ep;
    REQUIRE(eventually([&] {
        ep = admin.get("/api/v1/admin/webhooks/" + id).json().as_object();
        return !ep.at("enabled").as_bool();
    }));
    CHECK(ep.at("disabled_reason").as_string().find("failed after 3 attempts") != json::string::npos);
    CHECK(ep.at("disabled_reason").as_string().find("HTTP 500") != json::string::npos);
    auto d = deliveries(admin, id);
    REQUIRE(d.size() == 1);
    CHECK(d.at(0).at("status") == "failed");
    CHECK(d.at(0).at("attempts") == 3);
    CHECK(receiver.requests().size() == 3);
    CHECK(metric_line(shop, "shop_webhook_deliveries{status=\"failed\"}") == "shop_webhook_deliveries{status=\"failed\"} 1");
    auto audit = admin.get("/api/v1/admin/audit-log?action=notification.webhook.disabled");
    REQUIRE(audit.status == 200);
    CHECK(audit.json().at("data").as_array().size() == 1);

    std::string delivery_id(d.at(0).at("id").as_string());
    auto refused = admin.post("/api/v1/admin/webhooks/" + id + "/deliveries/" + delivery_id + "/redeliver", json::object{});
    CHECK(refused.status == 409);

    // While disabled, new events queue nothing for it.
    shop.customer("cid@example.com");
    shop.settle();
    CHECK(deliveries(admin, id).size() == 1);

    receiver.set_mode("ok");
    REQUIRE(admin.patch("/api/v1/admin/webhooks/" + id, json::object{{"enabled", true}}).status == 200);
    auto again = admin.post("/api/v1/admin/webhooks/" + id + "/deliveries/" + delivery_id + "/redeliver", json::object{},
                            {{"Idempotency-Key", "redeliver-1"}});
    REQUIRE_MESSAGE(again.status == 202, again.body);
    REQUIRE(eventually([&] { return deliveries(admin, id).at(0).at("status") == "succeeded"; }));
    CHECK(receiver.requests().size() == 4);
    CHECK(receiver.requests().back().at("signature_valid").as_bool());
    CHECK(admin.get("/api/v1/admin/webhooks/" + id).json().at("enabled").as_bool());
}

TEST_CASE("webhooks: the bus handler running twice for an order's events queues one delivery") {
    TempDir dir;
    WebhookReceiver receiver;
    std::string id;
    {
        TestShop shop(dir);
        shop.product("TWICE-MUG", 1200, 5);
        auto admin = shop.admin();
        auto endpoint = create_endpoint(admin, receiver.url("/twice"), json::array{"ordering.order_confirmed.v1", "ordering.order_placed.v1"});
        id = std::string(endpoint.at("id").as_string());
        receiver.set_secret("/twice", std::string(endpoint.at("secret").as_string()));
        auto ann = shop.customer("ann@example.com");
        paid_order(shop, ann, "TWICE-MUG");
        REQUIRE(eventually([&] {
            auto d = deliveries(admin, id);
            return d.size() == 2 && d.at(0).at("status") == "succeeded" && d.at(1).at("status") == "succeeded";
        }));
    }
    // Forget that the consumer handled ordering's events, as after a crash between its effect and
    // its record would (were they not one transaction): the handler runs again for every event.
    {
        db::Database db(db::Options{.url = dir.db_url(), .dir = dir.path(),
                                    .schemas = {"identity", "catalog", "search", "cart", "inventory", "ordering", "payment", "notification"}});
        Ctx ctx = Ctx::system("test.rewind");
        db.write("notification", ctx, [](db::Tx& tx) {
            tx.exec("DELETE FROM notification.inbox_handled WHERE consumer = 'notification.webhooks.ordering'");
            tx.exec("UPDATE notification.inbox_positions SET position = 0 WHERE consumer = 'notification.webhooks.ordering'");
        });
    }
    TestShop shop(dir);
    shop.settle();
    auto admin = shop.admin();
    std::int64_t handled = 0;
    shop.app().database().read([&](db::Reader& r) {
        handled = r.count("SELECT COUNT(*) FROM notification.handler_log WHERE consumer = 'notification.webhooks.ordering' "
                          "AND type = 'ordering.order_confirmed.v1' AND outcome = 'ok'");
    });
    CHECK(handled == 2);  // the handler really ran twice for the confirmation
    auto d = deliveries(admin, id);
    REQUIRE(d.size() == 2);
    int confirmed = 0;
    for (auto& x : d) confirmed += x.at("event_type") == "ordering.order_confirmed.v1";
    CHECK(confirmed == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(receiver.requests().size() == 2);
}

TEST_CASE("webhooks: a password reset's one-time token never leaves the shop in a delivery") {
    WebhookReceiver receiver;
    TestShop shop;
    auto admin = shop.admin();
    shop.customer("dora@example.com");
    shop.settle();
    auto endpoint = create_endpoint(admin, receiver.url("/accounts"), json::array{"identity.password_reset_requested.v1"});
    receiver.set_secret("/accounts", std::string(endpoint.at("secret").as_string()));
    auto asked = shop.client().post("/api/v1/auth/password/forgot", json::object{{"email", "dora@example.com"}});
    REQUIRE_MESSAGE(asked.status < 300, asked.body);
    shop.settle();
    REQUIRE(eventually([&] { return receiver.requests().size() == 1; }));
    auto r = receiver.requests().at(0);
    CHECK(r.at("signature_valid").as_bool());
    auto sent = json::parse(r.at("body").as_string()).as_object();
    CHECK(sent.at("type") == "identity.password_reset_requested.v1");
    CHECK(sent.at("data").at("email") == "dora@example.com");
    CHECK_FALSE(sent.at("data").as_object().contains("token"));
}
