// SMS and push through HTTP providers, against a real local receiver standing in for Twilio and
// FCM (tests/support/webhook_receiver.py): the request each provider gets, retries after a
// provider's 500, and the account's preferences and contacts deciding what is sent.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "support/orders.hpp"
#include "support/test_shop.hpp"
#include "support/webhook_receiver.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

std::vector<json::object> to_path(const WebhookReceiver& r, const std::string& path) {
    std::vector<json::object> out;
    for (auto& x : r.requests())
        if (x.at("path").as_string() == path) out.push_back(x);
    return out;
}

}  // namespace

TEST_CASE("sms and push: the order confirmation reaches each provider as its request format says, retried after a 500") {
    WebhookReceiver provider;
    TestShop shop({{"notification.sms.url", provider.url("/sms")},
                   {"notification.sms.authorization", "Basic QUNfdGVzdDpzZWNyZXQ="},
                   {"notification.sms.content_type", "application/x-www-form-urlencoded"},
                   {"notification.sms.body", "To={{to}}&From=%2B15005550006&Body={{text}}"},
                   {"notification.push.url", provider.url("/push")},
                   {"notification.push.authorization", "Bearer push-test-token"},
                   {"notification.push.content_type", "application/json"},
                   {"notification.push.body", R"({"message":{"token":"{{to}}","notification":{"title":"{{subject}}","body":"{{text}}"}}})"},
                   {"notification.retry_base_ms", "100"},
                   {"notification.retry_max_ms", "200"}});
    shop.product("MOB-1", 1999, 10);
    auto ann = shop.customer("ann.mobile@example.com");
    auto bob = shop.customer("bob.mobile@example.com");  // no number, no device: nothing goes to the providers for him
    REQUIRE(ann.put("/api/v1/me/notification-contacts", json::object{{"sms_number", "+15551234567"}, {"push_tokens", json::array{"device-1"}}})
                .status == 200);

    provider.set_mode("fail");  // the providers answer 500 first: a transient failure, retried
    pay_order(ann, "MOB-1");
    pay_order(bob, "MOB-1");
    shop.settle();
    REQUIRE(eventually([&] { return to_path(provider, "/sms").size() >= 1 && to_path(provider, "/push").size() >= 1; }));
    provider.set_mode("ok");
    REQUIRE(eventually([&] {
        auto log = shop.admin().get("/api/v1/admin/notifications?status=sent&limit=100").json();
        int mobile = 0;
        for (auto& m : log.at("data").as_array())
            if (m.at("channel") == "sms" || m.at("channel") == "push") ++mobile;
        return mobile == 2;
    }));

    auto sms = to_path(provider, "/sms").back();
    CHECK(sms.at("headers").at("authorization").as_string() == "Basic QUNfdGVzdDpzZWNyZXQ=");
    CHECK(sms.at("headers").at("content-type").as_string() == "application/x-www-form-urlencoded");
    std::string form(sms.at("body").as_string());
    CHECK(form.starts_with("To=%2B15551234567&From=%2B15005550006&Body=shop%3A%20order%20%23"));
    CHECK(form.find("%20is%20confirmed") != std::string::npos);
    auto push = to_path(provider, "/push").back();
    CHECK(push.at("headers").at("authorization").as_string() == "Bearer push-test-token");
    auto body = json::parse(push.at("body").as_string());
    CHECK(body.at("message").at("token").as_string() == "device-1");
    CHECK(body.at("message").at("notification").at("title").as_string().find("confirmed") != std::string::npos);
    for (auto& r : provider.requests()) CHECK(r.at("body").as_string().find("bob.mobile") == std::string::npos);

    // The delivery log shows the failed attempt before the one that went through.
    auto log = shop.admin().get("/api/v1/admin/notifications?status=sent&limit=100").json();
    for (auto& m : log.at("data").as_array()) {
        if (m.at("channel") != "sms") continue;
        auto attempts = m.at("attempt_log").as_array();
        REQUIRE(attempts.size() >= 2);
        CHECK(attempts.front().at("outcome") == "failed");
        CHECK(attempts.back().at("outcome") == "sent");
    }

    // Text messages switched off: the next order goes by push only.
    REQUIRE(ann.put("/api/v1/me/notification-preferences",
                    json::object{{"preferences", json::array{json::object{{"category", "orders"}, {"channel", "sms"}, {"enabled", false}}}}})
                .status == 200);
    auto sms_before = to_path(provider, "/sms").size();
    auto push_before = to_path(provider, "/push").size();
    pay_order(ann, "MOB-1");
    shop.settle();
    REQUIRE(eventually([&] { return to_path(provider, "/push").size() == push_before + 1; }));
    shop.settle();
    CHECK(to_path(provider, "/sms").size() == sms_before);
}

TEST_CASE("a provider body template that does not parse stops the start, naming the setting") {
    CHECK_THROWS_WITH_AS(TestShop({{"notification.sms.url", "http://127.0.0.1:9/sms"}, {"notification.sms.body", "To={{to}&Body={{text}}"}}),
                         doctest::Contains("notification.sms.body"), std::exception);
}
