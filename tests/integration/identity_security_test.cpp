// Account security over real HTTP: TOTP two-factor sign-in, sessions by device, API keys with
// scopes, and login throttling that nobody else can turn into a lockout.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "identity/src/domain/totp.hpp"
#include "platform/db.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

using Overrides = std::map<std::string, std::string>;
constexpr const char* kPassword = "a-long-enough-passphrase";

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// What an authenticator app shows for `base32_secret` at `unix_s`.
std::string app_code(const std::string& base32_secret, std::int64_t unix_s) {
    auto key = identity::domain::base32_decode(base32_secret);
    REQUIRE(key);
    return identity::domain::totp(*key, unix_s);
}

HttpResult login(TestShop& shop, const std::string& email, const std::string& password, const std::map<std::string, std::string>& headers = {},
                 const std::string& totp = "") {
    json::object body{{"email", email}, {"password", password}};
    if (!totp.empty()) body["totp"] = totp;
    return shop.client().post("/api/v1/auth/login", body, headers);
}

HttpClient signed_in(TestShop& shop, const std::string& access) {
    auto c = shop.client();
    c.set_header("Authorization", "Bearer " + access);
    return c;
}

/// The shop_device cookie a sign-in set, as a Cookie header value.
std::string device_cookie(const HttpResult& r) {
    std::string set = r.header("set-cookie");
    REQUIRE(set.rfind("shop_device=", 0) == 0);
    return set.substr(0, set.find(';'));
}

json::object product_body(const std::string& sku) {
    return json::object{{"title", "Key product " + sku},
                        {"status", "draft"},
                        {"variants", json::array{json::object{{"sku", sku}, {"prices", json::array{json::object{{"amount", 500}, {"currency", "USD"}}}}}}}};
}

}  // namespace

TEST_CASE("two-factor sign-in: setup, enable with a code, login needs a fresh code or a recovery code, disable") {
    TestShop shop(Overrides{{"auth.login_throttle.free_failures", "100"}});  // the wrong codes below are not what this test is about
    std::string id;
    auto ann = shop.customer("ann@example.com", &id);

    auto setup = ann.post("/api/v1/auth/2fa/setup", json::object{});
    REQUIRE(setup.status == 200);
    std::string secret = setup.str("secret");
    CHECK(secret.size() == 32);  // 160 bits in base32
    CHECK(setup.str("otpauth_url") ==
          "otpauth://totp/shop:ann%40example.com?secret=" + secret + "&issuer=shop&algorithm=SHA1&digits=6&period=30");
    // Not in force before it is enabled.
    CHECK(login(shop, "ann@example.com", kPassword).status == 200);

    std::int64_t now = unix_now();
    std::string good = app_code(secret, now);
    std::string wrong = good;
    wrong[0] = good[0] == '9' ? '0' : static_cast<char>(good[0] + 1);
    auto refused = ann.post("/api/v1/auth/2fa/enable", json::object{{"code", wrong}});
    CHECK(refused.status == 422);
    CHECK(refused.json().at("errors").at(0).at("field") == "code");
    auto enabled = ann.post("/api/v1/auth/2fa/enable", json::object{{"code", good}});
    REQUIRE(enabled.status == 200);
    json::value enabled_json = enabled.json();
    auto& recovery = enabled_json.at("recovery_codes").as_array();
    REQUIRE(recovery.size() == 10);
    CHECK(ann.post("/api/v1/auth/2fa/setup", json::object{}).status == 409);

    auto needs = login(shop, "ann@example.com", kPassword);
    CHECK(needs.status == 401);
    CHECK(needs.str("code") == "totp_required");
    CHECK(login(shop, "ann@example.com", "wrong-password-here", {}, good).status == 401);
    auto replayed = login(shop, "ann@example.com", kPassword, {}, good);  // the code that enabled it: good once
    CHECK(replayed.status == 401);
    CHECK(replayed.str("code") == "totp_invalid");
    CHECK(login(shop, "ann@example.com", kPassword, {}, app_code(secret, now + 30)).status == 200);  // the next step's code

    std::string first(recovery[0].as_string());
    CHECK(login(shop, "ann@example.com", kPassword, {}, first).status == 200);
    CHECK(login(shop, "ann@example.com", kPassword, {}, first).str("code") == "totp_invalid");  // single use
    std::string second(recovery[1].as_string());
    std::transform(second.begin(), second.end(), second.begin(), ::toupper);  // typed in capitals: still the code
    CHECK(login(shop, "ann@example.com", kPassword, {}, second).status == 200);

    auto neither = ann.post("/api/v1/auth/2fa/disable", json::object{});
    CHECK(neither.status == 422);
    CHECK(neither.json().at("errors").at(0).at("field") == "code");
    auto bad_password = ann.post("/api/v1/auth/2fa/disable", json::object{{"password", "not-my-password"}});
    CHECK(bad_password.status == 422);
    CHECK(bad_password.json().at("errors").at(0).at("field") == "password");
    CHECK(ann.post("/api/v1/auth/2fa/disable", json::object{{"code", first}}).status == 422);  // spent
    CHECK(ann.post("/api/v1/auth/2fa/disable", json::object{{"code", std::string(recovery[2].as_string())}}).status == 204);
    CHECK(login(shop, "ann@example.com", kPassword).status == 200);
    CHECK(ann.post("/api/v1/auth/2fa/disable", json::object{{"password", kPassword}}).status == 409);  // already off

    // Set up and enabled again, turned off with the password.
    auto again = ann.post("/api/v1/auth/2fa/setup", json::object{});
    REQUIRE(again.status == 200);
    CHECK(again.str("secret") != secret);
    REQUIRE(ann.post("/api/v1/auth/2fa/enable", json::object{{"code", app_code(again.str("secret"), unix_now())}}).status == 200);
    CHECK(login(shop, "ann@example.com", kPassword, {}, first).status == 401);  // the old recovery codes are gone
    CHECK(ann.post("/api/v1/auth/2fa/disable", json::object{{"password", kPassword}}).status == 204);
    CHECK(shop.client().post("/api/v1/auth/2fa/setup", json::object{}).status == 401);
}

