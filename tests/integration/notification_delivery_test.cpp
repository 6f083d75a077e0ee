// Notification delivery over real components: a real SMTP server (aiosmtpd) receives the mails the
// shop sends through libcurl, and the test reads them as MIME; retries against a server that is
// down, refusals that fail a message at once, and the attempts an admin sees.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "support/orders.hpp"
#include "support/smtp_sink.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

// The admin's view of the newest message of `template_key` ("" when none).
json::object message_of(HttpClient& admin, const std::string& template_key, const std::string& recipient) {
    auto page = admin.get("/api/v1/admin/notifications?limit=100");
    REQUIRE(page.status == 200);
    json::value v = page.json();
    for (auto& m : v.at("data").as_array())
        if (m.at("template_key").as_string() == template_key && m.at("recipient").as_string() == recipient) return m.as_object();
    return {};
}

// The message once it has had at least `attempts` delivery attempts.
json::object after_attempts(HttpClient& admin, const std::string& template_key, const std::string& recipient, std::int64_t attempts) {
    json::object m;
    REQUIRE(eventually([&] {
        m = message_of(admin, template_key, recipient);
        return !m.empty() && m.at("attempts").as_int64() >= attempts;
    }));
    return m;
}

std::map<std::string, std::string> smtp_config(const std::string& url, const std::string& user = "", const std::string& password = "") {
    return {{"mail.transport", "smtp"},
            {"mail.smtp.url", url},
            {"mail.smtp.username", user},
            {"mail.smtp.password", password},
            {"mail.from", "Böttcher Shop <shop@shop.example>"}};
}

}  // namespace

TEST_CASE("the order confirmation goes out over SMTP with AUTH as a multipart MIME message") {
    SmtpSink sink(0, "shop-mailer", "smtp-secret-1");
    TestShop shop(smtp_config(sink.url(), "shop-mailer", "smtp-secret-1"));
    shop.product("MAIL-TEE", 1999, 5);
    auto admin = shop.admin();
    auto ann = shop.customer("ann@example.com");
    auto order = place(ann, {{"MAIL-TEE", 2}});
    std::string order_id(order.at("id").as_string());
    auto paid = ann.post("/api/v1/payments", json::object{{"order_id", order_id}, {"payment_method", card_token(ann, "4242424242424242")}});
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    shop.settle();

    json::object mail;
    REQUIRE(eventually([&] {
        for (auto& m : sink.messages())
            if (m.at("headers").as_object().contains("Subject") && m.at("headers").at("Subject").as_string().find("confirmed") != json::string::npos)
                mail = m;
        return !mail.empty();
    }));
    CAPTURE(json::serialize(mail));
    CHECK_FALSE(mail.contains("parse_error"));
    CHECK(mail.at("auth_user").as_string() == "shop-mailer");
    CHECK(mail.at("mail_from").as_string() == "shop@shop.example");
    CHECK(mail.at("rcpt_tos") == json::array{"ann@example.com"});
    auto& headers = mail.at("headers").as_object();
    CHECK(headers.at("From").as_string() == "Böttcher Shop <shop@shop.example>");
    CHECK(mail.at("raw_headers").at("From").as_string().starts_with("=?UTF-8?B?"));
    CHECK(headers.at("To").as_string() == "ann@example.com");
    CHECK(headers.at("Subject").as_string() == "Your order #" + std::string(order.at("number").as_string()) + " is confirmed");
    CHECK(std::regex_match(std::string(headers.at("Message-ID").as_string()), std::regex(R"(<[^@<>]+@shop\.example>)")));
    CHECK(headers.contains("Date"));
    CHECK_FALSE(headers.contains("List-Unsubscribe"));  // a transactional mail
    CHECK(mail.at("content_type").as_string() == "multipart/alternative");
    auto& parts = mail.at("parts").as_array();
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].at("type").as_string() == "text/plain");
    CHECK(parts[0].at("content").as_string().find("Total:    USD 44.98") != json::string::npos);
    CHECK(parts[1].at("type").as_string() == "text/html");
    CHECK(parts[1].at("content").as_string().find("Total:    USD 44.98") != json::string::npos);
    CHECK(parts[1].at("content").as_string().find("<p style=") != json::string::npos);

    auto m = message_of(admin, "order_confirmation", "ann@example.com");
    REQUIRE_FALSE(m.empty());
    CHECK(m.at("status").as_string() == "sent");
    CHECK(m.at("channel").as_string() == "email");
    CHECK(m.at("attempts").as_int64() == 1);
    CHECK(m.at("next_attempt_at").is_null());
    REQUIRE(m.at("attempt_log").as_array().size() == 1);
    CHECK(m.at("attempt_log").at(0).at("outcome").as_string() == "sent");
    CHECK(m.at("attempt_log").at(0).at("error").as_string() == "");
}

