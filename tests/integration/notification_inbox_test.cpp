// The account's side of notifications over HTTP: the in-app inbox filled by order and review
// events, preferences per category and channel (transactional email locked), and the one-click
// unsubscribe link of a non-transactional mail.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/orders.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

json::value inbox(HttpClient& c, const std::string& query = "") {
    auto r = c.get("/api/v1/me/notifications" + query);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return r.json();
}

std::vector<std::string> kinds(const json::value& page) {
    std::vector<std::string> out;
    for (auto& e : page.at("data").as_array()) out.emplace_back(e.at("kind").as_string());
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

json::value preference(HttpClient& c, const std::string& category, const std::string& channel) {
    auto body = c.get("/api/v1/me/notification-preferences").json();
    for (auto& p : body.at("preferences").as_array())
        if (p.at("category").as_string() == category && p.at("channel").as_string() == channel) return p;
    return nullptr;
}

}  // namespace

TEST_CASE("the in-app inbox: an order's notifications reach its customer, unread until read, and no one else sees them") {
    TestShop shop;
    shop.product("INB-1", 1500, 10);
    auto ann = shop.customer("ann.inbox@example.com");
    auto bob = shop.customer("bob.inbox@example.com");
    std::string order_id = pay_order(ann, "INB-1");
    shop.settle();

    auto page = inbox(ann);
    auto k = kinds(page);
    CHECK(has(k, "welcome"));
    CHECK(has(k, "order_placed"));
    CHECK(has(k, "order_confirmation"));
    CHECK(page.at("unread_count").as_int64() == static_cast<std::int64_t>(k.size()));
    json::object confirmation;
    for (auto& e : page.at("data").as_array())
        if (e.at("kind").as_string() == "order_confirmation") confirmation = e.as_object();
    CHECK(confirmation.at("link").as_string() == "/#/order/" + order_id);
    CHECK(confirmation.at("title").as_string().find("confirmed") != std::string::npos);
    CHECK(confirmation.at("read_at").is_null());
    std::string id(confirmation.at("id").as_string());

    // Bob has his own inbox; Ann's entry does not exist for him.
    CHECK_FALSE(has(kinds(inbox(bob)), "order_placed"));
    CHECK(bob.post("/api/v1/me/notifications/" + id + "/read", json::object{}).status == 404);

    auto read = ann.post("/api/v1/me/notifications/" + id + "/read", json::object{});
    REQUIRE_MESSAGE(read.status == 200, read.body);
    CHECK(read.json().at("read_at").is_string());
    auto again = ann.post("/api/v1/me/notifications/" + id + "/read", json::object{});
    CHECK(again.json().at("read_at") == read.json().at("read_at"));
    CHECK(inbox(ann).at("unread_count").as_int64() == static_cast<std::int64_t>(k.size()) - 1);
    CHECK(inbox(ann, "?unread=true").at("data").as_array().size() == k.size() - 1);

    // Pages: newest first, the cursor continues where the page ended.
    auto first = inbox(ann, "?limit=1");
    REQUIRE(first.at("next_cursor").is_string());
    auto second = inbox(ann, "?limit=1&cursor=" + std::string(first.at("next_cursor").as_string()));
    CHECK(second.at("data").at(0).at("id") != first.at("data").at(0).at("id"));

    auto all = ann.post("/api/v1/me/notifications/read-all", json::object{});
    REQUIRE(all.status == 200);
    CHECK(all.json().at("marked").as_int64() == static_cast<std::int64_t>(k.size()) - 1);
    CHECK(inbox(ann).at("unread_count").as_int64() == 0);
    CHECK(shop.client().get("/api/v1/me/notifications").status == 401);
}

