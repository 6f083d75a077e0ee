// Outbound webhooks' pure rules: the signature receivers check (against a vector computed
// independently), the retry schedule, subscriptions, URLs, the disabling rule, and the list of
// event types against every event the modules declare.
#include "domain/webhooks.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "webhook_events.hpp"

using namespace shop::notification;
using namespace shop::notification::domain;

TEST_CASE("webhook signature: the header carries t and the HMAC-SHA256 of t.body (known vector)") {
    // Computed with: printf '%s' '1767323045.<body>' | openssl dgst -sha256 -hmac 'whsec_test_7c1f0e2a'
    // (and the same with Python's hmac module).
    const std::string body =
        R"({"id":"evt_01","type":"ordering.order_confirmed.v1","created_at":"2026-01-02T03:04:05.000Z","data":{"order_id":"ord_1"}})";
    CHECK(signature_header("whsec_test_7c1f0e2a", 1767323045, body) ==
          "t=1767323045,v1=d60736f8d74edff81a96ff43a6594930d9f0e8ac17103ae9096be128eab4fec6");
    // Another secret, time or body signs differently.
    CHECK(signature_header("whsec_test_7c1f0e2b", 1767323045, body) != signature_header("whsec_test_7c1f0e2a", 1767323045, body));
    CHECK(signature_header("whsec_test_7c1f0e2a", 1767323046, body).find("d60736f8") == std::string::npos);
    CHECK(signature_header("whsec_test_7c1f0e2a", 1767323045, body + " ").find("d60736f8") == std::string::npos);
}

TEST_CASE("webhook retry schedule: 30 s doubling to 1 h, 31 attempts over about 24 hours by default") {
    RetryPolicy p{31, 30000, 3600000};
    CHECK(webhook_retry_delay(p, 1) == 30000);
    CHECK(webhook_retry_delay(p, 2) == 60000);
    CHECK(webhook_retry_delay(p, 3) == 120000);
    CHECK(webhook_retry_delay(p, 7) == 1920000);
    CHECK(webhook_retry_delay(p, 8) == 3600000);  // 3,840,000 capped
    CHECK(webhook_retry_delay(p, 30) == 3600000);
    CHECK_FALSE(webhook_retry_delay(p, 31).has_value());  // the last attempt: failed for good
    // 30 s .. 32 min (3,810 s), then 23 hourly waits: 24 h 3.5 min from the first attempt to the last.
    CHECK(retry_span_ms(p) == 3'810'000 + 23 * 3'600'000);
    CHECK(retry_span_ms(RetryPolicy{1, 30000, 3600000}) == 0);
    CHECK(retry_span_ms(RetryPolicy{3, 50, 80}) == 50 + 80);
}

TEST_CASE("webhook subscriptions: listed types or every type") {
    CHECK(subscribed({"ordering.order_confirmed.v1"}, "ordering.order_confirmed.v1"));
    CHECK_FALSE(subscribed({"ordering.order_confirmed.v1"}, "ordering.order_placed.v1"));
    CHECK(subscribed({"catalog.product_changed.v1", "*"}, "payment.payment_failed.v1"));
    CHECK_FALSE(subscribed({}, "payment.payment_failed.v1"));
}

TEST_CASE("webhook urls: absolute http or https with a host, no credentials or fragment") {
    CHECK_FALSE(webhook_url_problem("https://hooks.example.com/shop?token=abc").has_value());
    CHECK_FALSE(webhook_url_problem("http://127.0.0.1:8099/in").has_value());
    CHECK(webhook_url_problem("ftp://example.com/x").has_value());
    CHECK(webhook_url_problem("/relative/path").has_value());
    CHECK(webhook_url_problem("example.com/x").has_value());
    CHECK(webhook_url_problem("https:///nohost").has_value());
    CHECK(webhook_url_problem("https://user:pw@example.com/").has_value());
    CHECK(webhook_url_problem("https://example.com/#frag").has_value());
    CHECK(webhook_url_problem("https://exa mple.com/").has_value());
    CHECK(webhook_url_problem("https://example.com/" + std::string(2100, 'a')).has_value());
}

TEST_CASE("webhook endpoints are disabled when nothing succeeded since a failed delivery's first attempt") {
    CHECK(disables_endpoint(0, 1000));        // never succeeded
    CHECK(disables_endpoint(999, 1000));      // last success before the delivery began failing
    CHECK_FALSE(disables_endpoint(1000, 1000));
    CHECK_FALSE(disables_endpoint(5000, 1000));  // another delivery got through meanwhile
}

TEST_CASE("webhook event types: every kType the modules declare, each under its publishing schema") {
    std::set<std::string> declared;
    std::regex type_re(R"re(kType\s*=\s*"([a-z_]+)\.([a-z_]+)\.v([0-9]+)")re");
    for (auto& module : std::filesystem::directory_iterator(std::filesystem::path(SHOP_SOURCE_DIR) / "modules")) {
        auto include = module.path() / "include" / module.path().filename() / "events.hpp";
        if (!std::filesystem::exists(include)) continue;
        std::ifstream in(include);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        for (std::sregex_iterator it(text.begin(), text.end(), type_re), end; it != end; ++it) {
            CHECK((*it)[1].str() == module.path().filename().string());
            declared.insert((*it)[1].str() + "." + (*it)[2].str() + ".v" + (*it)[3].str());
        }
    }
    REQUIRE(declared.size() > 20);
    std::set<std::string> listed;
    for (auto& e : published_events()) {
        listed.insert(std::string(e.type));
        CHECK(e.type.substr(0, e.type.find('.')) == e.source);
        CHECK(is_published_event(e.type));
    }
    CHECK(listed == declared);
    // One-time credentials mailed to customers never go to webhooks.
    CHECK(withheld_member("identity.password_reset_requested.v1") == "token");
    CHECK(withheld_member("identity.email_verification_requested.v1") == "token");
    CHECK(withheld_member("ordering.order_confirmed.v1") == "");
    CHECK_FALSE(is_published_event("ordering.order_teleported.v1"));
    CHECK_FALSE(is_published_event("*"));
}
