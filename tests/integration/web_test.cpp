// The pages and the browser session over real HTTP: the embedded assets (types, gzip, ETag, 304),
// the Content-Security-Policy of the pages (no inline script can run), the cookie session
// (HttpOnly, SameSite=Lax, Secure over TLS) and its CSRF check, and the trace look-up of an order.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <map>
#include <regex>
#include <string>

#include "platform/web_session.hpp"
#include "support/orders.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

/// The `Set-Cookie` line of cookie `name` in a reply ("" when none).
std::string set_cookie(const HttpResult& r, const std::string& name) {
    std::string all = r.header("set-cookie");
    std::size_t start = 0;
    while (start <= all.size()) {
        auto end = all.find('\n', start);
        std::string line = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (line.rfind(name + "=", 0) == 0) return line;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return "";
}

/// The value of a `Set-Cookie` line.
std::string cookie_value(const std::string& line) {
    auto eq = line.find('='), semi = line.find(';');
    return line.substr(eq + 1, semi - eq - 1);
}

struct Browser {
    HttpClient http;
    std::string csrf;
};

/// Registers a customer through the web route and returns a client carrying its cookies (as a
/// browser would send them) and the CSRF token.
Browser web_customer(TestShop& shop, const std::string& email) {
    HttpClient c = shop.client();
    auto r = c.post("/api/v1/auth/web/register", json::object{{"email", email}, {"password", "a-long-enough-passphrase"}, {"name", "Web Customer"}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    std::string session = cookie_value(set_cookie(r, "shop_session"));
    std::string csrf = cookie_value(set_cookie(r, "shop_csrf"));
    c.set_header("Cookie", "shop_session=" + session + "; shop_csrf=" + csrf);
    return {std::move(c), csrf};
}

}  // namespace

TEST_CASE("the storefront and admin shells load only scripts of this server, none inline") {
    TestShop shop;
    auto c = shop.client();
    // The account mails link to the last two: the storefront shell, whose script reads the token.
    for (std::string path : {"/", "/admin", "/account/reset-password?token=abc", "/account/verify-email?token=abc",
                              "/account/unsubscribe?token=abc"}) {
        CAPTURE(path);
        auto r = c.get(path);
        REQUIRE(r.status == 200);
        CHECK(r.header("content-type") == "text/html; charset=utf-8");
        std::string csp = r.header("content-security-policy");
        CHECK(csp.find("script-src 'self';") != std::string::npos);
        CHECK(csp.find("unsafe-inline") == std::string::npos);
        CHECK(csp.find("unsafe-eval") == std::string::npos);
        CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
        // Every script has a src (nothing inline) and no element carries an event handler attribute.
        std::regex script(R"(<script\b[^>]*>)");
        int scripts = 0;
        for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), script); it != std::sregex_iterator(); ++it, ++scripts)
            CHECK_MESSAGE(it->str().find("src=\"/assets/") != std::string::npos, it->str());
        CHECK(scripts >= 1);
        CHECK_FALSE(std::regex_search(r.body, std::regex(R"(<[^>]+\son[a-z]+\s*=)", std::regex::icase)));
        CHECK(r.body.find("style=") == std::string::npos);
    }
}