TEST_CASE("preferences: in-app can be switched off, transactional email cannot, review mail can - by its one-click unsubscribe link") {
    TestShop shop;
    auto admin = shop.admin();
    std::string pid = shop.product("PREF-1", 1500, 10);
    std::string pid2 = shop.product("PREF-2", 2500, 10);
    auto ann = shop.customer("ann.prefs@example.com");

    auto orders_email = preference(ann, "orders", "email");
    REQUIRE(orders_email.is_object());
    CHECK(orders_email.at("locked").as_bool());
    CHECK(preference(ann, "reviews", "email").at("enabled").as_bool());
    CHECK(preference(ann, "stock", "email").is_null());             // only admins get stock alerts
    CHECK(preference(admin, "stock", "email").is_object());

    auto locked = ann.put("/api/v1/me/notification-preferences",
                          json::object{{"preferences", json::array{json::object{{"category", "orders"}, {"channel", "email"}, {"enabled", false}}}}});
    CHECK(locked.status == 422);
    CHECK(first_field(locked) == "preferences[0].enabled");
    auto unknown = ann.put("/api/v1/me/notification-preferences",
                           json::object{{"preferences", json::array{json::object{{"category", "weather"}, {"channel", "email"}, {"enabled", false}}}}});
    CHECK(unknown.status == 422);

    auto off = ann.put("/api/v1/me/notification-preferences",
                       json::object{{"preferences", json::array{json::object{{"category", "orders"}, {"channel", "in_app"}, {"enabled", false}}}}});
    REQUIRE_MESSAGE(off.status == 200, off.body);
    CHECK_FALSE(preference(ann, "orders", "in_app").at("enabled").as_bool());
    std::string order_id = pay_order(ann, "PREF-1");
    shop.settle();
    CHECK_FALSE(has(kinds(inbox(ann)), "order_confirmation"));  // in-app off
    CHECK(mails_with(shop, "ann.prefs@example.com") >= 2);       // the order mails still went (transactional)

    // A review approved: a mail with a one-click unsubscribe link, and an inbox entry.
    auto review = ann.post("/api/v1/products/" + pid + "/reviews", json::object{{"rating", 5}, {"title", "Great"}, {"body", "Really"}});
    REQUIRE_MESSAGE(review.status == 201, review.body);
    REQUIRE(admin.patch("/api/v1/admin/reviews/" + review.str("id"), json::object{{"status", "approved"}}).status == 200);
    shop.settle();
    CHECK(has(kinds(inbox(ann)), "review_approved"));
    std::string mail = mail_with(shop, "Your review of Product PREF-1");
    REQUIRE_FALSE(mail.empty());
    CHECK(mail.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(mail, m, std::regex(R"(List-Unsubscribe: <[a-z]+://[^/]+(/api/v1/notifications/unsubscribe\?token=[A-Za-z0-9_.-]+)>)")));
    std::string target = m[1];

    CHECK(shop.client().request("POST", "/api/v1/notifications/unsubscribe?token=forged.abc", "List-Unsubscribe=One-Click",
                                {{"Content-Type", "application/x-www-form-urlencoded"}}).status == 422);
    // What a mail client does: POST the header's URL with the one-click body, no account needed.
    auto unsub = shop.client().request("POST", target, "List-Unsubscribe=One-Click", {{"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE_MESSAGE(unsub.status == 200, unsub.body);
    CHECK(unsub.json().at("category").as_string() == "reviews");
    CHECK_FALSE(preference(ann, "reviews", "email").at("enabled").as_bool());

    // The next approved review is not mailed, but still reaches the inbox.
    pay_order(ann, "PREF-2");
    shop.settle();
    auto second = ann.post("/api/v1/products/" + pid2 + "/reviews", json::object{{"rating", 4}});
    REQUIRE(second.status == 201);
    REQUIRE(admin.patch("/api/v1/admin/reviews/" + second.str("id"), json::object{{"status", "approved"}}).status == 200);
    shop.settle();
    CHECK(mail_with(shop, "Your review of Product PREF-2").empty());
    CHECK(inbox(ann).at("data").at(0).at("kind").as_string() == "review_approved");
}

TEST_CASE("marketing mail goes only to accounts that consented, each with its unsubscribe link") {
    TestShop shop;
    auto admin = shop.admin();
    auto ann = shop.customer("ann.news@example.com");
    auto bob = shop.customer("bob.news@example.com");
    REQUIRE(ann.patch("/api/v1/me", json::object{{"marketing_consent", true}}).status == 200);
    shop.settle();

    // Without consent marketing is off and cannot be switched on.
    CHECK_FALSE(preference(bob, "marketing", "email").at("enabled").as_bool());
    CHECK(preference(ann, "marketing", "email").at("enabled").as_bool());
    auto refused = bob.put("/api/v1/me/notification-preferences",
                           json::object{{"preferences", json::array{json::object{{"category", "marketing"}, {"channel", "email"}, {"enabled", true}}}}});
    CHECK(refused.status == 422);
    CHECK(first_field(refused) == "preferences[0].enabled");

    auto sent = admin.post("/api/v1/admin/notifications/campaigns", json::object{{"title", "Summer sale"}, {"message", "20 % off tents."}});
    REQUIRE_MESSAGE(sent.status == 201, sent.body);
    CHECK(sent.json().at("recipients").as_int64() == 1);
    CHECK(ann.post("/api/v1/admin/notifications/campaigns", json::object{{"title", "x"}, {"message", "y"}}).status == 403);
    shop.settle();
    std::string mail = mail_with(shop, "Summer sale");
    REQUIRE_FALSE(mail.empty());
    CHECK(mail.find("ann.news@example.com") != std::string::npos);
    CHECK(mail.find("List-Unsubscribe:") != std::string::npos);
    CHECK(mails_with(shop, "Summer sale") == 1);  // ann's only: bob gave no consent

    // Ann unsubscribes with the link; the next campaign reaches no one. Withdrawing consent does the same.
    std::smatch m;
    REQUIRE(std::regex_search(mail, m, std::regex(R"(List-Unsubscribe: <[a-z]+://[^/]+(/api/v1/notifications/unsubscribe\?token=[A-Za-z0-9_.-]+)>)")));
    REQUIRE(shop.client().request("POST", m[1], "List-Unsubscribe=One-Click", {{"Content-Type", "application/x-www-form-urlencoded"}}).status == 200);
    auto again = admin.post("/api/v1/admin/notifications/campaigns", json::object{{"title", "Autumn sale"}, {"message", "More."}});
    REQUIRE(again.status == 201);
    CHECK(again.json().at("recipients").as_int64() == 0);
}

TEST_CASE("contacts: an E.164 number and push tokens, replaced together, each account its own") {
    TestShop shop;
    auto ann = shop.customer("ann.contacts@example.com");
    auto bob = shop.customer("bob.contacts@example.com");
    auto none = ann.get("/api/v1/me/notification-contacts");
    REQUIRE(none.status == 200);
    CHECK(none.json().at("sms_number").is_null());
    CHECK(none.json().at("push_tokens").as_array().empty());
    for (auto bad : {"5551234567", "+0551234567", "+1 555 123", "+1234567890123456"}) {
        CAPTURE(bad);
        auto r = ann.put("/api/v1/me/notification-contacts", json::object{{"sms_number", bad}, {"push_tokens", json::array{}}});
        CHECK(r.status == 422);
        CHECK(first_field(r) == "sms_number");
    }
    auto set = ann.put("/api/v1/me/notification-contacts", json::object{{"sms_number", "+15551234567"}, {"push_tokens", json::array{"tok-a", "tok-b"}}});
    REQUIRE_MESSAGE(set.status == 200, set.body);
    CHECK(set.json().at("sms_number").as_string() == "+15551234567");
    CHECK(ann.get("/api/v1/me/notification-contacts").json().at("push_tokens").as_array().size() == 2);
    CHECK(bob.get("/api/v1/me/notification-contacts").json().at("sms_number").is_null());
    auto cleared = ann.put("/api/v1/me/notification-contacts", json::object{{"sms_number", nullptr}, {"push_tokens", json::array{"tok-b"}}});
    REQUIRE(cleared.status == 200);
    CHECK(cleared.json().at("sms_number").is_null());
    CHECK(cleared.json().at("push_tokens").as_array().size() == 1);
    CHECK(shop.client().get("/api/v1/me/notification-contacts").status == 401);
}