TEST_CASE("a wrong SMTP password is a failed attempt that is retried, and the password is in no error") {
    SmtpSink sink(0, "shop-mailer", "the-right-one");
    TestShop shop(smtp_config(sink.url(), "shop-mailer", "a-wrong-password"));
    auto admin = shop.admin();
    shop.customer("kim@example.com");
    json::object m = after_attempts(admin, "email_verification", "kim@example.com", 1);
    CHECK(m.at("status").as_string() == "queued");
    CHECK(m.at("next_attempt_at").is_string());
    CHECK(m.at("attempt_log").at(0).at("outcome").as_string() == "failed");
    CHECK(m.at("error").as_string().find("a-wrong-password") == json::string::npos);
    CHECK(m.at("error").as_string() != "");
    CHECK(sink.messages().empty());
}

TEST_CASE("a mail server that is down is retried with backoff until it answers") {
    std::uint16_t port = free_port();
    auto config = smtp_config("smtp://127.0.0.1:" + std::to_string(port));
    config["notification.retry_base_ms"] = "100";
    config["notification.retry_max_ms"] = "200";
    config["notification.max_attempts"] = "1000";  // the server takes a while to start
    TestShop shop(config);
    auto admin = shop.admin();
    shop.customer("lea@example.com");
    json::object m = after_attempts(admin, "email_verification", "lea@example.com", 2);
    CHECK(m.at("status").as_string() == "queued");
    CHECK(m.at("attempt_log").at(0).at("outcome").as_string() == "failed");
    CHECK(m.at("attempt_log").at(1).at("outcome").as_string() == "failed");
    CHECK(m.at("attempt_log").at(0).at("at").as_string() < m.at("attempt_log").at(1).at("at").as_string());

    SmtpSink sink(port);  // the server comes up
    REQUIRE(eventually([&] {
        m = message_of(admin, "email_verification", "lea@example.com");
        return m.at("status").as_string() == "sent";
    }));
    auto& log = m.at("attempt_log").as_array();
    REQUIRE(log.size() >= 3);
    CHECK(log.back().at("outcome").as_string() == "sent");
    CHECK(log.front().at("error").as_string().find("SMTP") != json::string::npos);
    CHECK(static_cast<std::int64_t>(log.size()) == m.at("attempts").as_int64());
    REQUIRE(eventually([&] { return sink.messages().size() == 2; }));  // the welcome too
    for (auto& mail : sink.messages()) CHECK(mail.at("rcpt_tos") == json::array{"lea@example.com"});
}

TEST_CASE("a recipient the server refuses for good fails at once, a busy one is retried") {
    SmtpSink sink;
    TestShop shop(smtp_config(sink.url()));
    auto admin = shop.admin();
    shop.customer("bounce@example.com");
    shop.customer("busy@example.com");
    json::object bounced, busy;
    REQUIRE(eventually([&] {
        bounced = message_of(admin, "email_verification", "bounce@example.com");
        busy = message_of(admin, "email_verification", "busy@example.com");
        return !bounced.empty() && bounced.at("status").as_string() == "failed" && !busy.empty() && busy.at("attempts").as_int64() >= 1;
    }));
    CHECK(bounced.at("attempts").as_int64() == 1);
    CHECK(bounced.at("attempt_log").at(0).at("outcome").as_string() == "rejected");
    CHECK(bounced.at("error").as_string().find("550 5.1.1 No such mailbox here") != json::string::npos);
    CHECK(busy.at("status").as_string() == "queued");
    CHECK(busy.at("attempt_log").at(0).at("outcome").as_string() == "failed");
    CHECK(busy.at("error").as_string().find("451") != json::string::npos);

    REQUIRE(eventually([&] { return admin.get("/api/v1/admin/notifications?status=failed").json().at("data").as_array().size() == 2; }));
    json::value all_failed = admin.get("/api/v1/admin/notifications?status=failed").json();
    for (auto& f : all_failed.at("data").as_array()) CHECK(f.at("recipient").as_string() == "bounce@example.com");  // welcome, verification
}

TEST_CASE("only an admin sees the notifications and their attempts") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");
    CHECK(ann.get("/api/v1/admin/notifications").status == 403);
    CHECK(shop.client().get("/api/v1/admin/notifications").status == 401);
}

