// Password forgot/reset/change and email verification, over real HTTP, with the mails they send.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

/// The `token=` of the newest mail to `to` whose text holds `needle`, waiting for it a little.
std::string token_from_mail(TestShop& shop, const std::string& to, const std::string& needle) {
    static const std::regex token_re("token=([A-Za-z0-9_-]+)");
    for (int attempt = 0; attempt < 50; ++attempt) {
        shop.settle();
        auto dir = shop.dir() / "mail" / "outbox";
        std::string found;
        std::filesystem::file_time_type newest{};
        if (std::filesystem::exists(dir))
            for (auto& e : std::filesystem::directory_iterator(dir)) {
                std::ifstream in(e.path());
                std::stringstream ss;
                ss << in.rdbuf();
                std::string text = ss.str();
                std::smatch m;
                if (text.find("To: " + to) == std::string::npos || text.find(needle) == std::string::npos) continue;
                if (!std::regex_search(text, m, token_re)) continue;
                if (found.empty() || e.last_write_time() > newest) {
                    found = m[1];
                    newest = e.last_write_time();
                }
            }
        if (!found.empty()) return found;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
}

int mails_to(TestShop& shop, const std::string& to, const std::string& needle) {
    shop.settle();
    int n = 0;
    auto dir = shop.dir() / "mail" / "outbox";
    if (!std::filesystem::exists(dir)) return 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        if (ss.str().find("To: " + to) != std::string::npos && ss.str().find(needle) != std::string::npos) ++n;
    }
    return n;
}

HttpResult login(TestShop& shop, const std::string& email, const std::string& password) {
    return shop.client().post("/api/v1/auth/login", json::object{{"email", email}, {"password", password}});
}

}  // namespace

TEST_CASE("forgot and reset: always 202, a one-time expiring link by mail, the new password works, every session signed out") {
    TestShop shop;
    auto c = shop.client();
    auto reg = c.post("/api/v1/auth/register", json::object{{"email", "ann@example.com"}, {"password", "correct horse 42"}, {"name", "Ann"}});
    REQUIRE(reg.status == 201);
    std::string old_refresh = reg.str("refresh_token");

    auto unknown = c.post("/api/v1/auth/password/forgot", json::object{{"email", "nobody@example.com"}});
    CHECK(unknown.status == 202);
    auto known = c.post("/api/v1/auth/password/forgot", json::object{{"email", "Ann@Example.com"}});
    CHECK(known.status == 202);
    CHECK(known.body == unknown.body);  // the answer reveals nothing
    CHECK(mails_to(shop, "nobody@example.com", "password") == 0);
    auto token = token_from_mail(shop, "ann@example.com", "reset");
    REQUIRE_FALSE(token.empty());

    auto weak = c.post("/api/v1/auth/password/reset", json::object{{"token", token}, {"password", "short"}});
    CHECK(weak.status == 422);
    CHECK(weak.body.find("\"field\":\"password\"") != std::string::npos);
    auto bad = c.post("/api/v1/auth/password/reset", json::object{{"token", "not-a-token"}, {"password", "a new long passphrase"}});
    CHECK(bad.status == 422);
    CHECK(bad.body.find("\"field\":\"token\"") != std::string::npos);
    auto reset = c.post("/api/v1/auth/password/reset", json::object{{"token", token}, {"password", "a new long passphrase"}});
    CHECK(reset.status == 204);
    CHECK(c.post("/api/v1/auth/password/reset", json::object{{"token", token}, {"password", "another long passphrase"}}).status == 422);  // once

    CHECK(login(shop, "ann@example.com", "correct horse 42").status == 401);
    CHECK(login(shop, "ann@example.com", "a new long passphrase").status == 200);
    CHECK(c.post("/api/v1/auth/refresh", json::object{{"refresh_token", old_refresh}}).status == 401);  // signed out
    CHECK(mails_to(shop, "ann@example.com", "was just changed") == 1);
}

TEST_CASE("change password: the current one is required, other sessions end, this one gets new tokens") {
    TestShop shop;
    auto ann = shop.customer("ann@example.com");  // password "a-long-enough-passphrase"
    auto wrong = ann.post("/api/v1/auth/password/change", json::object{{"current_password", "nope nope nope"}, {"new_password", "brand new passphrase"}});
    CHECK(wrong.status == 422);
    CHECK(wrong.body.find("current_password") != std::string::npos);
    auto same = ann.post("/api/v1/auth/password/change",
                         json::object{{"current_password", "a-long-enough-passphrase"}, {"new_password", "a-long-enough-passphrase"}});
    CHECK(same.status == 422);
    CHECK(shop.client().post("/api/v1/auth/password/change", json::object{{"current_password", "x"}, {"new_password", "y"}}).status == 401);
    auto c = shop.client();
    auto session = login(shop, "ann@example.com", "a-long-enough-passphrase");
    REQUIRE(session.status == 200);
    auto second = login(shop, "ann@example.com", "a-long-enough-passphrase");
    REQUIRE(second.status == 200);
    HttpClient me = shop.client();
    me.set_header("Authorization", "Bearer " + session.str("access_token"));
    auto changed = me.post("/api/v1/auth/password/change",
                           json::object{{"current_password", "a-long-enough-passphrase"}, {"new_password", "second long passphrase"}});
    REQUIRE_MESSAGE(changed.status == 200, changed.body);
    CHECK_FALSE(changed.str("refresh_token").empty());
    CHECK(c.post("/api/v1/auth/refresh", json::object{{"refresh_token", second.str("refresh_token")}}).status == 401);
    CHECK(c.post("/api/v1/auth/refresh", json::object{{"refresh_token", changed.str("refresh_token")}}).status == 200);
    CHECK(login(shop, "ann@example.com", "second long passphrase").status == 200);
}

TEST_CASE("registration mails a verification link - verifying it shows on /me, once") {
    TestShop shop;
    auto c = shop.client();
    auto reg = c.post("/api/v1/auth/register", json::object{{"email", "bob@example.com"}, {"password", "correct horse 42"}, {"name", "Bob"}});
    REQUIRE(reg.status == 201);
    CHECK(reg.json().at("user").at("email_verified").as_bool() == false);
    c.set_header("Authorization", "Bearer " + reg.str("access_token"));
    CHECK(c.get("/api/v1/me").json().at("email_verified").as_bool() == false);
    auto token = token_from_mail(shop, "bob@example.com", "confirm");
    REQUIRE_FALSE(token.empty());
    auto anon = shop.client();
    CHECK(anon.post("/api/v1/auth/email/verify", json::object{{"token", "nope"}}).status == 422);
    auto verified = anon.post("/api/v1/auth/email/verify", json::object{{"token", token}});
    REQUIRE_MESSAGE(verified.status == 200, verified.body);
    CHECK(verified.json().at("email_verified").as_bool() == true);
    CHECK(c.get("/api/v1/me").json().at("email_verified").as_bool() == true);
    CHECK(anon.post("/api/v1/auth/email/verify", json::object{{"token", token}}).status == 422);
}