TEST_CASE("assets are served with their type, gzip when accepted, and a 304 for a current ETag") {
    TestShop shop;
    auto c = shop.client();
    auto plain = c.get("/assets/store.js");
    REQUIRE(plain.status == 200);
    CHECK(plain.header("content-type") == "text/javascript; charset=utf-8");
    CHECK(plain.header("content-encoding").empty());
    CHECK(plain.body.find("import ") != std::string::npos);
    std::string etag = plain.header("etag");
    REQUIRE(etag.size() > 2);
    CHECK(plain.header("cache-control") == "no-cache");
    CHECK(plain.header("vary") == "Accept-Encoding");

    auto gz = c.get("/assets/store.js", {{"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(gz.status == 200);
    CHECK(gz.header("content-encoding") == "gzip");
    REQUIRE(gz.body.size() > 2);
    CHECK(static_cast<unsigned char>(gz.body[0]) == 0x1f);  // the gzip magic number
    CHECK(static_cast<unsigned char>(gz.body[1]) == 0x8b);
    CHECK(gz.body.size() < plain.body.size() / 2);
    CHECK(gz.header("etag") == etag);
    auto refused = c.get("/assets/store.js", {{"Accept-Encoding", "gzip;q=0"}});
    CHECK(refused.header("content-encoding").empty());

    auto again = c.get("/assets/store.js", {{"If-None-Match", etag}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());

    CHECK(c.get("/assets/app.css").header("content-type") == "text/css; charset=utf-8");
    CHECK(c.get("/assets/icon.svg").header("content-type") == "image/svg+xml");
    CHECK(c.get("/assets/nothing.js").status == 404);
    CHECK(c.get("/assets/index.html").status == 404);  // the shells have their own paths
}

TEST_CASE("a web sign-in sets an HttpOnly SameSite=Lax session cookie and a readable CSRF cookie") {
    TestShop shop;
    auto reg = shop.client().post("/api/v1/auth/web/register",
                                  json::object{{"email", "web@example.com"}, {"password", "a-long-enough-passphrase"}, {"name", "Web"}});
    REQUIRE(reg.status == 201);
    CHECK(reg.json().as_object().if_contains("access_token") == nullptr);  // no token for the page's script to leak

    HttpClient c = shop.client();
    auto r = c.post("/api/v1/auth/web/login", json::object{{"email", "web@example.com"}, {"password", "a-long-enough-passphrase"}});
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::string session = set_cookie(r, "shop_session");
    std::string csrf = set_cookie(r, "shop_csrf");
    REQUIRE_FALSE(session.empty());
    REQUIRE_FALSE(csrf.empty());
    CHECK(session.find("; HttpOnly") != std::string::npos);
    CHECK(session.find("; SameSite=Lax") != std::string::npos);
    CHECK(session.find("; Path=/;") != std::string::npos);
    CHECK(session.find("Secure") == std::string::npos);  // plain http public_url
    CHECK(csrf.find("HttpOnly") == std::string::npos);   // the page reads it
    CHECK(csrf.find("; SameSite=Lax") != std::string::npos);
    CHECK(cookie_value(csrf) == r.json().at("csrf_token").as_string());
    CHECK(cookie_value(csrf) == web_session::csrf_token(cookie_value(session)));
    CHECK(r.json().at("user").at("email") == "web@example.com");

    c.set_header("Cookie", "shop_session=" + cookie_value(session));
    auto me = c.get("/api/v1/me");
    REQUIRE(me.status == 200);
    CHECK(me.json().at("email") == "web@example.com");

    // A wrong password sets no session.
    auto bad = shop.client().post("/api/v1/auth/web/login", json::object{{"email", "web@example.com"}, {"password", "wrong-password-here"}});
    CHECK(bad.status == 401);
    CHECK(set_cookie(bad, "shop_session").empty());
}

TEST_CASE("over TLS the web session cookies are Secure") {
    TestShop shop(std::map<std::string, std::string>{{"public_url", "https://shop.example"}});
    auto r = shop.client().post("/api/v1/auth/web/register",
                                json::object{{"email", "tls@example.com"}, {"password", "a-long-enough-passphrase"}, {"name", "Tls"}});
    REQUIRE(r.status == 201);
    CHECK(set_cookie(r, "shop_session").find("; Secure") != std::string::npos);
    CHECK(set_cookie(r, "shop_csrf").find("; Secure") != std::string::npos);
}

TEST_CASE("a cookie-authenticated change without the session's CSRF token is refused") {
    TestShop shop;
    auto b = web_customer(shop, "csrf@example.com");
    json::object addr = address();

    auto none = b.http.post("/api/v1/me/addresses", addr);
    CHECK(none.status == 403);
    CHECK(none.json().at("code") == "csrf_failed");
    auto wrong = b.http.post("/api/v1/me/addresses", addr, {{"X-CSRF-Token", std::string(64, 'a')}});
    CHECK(wrong.status == 403);
    CHECK(wrong.json().at("code") == "csrf_failed");
    // Another session's token does not fit this session.
    auto other = web_customer(shop, "other@example.com");
    CHECK(b.http.post("/api/v1/me/addresses", addr, {{"X-CSRF-Token", other.csrf}}).status == 403);
    CHECK(b.http.request("DELETE", "/api/v1/me/wishlist/prd_x").status == 403);
    auto listed = b.http.get("/api/v1/me/addresses");  // reads need no token
    REQUIRE(listed.status == 200);
    CHECK(listed.json().at("data").as_array().empty());  // nothing refused was written

    auto ok = b.http.post("/api/v1/me/addresses", addr, {{"X-CSRF-Token", b.csrf}});
    CHECK_MESSAGE(ok.status == 201, ok.body);
    auto after = b.http.get("/api/v1/me/addresses");
    CHECK(after.json().at("data").as_array().size() == 1);
}

TEST_CASE("bearer-token clients need no CSRF token and a stale cookie makes a guest") {
    TestShop shop;
    auto api = shop.customer("bearer@example.com");
    auto r = api.post("/api/v1/me/addresses", address());
    CHECK(r.status == 201);

    // An unknown session cookie is no session: a guest may create a cart, /me needs a sign-in.
    HttpClient stale = shop.client();
    stale.set_header("Cookie", "shop_session=not-a-session");
    CHECK(stale.post("/api/v1/carts", json::object{}).status == 201);
    CHECK(stale.get("/api/v1/me").status == 401);
}

TEST_CASE("signing a browser out ends its session cookie and clears the cookies") {
    TestShop shop;
    auto b = web_customer(shop, "bye@example.com");
    CHECK(b.http.post("/api/v1/auth/web/logout", json::object{}).status == 403);  // CSRF applies to sign-out too
    auto out = b.http.post("/api/v1/auth/web/logout", json::object{}, {{"X-CSRF-Token", b.csrf}});
    REQUIRE_MESSAGE(out.status == 200, out.body);
    CHECK(set_cookie(out, "shop_session").find("Max-Age=0") != std::string::npos);
    CHECK(set_cookie(out, "shop_csrf").find("Max-Age=0") != std::string::npos);
    CHECK(b.http.get("/api/v1/me").status == 401);
}

TEST_CASE("a disabled customer's session cookie stops working at once") {
    TestShop shop;
    auto b = web_customer(shop, "gone@example.com");
    auto me = b.http.get("/api/v1/me");
    REQUIRE(me.status == 200);
    auto admin = shop.admin();
    REQUIRE(admin.patch("/api/v1/admin/users/" + me.str("id"), json::object{{"disabled", true}}).status == 200);
    CHECK(b.http.get("/api/v1/me").status == 401);
}

TEST_CASE("an admin finds an order's checkout trace by the order id, all of its requests under one trace id") {
    TestShop shop;
    shop.product("TRC-1", 2500, 10);
    auto guest = shop.client();
    std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    std::map<std::string, std::string> traced{{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}};
    auto cart = guest.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    guest.set_header("X-Cart-Token", cart.str("token"));
    REQUIRE(guest.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", "TRC-1"}, {"quantity", 1}}).status == 201);
    auto order = guest.post("/api/v1/checkout",
                            json::object{{"cart_id", cart.str("id")}, {"email", "trace@example.com"}, {"shipping_address", address()}, {"shipping_method", "standard"}},
                            traced);
    REQUIRE_MESSAGE(order.status == 201, order.body);
    auto paid = guest.post("/api/v1/payments", json::object{{"order_id", order.str("id")}, {"payment_method", card_token(guest, "4242424242424242")}}, traced);
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    shop.settle();

    auto admin = shop.admin();
    auto found = admin.get("/api/v1/admin/traces?subject=" + order.str("id"));
    REQUIRE_MESSAGE(found.status == 200, found.body);
    json::value refs = found.json();
    auto& data = refs.at("data").as_array();
    REQUIRE(data.size() == 1);
    CHECK(data[0].at("correlation_id").as_string() == trace_id);
    CHECK(data[0].at("first_type") == "ordering.order_placed.v1");
    CHECK(data[0].at("events").as_int64() >= 2);  // the order placed and the payment authorized

    auto t = admin.get("/api/v1/admin/traces/" + trace_id);
    REQUIRE(t.status == 200);
    json::value tv = t.json();
    bool placed = false, authorized = false, handled = false;
    for (auto& s : tv.at("data").as_array()) {
        if (s.at("type") == "ordering.order_placed.v1" && s.at("kind") == "event") placed = true;
        if (s.at("type") == "payment.payment_authorized.v1" && s.at("kind") == "event") authorized = true;
        if (s.at("kind") == "handler") handled = true;
    }
    CHECK(placed);
    CHECK(authorized);
    CHECK(handled);

    // An id with LIKE's wildcards finds nothing it does not name; a customer may not look.
    auto wild = admin.get("/api/v1/admin/traces?subject=ord_%25");
    CHECK(wild.status == 422);
    auto none = admin.get("/api/v1/admin/traces?subject=ord_" + std::string(26, 'Z'));
    REQUIRE(none.status == 200);
    CHECK(none.json().at("data").as_array().empty());
    CHECK(shop.customer("nosy@example.com").get("/api/v1/admin/traces?subject=" + order.str("id")).status == 403);
}