TEST_CASE("notification templates: the kinds listed, a saved template validated and used for the next mail, HTML escaped") {
    SmtpSink sink;
    TestShop shop(smtp_config(sink.url()));
    auto admin = shop.admin();
    auto list = admin.get("/api/v1/admin/notification-templates");
    REQUIRE(list.status == 200);
    json::value lv = list.json();
    std::set<std::string> keys;
    for (auto& t : lv.at("data").as_array()) keys.insert(std::string(t.at("key").as_string()));
    for (auto key : {"welcome", "email_verification", "password_reset", "order_placed", "order_confirmation", "order_shipped", "order_delivered",
                     "order_cancelled", "order_refunded", "low_stock"})
        CHECK_MESSAGE(keys.count(key) == 1, key);
    CHECK(admin.get("/api/v1/admin/notification-templates/no_such_kind").status == 404);
    auto welcome = admin.get("/api/v1/admin/notification-templates/welcome");
    REQUIRE(welcome.status == 200);
    CHECK(welcome.json().at("event").as_string() == "identity.user_registered.v1");
    CHECK(welcome.json().at("templates").at(0).at("customized").as_bool() == false);

    json::object bad{{"key", "welcome"}, {"channel", "email"}, {"locale", "en"}, {"subject", "Hi {{name}}"}, {"body", "Hello {{nmae}}"}};
    auto refused = admin.post("/api/v1/admin/notification-templates", bad);
    REQUIRE(refused.status == 422);
    CHECK(first_field(refused) == "body");
    CHECK(refused.body.find("nmae") != std::string::npos);
    bad["body"] = "{{#lines}}open";
    CHECK(admin.post("/api/v1/admin/notification-templates", bad).status == 422);
    bad["key"] = "no_such_kind";
    bad["body"] = "Hello";
    auto unknown_key = admin.post("/api/v1/admin/notification-templates", bad);
    CHECK(unknown_key.status == 422);
    CHECK(first_field(unknown_key) == "key");

    json::object mine{{"key", "welcome"},
                      {"channel", "email"},
                      {"locale", "en"},
                      {"subject", "Wilkommen, {{name}}"},
                      {"body", "Hi {{name}}, welcome to {{shop_name}}."},
                      {"html", "<h1>Hi {{name}}</h1>"}};
    auto created = admin.post("/api/v1/admin/notification-templates", mine);
    REQUIRE_MESSAGE(created.status == 201, created.body);
    CHECK(created.json().at("templates").at(0).at("customized").as_bool());
    CHECK(admin.post("/api/v1/admin/notification-templates", mine).status == 409);
    mine.erase("key");
    mine["subject"] = "Willkommen, {{name}}";
    auto put = admin.put("/api/v1/admin/notification-templates/welcome", mine);
    REQUIRE_MESSAGE(put.status == 200, put.body);
    CHECK(put.json().at("templates").at(0).at("subject").as_string() == "Willkommen, {{name}}");
    CHECK(admin.put("/api/v1/admin/notification-templates/no_such_kind", mine).status == 404);
    CHECK(shop.customer("zed@example.com").get("/api/v1/admin/notification-templates").status == 403);

    auto reg = shop.client().post("/api/v1/auth/register",
                                  json::object{{"email", "amp@example.com"}, {"password", "a-long-enough-passphrase"}, {"name", "Ann & <Bob>"}});
    REQUIRE(reg.status == 201);
    json::object mail;
    REQUIRE(eventually([&] {
        for (auto& m : sink.messages())
            if (m.at("rcpt_tos") == json::array{"amp@example.com"} && m.at("headers").at("Subject").as_string().starts_with("Willkommen")) mail = m;
        return !mail.empty();
    }));
    CHECK(mail.at("headers").at("Subject").as_string() == "Willkommen, Ann & <Bob>");
    CHECK(mail.at("parts").at(0).at("content").as_string().starts_with("Hi Ann & <Bob>, welcome to"));
    CHECK(mail.at("parts").at(1).at("content").as_string() == "<h1>Hi Ann &amp; &lt;Bob&gt;</h1>");
}

TEST_CASE("a template preview renders with sample data, loops included, and validates what it is given") {
    TestShop shop;
    auto admin = shop.admin();
    auto preview = admin.post("/api/v1/admin/notification-templates/order_confirmation/preview", json::object{});
    REQUIRE_MESSAGE(preview.status == 200, preview.body);
    std::string text(preview.json().at("text").as_string());
    auto first = text.find("2 x Organic cotton tee (TEE-M)");
    REQUIRE(first != std::string::npos);
    CHECK(text.find("2 x Organic cotton tee (TEE-M)", first + 1) != std::string::npos);  // two sample lines
    CHECK(preview.json().at("subject").as_string() == "Your order #1042 is confirmed");
    CHECK(preview.json().at("html").as_string().find("<p style=") != json::string::npos);
    auto given = admin.post("/api/v1/admin/notification-templates/order_confirmation/preview",
                            json::object{{"body", "{{#lines}}[{{title}}]{{/lines}}"}, {"html", "<b>{{total}}</b>"}});
    REQUIRE(given.status == 200);
    CHECK(given.json().at("text").as_string() == "[Organic cotton tee][Organic cotton tee]");
    CHECK(given.json().at("html").as_string() == "<b>USD 44.98</b>");
    auto wrong = admin.post("/api/v1/admin/notification-templates/order_confirmation/preview", json::object{{"html", "{{price}}"}});
    CHECK(wrong.status == 422);
    CHECK(first_field(wrong) == "html");
    CHECK(admin.post("/api/v1/admin/notification-templates/nope/preview", json::object{}).status == 404);
    // The preview changed nothing.
    CHECK(admin.get("/api/v1/admin/notification-templates/order_confirmation").json().at("templates").at(0).at("customized").as_bool() == false);
}