TEST_CASE("sessions by device: listed with user agent and address, one signed out at once, others untouched") {
    TestShop shop;
    auto reg = shop.client().post("/api/v1/auth/register", json::object{{"email", "ann@example.com"}, {"password", kPassword}, {"name", "Ann"}});
    REQUIRE(reg.status == 201);
    auto phone = login(shop, "ann@example.com", kPassword, {{"User-Agent", "ShopPhone/2.1"}});
    REQUIRE(phone.status == 200);
    auto as_phone = signed_in(shop, phone.str("access_token"));

    auto list = as_phone.get("/api/v1/me/sessions");
    REQUIRE(list.status == 200);
    json::value sessions = list.json();
    REQUIRE(sessions.at("data").as_array().size() == 2);
    auto& newest = sessions.at("data").at(0);
    CHECK(newest.at("user_agent") == "ShopPhone/2.1");
    CHECK(newest.at("client_address") == "127.0.0.1");
    CHECK(newest.at("current") == true);
    CHECK(sessions.at("data").at(1).at("current") == false);
    std::string first_session(sessions.at("data").at(1).at("id").as_string());

    // Bob cannot see or end Ann's sessions.
    auto bob = shop.customer("bob@example.com");
    CHECK(bob.get("/api/v1/me/sessions").json().at("data").as_array().size() == 1);
    CHECK(bob.request("DELETE", "/api/v1/me/sessions/" + first_session).status == 404);
    CHECK(signed_in(shop, reg.str("access_token")).get("/api/v1/me").status == 200);

    REQUIRE(as_phone.request("DELETE", "/api/v1/me/sessions/" + first_session).status == 204);
    CHECK(signed_in(shop, reg.str("access_token")).get("/api/v1/me").status == 401);
    CHECK(shop.client().post("/api/v1/auth/refresh", json::object{{"refresh_token", reg.str("refresh_token")}}).status == 401);
    CHECK(as_phone.request("DELETE", "/api/v1/me/sessions/" + first_session).status == 404);  // already ended
    CHECK(as_phone.get("/api/v1/me/sessions").json().at("data").as_array().size() == 1);

    // Refreshing keeps the session and moves its last use.
    std::string created(newest.at("created_at").as_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto rotated = shop.client().post("/api/v1/auth/refresh", json::object{{"refresh_token", phone.str("refresh_token")}});
    REQUIRE(rotated.status == 200);
    auto after = signed_in(shop, rotated.str("access_token")).get("/api/v1/me/sessions").json();
    REQUIRE(after.at("data").as_array().size() == 1);
    CHECK(after.at("data").at(0).at("id") == newest.at("id"));
    CHECK(std::string(after.at("data").at(0).at("last_used_at").as_string()) > created);
}

TEST_CASE("API keys: shown once, stored hashed, exactly their scopes, never beyond the owner's role, deleted at once") {
    TestShop shop;
    auto vendor = shop.vendor("vera@example.com");
    auto made = vendor.post("/api/v1/me/api-keys", json::object{{"name", "catalog sync"}, {"scopes", json::array{"catalog:write", "catalog:read"}}});
    REQUIRE(made.status == 201);
    std::string key = made.str("key"), prefix = made.str("prefix"), key_id = made.str("id");
    CHECK(prefix.rfind("shk_", 0) == 0);
    CHECK(key.rfind(prefix + "_", 0) == 0);
    CHECK(made.json().at("scopes") == json::array{"catalog:read", "catalog:write"});

    auto listed = vendor.get("/api/v1/me/api-keys");
    REQUIRE(listed.status == 200);
    json::value keys = listed.json();
    REQUIRE(keys.at("data").as_array().size() == 1);
    CHECK(keys.at("data").at(0).at("prefix") == json::value(prefix));
    CHECK(keys.at("data").at(0).at("last_used_at").is_null());
    CHECK(keys.at("data").at(0).as_object().if_contains("key") == nullptr);
    CHECK(listed.body.find(key) == std::string::npos);
    auto stored = shop.app().database().read([&](db::Reader& r) { return r.one("SELECT key_hash FROM identity.api_keys WHERE id = ?", key_id); });
    REQUIRE(stored);
    CHECK(stored->str(0) != key);
    CHECK(stored->str(0).size() == 64);

    auto with_key = shop.client();
    with_key.set_header("Authorization", "Bearer " + key);
    CHECK(with_key.post("/api/v1/products", product_body("KEY-1")).status == 201);
    auto outside = with_key.get("/api/v1/orders");
    CHECK(outside.status == 403);
    CHECK(outside.str("detail").find("orders:read") != std::string::npos);
    CHECK(with_key.get("/api/v1/me").status == 403);  // account routes take no API key
    CHECK(with_key.post("/api/v1/me/api-keys", json::object{{"name", "more"}, {"scopes", json::array{"orders:read"}}}).status == 403);
    CHECK(vendor.get("/api/v1/me/api-keys").json().at("data").at(0).at("last_used_at").is_string());

    // A customer's key with catalog:write still cannot do what a customer cannot.
    auto cust = shop.customer("carl@example.com");
    auto cust_key = cust.post("/api/v1/me/api-keys", json::object{{"name", "x"}, {"scopes", json::array{"catalog:write", "orders:read"}}});
    REQUIRE(cust_key.status == 201);
    auto as_cust_key = shop.client();
    as_cust_key.set_header("Authorization", "Bearer " + cust_key.str("key"));
    CHECK(as_cust_key.post("/api/v1/products", product_body("KEY-2")).status == 403);
    CHECK(as_cust_key.get("/api/v1/orders").status == 200);  // within scope and role: only the customer's own orders

    auto bad = vendor.post("/api/v1/me/api-keys", json::object{{"name", "x"}, {"scopes", json::array{"admin:everything"}}});
    CHECK(bad.status == 422);
    CHECK(bad.json().at("errors").at(0).at("field") == "scopes[0]");
    CHECK(vendor.post("/api/v1/me/api-keys", json::object{{"name", "x"}, {"scopes", json::array{}}}).status == 422);

    CHECK(cust.request("DELETE", "/api/v1/me/api-keys/" + key_id).status == 404);  // not Carl's
    CHECK(with_key.get("/api/v1/products?limit=1").status == 200);
    REQUIRE(vendor.request("DELETE", "/api/v1/me/api-keys/" + key_id).status == 204);
    CHECK(with_key.get("/api/v1/products?limit=1").status == 401);
    CHECK(shop.client().get("/api/v1/products?limit=1", {{"Authorization", "Bearer shk_made-up_key"}}).status == 401);

    // A disabled owner's keys stop too.
    std::string carl_id(shop.admin().get("/api/v1/admin/users?q=carl").json().at("data").at(0).at("id").as_string());
    REQUIRE(shop.admin().patch("/api/v1/admin/users/" + carl_id, json::object{{"disabled", true}}).status == 200);
    CHECK(as_cust_key.get("/api/v1/orders").status == 401);
}

TEST_CASE("login throttling: growing waits with Retry-After, a per-address cap, the owner's known device still signs in") {
    TestShop shop(Overrides{{"auth.login_throttle.address_failures", "8"}});
    auto reg = shop.client().post("/api/v1/auth/register", json::object{{"email", "ann@example.com"}, {"password", kPassword}, {"name", "Ann"}});
    REQUIRE(reg.status == 201);
    auto own = login(shop, "ann@example.com", kPassword);
    REQUIRE(own.status == 200);
    std::string cookie = device_cookie(own);
    CHECK(own.header("set-cookie").find("HttpOnly") != std::string::npos);

    // Three free failures, then a wait that doubles with each further one.
    for (int i = 0; i < 3; ++i) CHECK(login(shop, "ann@example.com", "guess-number-" + std::to_string(i)).status == 401);
    auto held = login(shop, "ann@example.com", "guess-number-3");
    CHECK(held.status == 429);
    CHECK(held.str("code") == "rate_limited");
    CHECK(held.header("retry-after") == "1");
    // Held back, even the right password waits from this address without the device cookie...
    CHECK(login(shop, "ann@example.com", kPassword).status == 429);
    // ...but Ann's own device signs in.
    auto from_device = login(shop, "ann@example.com", kPassword, {{"Cookie", "theme=dark; " + cookie}});
    CHECK(from_device.status == 200);
    CHECK(from_device.header("set-cookie").empty());  // already known

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(login(shop, "ann@example.com", "guess-number-4").status == 401);
    auto longer = login(shop, "ann@example.com", "guess-number-5");
    CHECK(longer.status == 429);
    CHECK(longer.header("retry-after") == "2");

    // The same address guessing across accounts meets the per-address cap (8 failures here).
    for (int i = 0; i < 4; ++i) CHECK(login(shop, "user" + std::to_string(i) + "@example.com", "whatever-pass").status == 401);
    auto capped = login(shop, "someone-else@example.com", "whatever-pass");
    CHECK(capped.status == 429);
    CHECK(std::stoi(capped.header("retry-after")) > 800);
    CHECK(login(shop, "ann@example.com", kPassword, {{"Cookie", cookie}}).status == 200);
    // A device cookie of another account is no pass.
    auto bob = login(shop, "bob@example.com", kPassword, {{"Cookie", cookie}});
    CHECK(bob.status == 429);
}

TEST_CASE("an unknown email costs the same password hashing as a wrong password and answers the same") {
    // Real argon2id cost, so skipping the hash for unknown accounts would show.
    TestShop shop(Overrides{{"auth.password_cost", "interactive"}, {"auth.login_throttle.free_failures", "100"}});
    REQUIRE(shop.client().post("/api/v1/auth/register", json::object{{"email", "ann@example.com"}, {"password", kPassword}, {"name", "Ann"}}).status ==
            201);
    auto timed_ms = [&](const std::string& email, int i) {
        auto start = std::chrono::steady_clock::now();
        auto r = login(shop, email, "not-the-password-" + std::to_string(i));
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        CHECK(r.status == 401);
        CHECK(r.str("detail") == "the email or password is wrong");
        return ms;
    };
    // Interleaved, so a machine busy with other work slows both alike; medians of five.
    std::vector<double> known_ms, unknown_ms;
    for (int i = 0; i < 5; ++i) {
        known_ms.push_back(timed_ms("ann@example.com", i));
        unknown_ms.push_back(timed_ms("nobody@example.com", i));
    }
    std::sort(known_ms.begin(), known_ms.end());
    std::sort(unknown_ms.begin(), unknown_ms.end());
    double known = known_ms[2], unknown = unknown_ms[2];
    CAPTURE(known);
    CAPTURE(unknown);
    // Skipping the hash would answer an unknown email in about a millisecond against hundreds:
    // far outside these bounds, which leave room for a loaded machine's noise.
    CHECK(unknown > known * 0.25);
    CHECK(unknown < known * 4.0);
}
