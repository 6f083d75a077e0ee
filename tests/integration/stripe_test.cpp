// Stripe beside the sandbox, over real HTTP against a local fake of Stripe's API (node, started by
// the test; no network here) whose webhooks are signed by the official `stripe` npm package:
// payments, 3-D Secure settled by whichever comes first (webhook or the customer's confirmation),
// capture later and refunds at Stripe, and a webhook endpoint that refuses tampered, stale and
// unsigned events and handles each event once.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <thread>
#include <vector>

#include "platform/db.hpp"
#include "support/fake_stripe.hpp"
#include "support/orders.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;
using Overrides = std::map<std::string, std::string>;

namespace {

/// A client of the fake Stripe: its exchanges are not the shop's API, so the contract test skips them.
HttpClient fake_client(const FakeStripe& fake) {
    HttpClient c(fake.port());
    c.not_the_shop();
    return c;
}

Overrides stripe_config(const FakeStripe& fake, Overrides more = {}) {
    more["payment.stripe.secret_key"] = FakeStripe::kSecretKey;
    more["payment.stripe.webhook_secret"] = FakeStripe::kWebhookSecret;
    more["payment.stripe.api_base"] = fake.base_url();
    more["payment.stripe.timeout_ms"] = "5000";
    return more;
}

/// Tells the fake where to post its events, and whether to hold them for now.
void webhooks(const FakeStripe& fake, const TestShop& shop, const std::string& mode) {
    HttpClient c = fake_client(fake);
    std::string url = "http://127.0.0.1:" + std::to_string(shop.port()) + "/api/v1/webhooks/stripe";
    auto r = c.request("POST", "/fake/webhooks", "mode=" + mode + "&url=" + url, {{"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE(r.status == 200);
}

json::object pay(HttpClient& c, const std::string& order_id, const std::string& pm) {
    auto r = c.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", pm}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.json().as_object();
}

std::string str(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

std::int64_t count(TestShop& shop, const std::string& sql, const std::string& arg) {
    return shop.app().database().read([&](db::Reader& r) { return r.count(sql, arg); });
}

/// The PaymentIntent id, from the 3-D Secure URL the fake hands out.
std::string intent_of(const json::object& payment) {
    std::string url = str(payment.at("next_action"), "url");
    return url.substr(url.find("/fake/3ds/") + 10);
}

/// The customer passes the bank's 3-D Secure page at the fake.
void pass_3ds(const FakeStripe& fake, const std::string& pi) {
    auto done = fake_client(fake).request("POST", "/fake/3ds/" + pi, "result=succeed", {{"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE(done.status == 200);
}

json::value fake_intent(const FakeStripe& fake, const std::string& pi) {
    auto r = fake_client(fake).get("/fake/intents/" + pi);
    REQUIRE(r.status == 200);
    return r.json();
}

}  // namespace

TEST_CASE("stripe: a card payment through Stripe confirms the order, and Stripe's own webhook changes nothing more") {
    FakeStripe fake;
    TestShop shop(stripe_config(fake));
    webhooks(fake, shop, "send");
    shop.product("STR-A", 2500, 5);
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"STR-A", 1}});
    std::string order_id = str(order, "id");
    auto p = pay(ann, order_id, "pm_card_visa");
    std::string id = str(p, "id");
    CHECK(str(p, "provider") == "stripe");
    CHECK(str(p, "status") == "succeeded");
    CHECK(str(p.at("card"), "brand") == "visa");
    CHECK(str(p.at("card"), "last4") == "4242");
    CHECK(p.at("amount_captured").at("amount").as_int64() == order.at("total").at("amount").as_int64());
    // Stripe's payment_intent.succeeded arrives too: recorded once, and the payment settled only once.
    CHECK(eventually([&] { return count(shop, "SELECT COUNT(*) FROM payment.stripe_events WHERE payment_id = ?", id) == 1; }, std::chrono::seconds(5)));
    shop.settle();
    CHECK(ann.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
    CHECK(count(shop, "SELECT COUNT(*) FROM payment.attempts WHERE intent_id = ?", id) == 1);

    // A sandbox token still goes to the sandbox; a declined Stripe card fails with Stripe's code.
    auto bob = shop.customer("bob@example.com");
    auto order2 = place(bob, {{"STR-A", 1}});
    auto declined = pay(bob, str(order2, "id"), "pm_card_chargeDeclinedInsufficientFunds");
    CHECK(str(declined, "status") == "failed");
    CHECK(str(declined, "failure_code") == "insufficient_funds");
    auto sandbox = pay(bob, str(order2, "id"), card_token(bob, "4242424242424242"));
    CHECK(str(sandbox, "provider") == "sandbox");
    CHECK(str(sandbox, "status") == "succeeded");
}

TEST_CASE("stripe: 3-D Secure settled by the webhook first, the customer's confirmation then changes nothing") {
    FakeStripe fake;
    TestShop shop(stripe_config(fake));
    webhooks(fake, shop, "send");
    shop.product("STR-B", 3000, 5);
    auto ann = shop.customer("ann@example.com");
    std::string order_id = str(place(ann, {{"STR-B", 1}}), "id");
    auto p = pay(ann, order_id, "pm_card_authenticationRequired");
    std::string id = str(p, "id");
    REQUIRE(str(p, "status") == "requires_action");
    CHECK(str(p.at("next_action"), "type") == "redirect_to_url");
    std::string pi = intent_of(p);
    // The customer passes the bank's page; Stripe tells shop by webhook.
    pass_3ds(fake, pi);
    CHECK(eventually([&] { return ann.get("/api/v1/payments/" + id).str("status") == "succeeded"; }, std::chrono::seconds(5)));
    auto confirmed = ann.post("/api/v1/payments/" + id + "/confirm", json::object{});
    REQUIRE_MESSAGE(confirmed.status == 200, confirmed.body);
    CHECK(confirmed.str("status") == "succeeded");
    shop.settle();
    CHECK(ann.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
    // requires_action, then succeeded: two attempts, one authorization.
    CHECK(count(shop, "SELECT COUNT(*) FROM payment.attempts WHERE intent_id = ?", id) == 2);
}

TEST_CASE("stripe: 3-D Secure settled by the customer's confirmation first, the late webhook then changes nothing") {
    FakeStripe fake;
    TestShop shop(stripe_config(fake));
    webhooks(fake, shop, "hold");
    shop.product("STR-C", 3000, 5);
    auto ann = shop.customer("ann@example.com");
    std::string order_id = str(place(ann, {{"STR-C", 1}}), "id");
    auto p = pay(ann, order_id, "pm_card_authenticationRequired");
    std::string id = str(p, "id");
    std::string pi = intent_of(p);
    // Not yet authenticated: confirming learns nothing new.
    auto early = ann.post("/api/v1/payments/" + id + "/confirm", json::object{});
    REQUIRE(early.status == 200);
    CHECK(early.str("status") == "requires_action");
    pass_3ds(fake, pi);
    auto confirmed = ann.post("/api/v1/payments/" + id + "/confirm", json::object{});
    REQUIRE(confirmed.status == 200);
    CHECK(confirmed.str("status") == "succeeded");
    // Another customer cannot confirm it.
    auto eve = shop.customer("eve@example.com");
    CHECK(eve.post("/api/v1/payments/" + id + "/confirm", json::object{}).status == 404);
    webhooks(fake, shop, "send");  // the held payment_intent.succeeded arrives now
    CHECK(eventually([&] { return count(shop, "SELECT COUNT(*) FROM payment.stripe_events WHERE payment_id = ?", id) == 1; }, std::chrono::seconds(5)));
    shop.settle();
    CHECK(ann.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
    CHECK(count(shop, "SELECT COUNT(*) FROM payment.attempts WHERE intent_id = ?", id) == 2);
    CHECK(fake_intent(fake, pi).at("status").as_string() == "succeeded");
}

TEST_CASE("stripe: authorize now, capture part later at Stripe - once - and refund part of it") {
    FakeStripe fake;
    TestShop shop(stripe_config(fake, {{"payment.capture", "manual"}}));
    webhooks(fake, shop, "send");
    shop.product("STR-D", 4000, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    std::string order_id = str(place(ann, {{"STR-D", 1}}), "id");
    auto p = pay(ann, order_id, "pm_card_visa");
    std::string id = str(p, "id");
    REQUIRE(str(p, "status") == "requires_capture");
    auto captured = admin.post("/api/v1/payments/" + id + "/capture", json::object{{"amount", 3000}});
    REQUIRE_MESSAGE(captured.status == 200, captured.body);
    CHECK(captured.str("status") == "succeeded");
    CHECK(captured.json().at("amount_captured").at("amount").as_int64() == 3000);
    CHECK(admin.post("/api/v1/payments/" + id + "/capture", json::object{}).status == 409);
    auto refunded = admin.post("/api/v1/payments/" + id + "/refunds", json::object{{"amount", 1000}});
    REQUIRE_MESSAGE(refunded.status == 201, refunded.body);
    CHECK(refunded.json().at("amount_refunded").at("amount").as_int64() == 1000);
    auto too_much = admin.post("/api/v1/payments/" + id + "/refunds", json::object{{"amount", 2001}});
    CHECK(too_much.status == 422);
    std::string pi = shop.app().database().read([&](db::Reader& r) {
        return r.one("SELECT provider_ref FROM payment.intents WHERE id = ?", id)->str(0);
    });
    auto at_stripe = fake_intent(fake, pi);
    CHECK(at_stripe.at("captures").as_int64() == 1);
    CHECK(at_stripe.at("amount_received").as_int64() == 3000);
    CHECK(at_stripe.at("amount_refunded").as_int64() == 1000);
    // The admin's money movements are in the audit log, with the admin as the actor.
    auto log = admin.get("/api/v1/admin/audit-log?action=payment");
    REQUIRE(log.status == 200);
    auto entries = log.json();
    std::vector<std::string> actions;
    for (auto& e : entries.at("data").as_array()) actions.emplace_back(e.at("action").as_string());
    CHECK(std::count(actions.begin(), actions.end(), "payment.capture.requested") == 1);
    CHECK(std::count(actions.begin(), actions.end(), "payment.refund.requested") == 1);  // the refused one left none
}

TEST_CASE("stripe webhook: tampered, stale, unsigned or foreign-signed events are refused, a genuine one is handled once") {
    FakeStripe fake;
    TestShop shop(stripe_config(fake));
    webhooks(fake, shop, "hold");  // the fake's own events stay away: this test posts its own
    shop.product("STR-E", 2000, 5);
    auto ann = shop.customer("ann@example.com");
    std::string order_id = str(place(ann, {{"STR-E", 1}}), "id");
    auto p = pay(ann, order_id, "pm_card_authenticationRequired");
    std::string id = str(p, "id");
    std::string pi = intent_of(p);
    std::int64_t amount = p.at("amount").at("amount").as_int64();
    json::object object{{"id", pi},           {"object", "payment_intent"}, {"status", "succeeded"},
                        {"amount", amount},  {"amount_received", amount},  {"amount_capturable", 0},
                        {"currency", "usd"}, {"metadata", json::object{{"payment_id", id}}}};
    std::string payload = json::serialize(json::object{{"id", "evt_test_1"}, {"object", "event"}, {"type", "payment_intent.succeeded"},
                                                       {"data", json::object{{"object", object}}}});
    auto post = [&](const std::string& body, const std::string& signature) {
        std::map<std::string, std::string> h{{"Content-Type", "application/json"}};
        if (!signature.empty()) h["Stripe-Signature"] = signature;
        return shop.client().request("POST", "/api/v1/webhooks/stripe", body, h);
    };
    std::string good = stripe_npm_signature(payload, FakeStripe::kWebhookSecret);
    std::string tampered = payload;
    tampered.replace(tampered.find(std::to_string(amount)), std::to_string(amount).size(), "1");
    for (auto [body, sig, why] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {tampered, good, "tampered"},
             {payload, "", "unsigned"},
             {payload, stripe_npm_signature(payload, "whsec_someone_else"), "another secret"},
             {payload, stripe_npm_signature(payload, FakeStripe::kWebhookSecret, std::time(nullptr) - 3600), "stale"}}) {
        const std::string& reason = why;  // named: clang 14 cannot capture a structured binding
        CAPTURE(reason);
        auto r = post(body, sig);
        CHECK(r.status == 422);
        CHECK(first_field(r) == "Stripe-Signature");
    }
    CHECK(ann.get("/api/v1/payments/" + id).str("status") == "requires_action");

    auto ok = post(payload, good);
    REQUIRE_MESSAGE(ok.status == 200, ok.body);
    CHECK(ok.json().at("duplicate").as_bool() == false);
    CHECK(ann.get("/api/v1/payments/" + id).str("status") == "succeeded");
    // The same event again (Stripe retries, or a replay within the tolerance): acknowledged, nothing done.
    auto again = post(payload, stripe_npm_signature(payload, FakeStripe::kWebhookSecret));
    REQUIRE(again.status == 200);
    CHECK(again.json().at("duplicate").as_bool() == true);
    shop.settle();
    CHECK(ann.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
    CHECK(count(shop, "SELECT COUNT(*) FROM payment.attempts WHERE intent_id = ?", id) == 2);
    // The operator sees the accepted event once, the refused ones not at all.
    auto metrics = shop.client().get("/metrics");
    CHECK(metrics.body.find("shop_webhook_events_received{provider=\"stripe\",type=\"payment_intent.succeeded\"} 1\n") != std::string::npos);
}

TEST_CASE("stripe webhook: without Stripe configured the endpoint is 404 and pm_ tokens are not payment methods") {
    TestShop shop;
    shop.product("STR-F", 2000, 5);
    auto r = shop.client().request("POST", "/api/v1/webhooks/stripe", R"({"id":"evt_1","type":"payment_intent.succeeded"})",
                                   {{"Content-Type", "application/json"}, {"Stripe-Signature", "t=1,v1=00"}});
    CHECK(r.status == 404);
    auto ann = shop.customer("ann@example.com");
    std::string order_id = str(place(ann, {{"STR-F", 1}}), "id");
    auto paid = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", "pm_card_visa"}});
    CHECK(paid.status == 422);
    CHECK(first_field(paid) == "payment_method");
}

TEST_CASE("stripe: the webhook and the customer's confirmations racing confirm the order once (Medusa #12790, #14205)") {
    FakeStripe fake;
    TestShop shop(stripe_config(fake));
    shop.product("STR-R", 2000, 5);
    auto ann = shop.customer("ann.race@example.com");
    // Several rounds: one lucky interleaving must not hide a lost race.
    for (int round = 0; round < 3; ++round) {
        CAPTURE(round);
        webhooks(fake, shop, "hold");
        std::string order_id = str(place(ann, {{"STR-R", 1}}), "id");
        auto p = pay(ann, order_id, "pm_card_authenticationRequired");
        std::string id = str(p, "id");
        pass_3ds(fake, intent_of(p));
        // The held payment_intent.succeeded and four confirmations from the customer's tabs at once.
        std::atomic<bool> go{false};
        std::vector<int> statuses(4);
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&, i] {
                auto tab = ann.on(shop.port());
                while (!go) std::this_thread::yield();
                statuses[i] = tab.post("/api/v1/payments/" + id + "/confirm", json::object{}).status;
            });
        std::thread hook([&] {
            while (!go) std::this_thread::yield();
            webhooks(fake, shop, "send");
        });
        go = true;
        for (auto& t : threads) t.join();
        hook.join();
        for (int s : statuses) CHECK(s == 200);
        CHECK(eventually([&] { return count(shop, "SELECT COUNT(*) FROM payment.stripe_events WHERE payment_id = ?", id) == 1; },
                         std::chrono::seconds(5)));
        shop.settle();
        // One order, confirmed once, its stock committed once, one confirmation mail.
        CHECK(ann.get("/api/v1/orders/" + order_id).str("status") == "confirmed");
        CHECK(ann.get("/api/v1/payments/" + id).str("status") == "succeeded");
        CHECK(count(shop, "SELECT COUNT(*) FROM ordering.status_history WHERE order_id = ? AND to_status = 'confirmed'", order_id) == 1);
        CHECK(count(shop, "SELECT COUNT(*) FROM inventory.reservations WHERE reference = ? AND status = 'committed'", order_id) == 1);
        CHECK(mails_with(shop, order_id) >= 1);
    }
    auto s = shop.admin().get("/api/v1/admin/inventory/STR-R").json();
    CHECK(s.at("sold").as_int64() == 3);
    CHECK(s.at("on_hand").as_int64() == 2);
}
