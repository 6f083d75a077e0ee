// The ownership half of the role × route matrix: every route that reaches one customer's, guest's
// or vendor's object, called by every kind of caller on objects owned by each - anonymous, a
// guest with another cart's token, customers A and B, vendors A and B, A's API keys with and
// without the route's scope, and the admin. The expected answer of every cell follows from one
// declared rule (expect() below): the owner and whoever the route lets see everything get through;
// a caller with the wrong role is 401/403 before anything is looked up; anyone else gets 404, never
// 403, so no one learns another's ids exist. New routes under the owned paths must be declared
// here (the test fails until they are).
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/access.hpp"
#include "support/orders.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

enum class Owner { customer, guest_cart, guest_order, vendor };
enum class Want { ok, unauthorized, forbidden, not_found };

const char* name(Want w) {
    switch (w) {
        case Want::ok: return "2xx (or a state/validation answer: 409/422)";
        case Want::unauthorized: return "401";
        case Want::forbidden: return "403";
        case Want::not_found: return "404";
    }
    return "?";
}

bool matches(Want w, int status) {
    switch (w) {
        case Want::ok: return status != 401 && status != 403 && status != 404 && status < 500;
        case Want::unauthorized: return status == 401;
        case Want::forbidden: return status == 403;
        case Want::not_found: return status == 404;
    }
    return false;
}

/// One route on an owned object. `path` and `body` name the objects as {cart}, {item}, {order}...
/// which are filled with the owner's; `admin`: what an admin gets on another's object (ok: admins
/// act on anyone's orders, payments and products; 403: an admin may view a customer's cart but not
/// change or check it out; 404: the /me routes are the caller's own);
/// `public_object`: anyone may see the object (a published product), so a caller who may not
/// change it is told 403 - its existence is no secret.
struct Row {
    std::string method, pattern, path, body;
    Owner owner;
    Want admin;
    bool public_object = false;
};

/// A caller: who it is relative to the objects' owners.
enum class Caller { anonymous, guest_other, customer_a, customer_b, vendor_a, vendor_b, key_scoped, key_unscoped, guest_cart_owner, guest_order_owner, admin };

struct Route {
    std::string access, scope;
};

/// The one rule every cell follows.
Want expect(const Row& row, const Route& route, Caller c) {
    bool owner = (row.owner == Owner::customer && (c == Caller::customer_a || c == Caller::key_scoped)) ||
                 (row.owner == Owner::guest_cart && c == Caller::guest_cart_owner) ||
                 (row.owner == Owner::guest_order && c == Caller::guest_order_owner) || (row.owner == Owner::vendor && c == Caller::vendor_a);
    bool signed_in = c != Caller::anonymous && c != Caller::guest_other && c != Caller::guest_cart_owner && c != Caller::guest_order_owner;
    bool is_key = c == Caller::key_scoped || c == Caller::key_unscoped;
    // Authentication and role come first and reveal nothing about the object.
    if (route.access == "user" && !signed_in) return Want::unauthorized;
    if (route.access == "vendor" && !signed_in) return Want::unauthorized;
    if (is_key && (route.scope.empty() || c == Caller::key_unscoped)) return Want::forbidden;  // outside the key's scopes
    bool vendor_role = c == Caller::vendor_a || c == Caller::vendor_b || c == Caller::admin;
    if (route.access == "vendor" && !vendor_role) return Want::forbidden;
    if (owner) return Want::ok;
    if (c == Caller::admin) return row.admin;
    return row.public_object ? Want::forbidden : Want::not_found;
}

std::map<std::pair<std::string, std::string>, Route> route_table(HttpClient& c) {
    std::map<std::pair<std::string, std::string>, Route> out;
    for (auto& r : documented_routes(c)) out[{r.method, r.pattern}] = {r.access, r.scope};
    return out;
}

std::string fill(std::string s, const std::map<std::string, std::string>& ids) {
    for (auto& [k, v] : ids) {
        std::string key = "{" + k + "}";
        for (auto at = s.find(key); at != std::string::npos; at = s.find(key, at + v.size())) s.replace(at, key.size(), v);
    }
    return s;
}

const std::string kAddress = R"({"name":"Ann Owner","line1":"1 Main Street","city":"Springfield","postal_code":"12345","country":"US"})";

// Reads before writes, deletions last: every caller meets the objects as they were made.
std::vector<Row> rows() {
    using O = Owner;
    return {
        {"GET", "/api/v1/carts/{id}", "/api/v1/carts/{cart}", "", O::customer, Want::ok},
        {"GET", "/api/v1/carts/{id}", "/api/v1/carts/{gcart}", "", O::guest_cart, Want::ok},
        {"GET", "/api/v1/checkout/shipping-methods", "/api/v1/checkout/shipping-methods?cart_id={cart}", "", O::customer, Want::forbidden},
        {"POST", "/api/v1/checkout/quote", "/api/v1/checkout/quote",
         R"({"cart_id":"{cart}","shipping_address":)" + kAddress + R"(,"shipping_method":"standard"})", O::customer, Want::forbidden},
        {"POST", "/api/v1/checkout/quote", "/api/v1/checkout/quote",
         R"({"cart_id":"{gcart}","shipping_address":)" + kAddress + R"(,"shipping_method":"standard"})", O::guest_cart, Want::forbidden},
        {"GET", "/api/v1/orders/{id}", "/api/v1/orders/{order}", "", O::customer, Want::ok},
        {"GET", "/api/v1/orders/{id}", "/api/v1/orders/{gorder}", "", O::guest_order, Want::ok},
        {"GET", "/api/v1/orders/{id}/history", "/api/v1/orders/{order}/history", "", O::customer, Want::ok},
        {"GET", "/api/v1/orders/{id}/history", "/api/v1/orders/{gorder}/history", "", O::guest_order, Want::ok},
        {"GET", "/api/v1/orders/{id}/payments", "/api/v1/orders/{order}/payments", "", O::customer, Want::ok},
        {"GET", "/api/v1/orders/{id}/payments", "/api/v1/orders/{gorder}/payments", "", O::guest_order, Want::ok},
        {"GET", "/api/v1/payments/{id}", "/api/v1/payments/{payment}", "", O::customer, Want::ok},
        {"GET", "/api/v1/payments/{id}", "/api/v1/payments/{gpayment}", "", O::guest_order, Want::ok},
        {"GET", "/api/v1/me/addresses/{id}", "/api/v1/me/addresses/{address}", "", O::customer, Want::not_found},
        {"GET", "/api/v1/admin/inventory/{sku}", "/api/v1/admin/inventory/{vsku}", "", O::vendor, Want::ok},
        {"POST", "/api/v1/carts/{id}/items", "/api/v1/carts/{cart}/items", R"({"sku":"{sku}","quantity":1})", O::customer, Want::forbidden},
        {"POST", "/api/v1/carts/{id}/items", "/api/v1/carts/{gcart}/items", R"({"sku":"{sku}","quantity":1})", O::guest_cart, Want::forbidden},
        {"PATCH", "/api/v1/carts/{id}/items/{item_id}", "/api/v1/carts/{cart}/items/{item}", R"({"quantity":2})", O::customer, Want::forbidden},
        {"PATCH", "/api/v1/carts/{id}/items/{item_id}", "/api/v1/carts/{gcart}/items/{gitem}", R"({"quantity":2})", O::guest_cart, Want::forbidden},
        {"POST", "/api/v1/carts/{id}/coupon", "/api/v1/carts/{cart}/coupon", R"({"code":"OWN10"})", O::customer, Want::forbidden},
        {"POST", "/api/v1/carts/{id}/coupon", "/api/v1/carts/{gcart}/coupon", R"({"code":"OWN10"})", O::guest_cart, Want::forbidden},
        {"DELETE", "/api/v1/carts/{id}/coupon", "/api/v1/carts/{cart}/coupon", "", O::customer, Want::forbidden},
        {"DELETE", "/api/v1/carts/{id}/coupon", "/api/v1/carts/{gcart}/coupon", "", O::guest_cart, Want::forbidden},
        {"POST", "/api/v1/carts/{id}/merge", "/api/v1/carts/{cart}/merge", R"({"cart_id":"{mcart}","token":"{mtoken}"})", O::customer, Want::not_found},
        {"POST", "/api/v1/payments", "/api/v1/payments", R"({"order_id":"{order}","payment_method":"{card}"})", O::customer, Want::ok},
        {"POST", "/api/v1/payments", "/api/v1/payments", R"({"order_id":"{gorder}","payment_method":"{card}"})", O::guest_order, Want::ok},
        {"POST", "/api/v1/payments/{id}/confirm", "/api/v1/payments/{payment}/confirm", "{}", O::customer, Want::ok},
        {"POST", "/api/v1/payments/{id}/confirm", "/api/v1/payments/{gpayment}/confirm", "{}", O::guest_order, Want::ok},
        {"POST", "/api/v1/payments/{id}/sandbox/3ds", "/api/v1/payments/{payment}/sandbox/3ds", R"({"result":"succeed"})", O::customer, Want::ok},
        {"POST", "/api/v1/payments/{id}/sandbox/3ds", "/api/v1/payments/{gpayment}/sandbox/3ds", R"({"result":"succeed"})", O::guest_order, Want::ok},
        {"POST", "/api/v1/orders/{id}/returns", "/api/v1/orders/{order}/returns", R"({"lines":[{"line_id":"{line}","quantity":1}],"reason":"too small"})",
         O::customer, Want::ok},
        {"POST", "/api/v1/orders/{id}/returns", "/api/v1/orders/{gorder}/returns",
         R"({"lines":[{"line_id":"{gline}","quantity":1}],"reason":"too small"})", O::guest_order, Want::ok},
        {"PATCH", "/api/v1/me/addresses/{id}", "/api/v1/me/addresses/{address}", R"({"city":"Shelbyville"})", O::customer, Want::not_found},
        {"POST", "/api/v1/me/notifications/{id}/read", "/api/v1/me/notifications/{notification}/read", "{}", O::customer, Want::not_found},
        {"PATCH", "/api/v1/products/{id}", "/api/v1/products/{vproduct}", R"({"title":"Renamed"})", O::vendor, Want::ok, true},
        {"POST", "/api/v1/products/{id}/variants", "/api/v1/products/{vproduct}/variants",
         R"({"sku":"{newsku}","prices":[{"amount":500,"currency":"USD"}]})", O::vendor, Want::ok, true},
        {"PATCH", "/api/v1/products/{id}/variants/{variant_id}", "/api/v1/products/{vproduct}/variants/{vvariant}",
         R"({"prices":[{"amount":900,"currency":"USD"}]})", O::vendor, Want::ok, true},
        {"PUT", "/api/v1/admin/inventory/{sku}", "/api/v1/admin/inventory/{vsku}", R"({"warehouse":"main","on_hand":7})", O::vendor, Want::ok},
        {"POST", "/api/v1/admin/inventory/{sku}/adjustments", "/api/v1/admin/inventory/{vsku}/adjustments",
         R"({"warehouse":"main","delta":1,"reason":"recount"})", O::vendor, Want::ok},
        {"POST", "/api/v1/orders/{id}/cancel", "/api/v1/orders/{order}/cancel", "{}", O::customer, Want::ok},
        {"POST", "/api/v1/orders/{id}/cancel", "/api/v1/orders/{gorder}/cancel", "{}", O::guest_order, Want::ok},
        {"POST", "/api/v1/checkout", "/api/v1/checkout",
         R"({"cart_id":"{cart}","shipping_address":)" + kAddress + R"(,"shipping_method":"standard"})", O::customer, Want::forbidden},
        {"POST", "/api/v1/checkout", "/api/v1/checkout",
         R"({"cart_id":"{gcart}","email":"guest@example.com","shipping_address":)" + kAddress + R"(,"shipping_method":"standard"})",
         O::guest_cart, Want::forbidden},
        {"DELETE", "/api/v1/carts/{id}/items/{item_id}", "/api/v1/carts/{cart2}/items/{item2}", "", O::customer, Want::forbidden},
        {"DELETE", "/api/v1/me/addresses/{id}", "/api/v1/me/addresses/{address}", "", O::customer, Want::not_found},
        {"DELETE", "/api/v1/me/sessions/{id}", "/api/v1/me/sessions/{session}", "", O::customer, Want::not_found},
        {"DELETE", "/api/v1/me/api-keys/{id}", "/api/v1/me/api-keys/{key}", "", O::customer, Want::not_found},
        {"POST", "/api/v1/admin/products/{id}/images", "/api/v1/admin/products/{vproduct}/images", "", O::vendor, Want::ok, true},
        {"DELETE", "/api/v1/products/{id}/variants/{variant_id}", "/api/v1/products/{vproduct}/variants/{vvariant}", "", O::vendor, Want::ok, true},
        {"DELETE", "/api/v1/products/{id}", "/api/v1/products/{vproduct}", "", O::vendor, Want::ok, true},
    };
}

// Routes reaching a user's objects that are not rows above, each with the reason.
const std::set<std::pair<std::string, std::string>> kNotOwned = {
    {"DELETE", "/api/v1/me/wishlist/{product_id}"},  // the id is a product anyone may see; it names no one's object
    {"POST", "/api/v1/payments/sandbox/tokens"},     // makes a card token; reaches no object
};

}  // namespace

TEST_CASE("ownership matrix: anonymous, a guest, customers A and B, vendors A and B, API keys with and without the scope, and the admin on each owner's objects") {
    TestShop shop;
    auto admin = shop.admin();
    auto anonymous = shop.client();
    auto table = route_table(anonymous);
    shop.product("OWN-1", 1000, 100);
    std::string product_id = shop.product("OWN-2", 700, 100);
    REQUIRE(admin.post("/api/v1/admin/promotions", json::object{{"code", "OWN10"}, {"kind", "percent"}, {"percent", 10}}).status == 201);

    std::string a_id, b_id;
    auto a = shop.customer("owner.a@example.com", &a_id);
    auto b = shop.customer("owner.b@example.com", &b_id);
    auto vendor_a = shop.vendor("vendor.a@example.com");
    auto vendor_b = shop.vendor("vendor.b@example.com");
    std::map<std::string, std::string> ids;
    ids["sku"] = "OWN-1";
    ids["card"] = card_token(anonymous, "4242424242424242");

    // Customer A: a paid order (with its payment and a notification), a cart with a line, a
    // second cart, an address, a second session, API keys, a review waiting for moderation.
    ids["order"] = pay_order(a, "OWN-1");
    ids["line"] = line_of(a.get("/api/v1/orders/" + ids["order"]).json().as_object(), "OWN-1");
    ids["payment"] = std::string(a.get("/api/v1/orders/" + ids["order"] + "/payments").json().at("data").at(0).at("id").as_string());
    auto cart = a.post("/api/v1/carts", json::object{});
    REQUIRE(cart.status == 201);
    ids["cart"] = cart.str("id");
    auto line = a.post("/api/v1/carts/" + ids["cart"] + "/items", json::object{{"sku", "OWN-1"}, {"quantity", 1}});
    REQUIRE_MESSAGE(line.status == 201, line.body);
    ids["item"] = std::string(line.json().at("lines").at(0).at("id").as_string());
    auto cart2 = a.post("/api/v1/carts", json::object{});
    ids["cart2"] = cart2.str("id");
    ids["item2"] = std::string(
        a.post("/api/v1/carts/" + ids["cart2"] + "/items", json::object{{"sku", "OWN-2"}, {"quantity", 1}}).json().at("lines").at(0).at("id").as_string());
    auto address = a.request("POST", "/api/v1/me/addresses", kAddress, {{"Content-Type", "application/json"}});
    REQUIRE_MESSAGE(address.status == 201, address.body);
    ids["address"] = address.str("id");
    REQUIRE(shop.client().post("/api/v1/auth/login", json::object{{"email", "owner.a@example.com"}, {"password", "a-long-enough-passphrase"}}).status ==
            200);
    auto sessions = a.get("/api/v1/me/sessions").json();
    for (auto& s : sessions.at("data").as_array())
        if (!s.at("current").as_bool()) ids["session"] = std::string(s.at("id").as_string());
    REQUIRE_FALSE(ids["session"].empty());
    auto key_scoped = api_key_client(shop, a, every_scope(documented_routes(anonymous)));
    auto key_unscoped = api_key_client(shop, a, json::array{"notifications:read"});
    api_key_client(shop, a, json::array{"orders:read"}, &ids["key"]);  // the one DELETE removes
    shop.settle();
    auto inbox = a.get("/api/v1/me/notifications").json().at("data").as_array();
    REQUIRE_FALSE(inbox.empty());
    ids["notification"] = std::string(inbox.at(0).at("id").as_string());
    REQUIRE(a.post("/api/v1/products/" + product_id + "/reviews", json::object{{"rating", 2}, {"title", "Draft"}, {"body", "Only A and admins see this"}})
                .status == 201);

    // A guest: a cart with a line, an order placed and paid with the cart token; another guest's
    // cart for the merge.
    auto guest = shop.client();
    auto gcart = guest.post("/api/v1/carts", json::object{});
    ids["gcart"] = gcart.str("id");
    guest.set_header("X-Cart-Token", gcart.str("token"));
    ids["gitem"] = std::string(guest.post("/api/v1/carts/" + ids["gcart"] + "/items", json::object{{"sku", "OWN-1"}, {"quantity", 1}})
                                   .json().at("lines").at(0).at("id").as_string());
    auto gorder_cart = guest.post("/api/v1/carts", json::object{});
    auto paying_guest = shop.client();
    paying_guest.set_header("X-Cart-Token", gorder_cart.str("token"));
    REQUIRE(paying_guest.post("/api/v1/carts/" + gorder_cart.str("id") + "/items", json::object{{"sku", "OWN-1"}, {"quantity", 1}}).status == 201);
    auto gorder = paying_guest.post("/api/v1/checkout", json::object{{"cart_id", gorder_cart.str("id")}, {"email", "guest@example.com"},
                                                                     {"shipping_address", test::address()}, {"shipping_method", "standard"}});
    REQUIRE_MESSAGE(gorder.status == 201, gorder.body);
    ids["gorder"] = gorder.str("id");
    ids["gline"] = line_of(gorder.json().as_object(), "OWN-1");
    auto gpay = paying_guest.post("/api/v1/payments", json::object{{"order_id", ids["gorder"]}, {"payment_method", ids["card"]}});
    REQUIRE_MESSAGE(gpay.status == 201, gpay.body);
    ids["gpayment"] = gpay.str("id");
    auto mcart = shop.client().post("/api/v1/carts", json::object{});
    ids["mcart"] = mcart.str("id");
    ids["mtoken"] = mcart.str("token");

    // Vendor A: a product with a variant and stock.
    auto vp = vendor_a.post("/api/v1/products", json::object{{"title", "Vendor A thing"},
                                                              {"status", "published"},
                                                              {"variants", json::array{json::object{{"sku", "VEN-A-1"},
                                                                                                    {"prices", json::array{json::object{{"amount", 1200}, {"currency", "USD"}}}}}}}});
    REQUIRE_MESSAGE(vp.status == 201, vp.body);
    ids["vproduct"] = vp.str("id");
    ids["vvariant"] = std::string(vp.json().at("variants").at(0).at("id").as_string());
    ids["vsku"] = "VEN-A-1";
    ids["newsku"] = "VEN-A-2";
    REQUIRE(vendor_a.put("/api/v1/admin/inventory/VEN-A-1", json::object{{"warehouse", "main"}, {"on_hand", 5}}).status == 200);

    auto guest_other = shop.client();
    guest_other.set_header("X-Cart-Token", mcart.str("token"));

    // Every declared row is a route of the table; every owned route of the table is declared.
    auto all = rows();
    std::set<std::pair<std::string, std::string>> declared;
    for (auto& r : all) {
        CAPTURE(r.pattern);
        REQUIRE(table.count({r.method, r.pattern}));
        declared.insert({r.method, r.pattern});
    }
    static const std::regex owned(R"(^/api/v1/(carts/\{|orders/\{|payments|me/.*\{|products/\{id\}$|products/\{id\}/variants|admin/products/\{|admin/inventory/\{|checkout))");
    int owned_routes = 0;
    for (auto& [key, route] : table) {
        if (route.access == "admin" || !std::regex_search(key.second, owned) || kNotOwned.count(key)) continue;
        if (key.first == "GET" && route.access == "anyone" && key.second == "/api/v1/products/{id}") continue;  // the public product
        ++owned_routes;
        std::string missing = key.first + " " + key.second + " reaches an owned object but is missing from the ownership matrix";
        CHECK_MESSAGE(declared.count(key), missing);
    }
    CHECK(owned_routes == static_cast<int>(declared.size()));

    struct Who {
        Caller caller;
        const char* label;
        HttpClient* client;
    };
    std::vector<Who> callers = {
        {Caller::anonymous, "anonymous", &anonymous},       {Caller::guest_other, "another guest", &guest_other},
        {Caller::customer_b, "customer B", &b},             {Caller::vendor_a, "vendor A", &vendor_a},
        {Caller::vendor_b, "vendor B", &vendor_b},          {Caller::customer_a, "customer A", &a},
        {Caller::key_unscoped, "A's key without the scope", &key_unscoped},
        {Caller::key_scoped, "A's key with the scope", &key_scoped},
        {Caller::guest_cart_owner, "the guest of the cart", &guest},
        {Caller::guest_order_owner, "the guest of the order", &paying_guest},
        {Caller::admin, "admin", &admin},
    };
    // Successful writes change the objects: the denied callers run first, on objects as made;
    // then A's key and the admin, reading only (their writes would repeat the owners', and the
    // features' own tests cover what admins change); then the owners, whose rows run reads first
    // and deletions last.
    auto phase = [](Caller c) {
        switch (c) {
            case Caller::key_scoped:
            case Caller::admin: return 1;
            case Caller::customer_a:
            case Caller::guest_cart_owner:
            case Caller::guest_order_owner:
            case Caller::vendor_a: return 2;
            default: return 0;
        }
    };
    int cells = 0, denied = 0;
    auto run = [&](const Who& who) {
        for (auto& r : all) {
            auto& route = table.at({r.method, r.pattern});
            Want want = expect(r, route, who.caller);
            if (phase(who.caller) == 1 && want == Want::ok && r.method != "GET") continue;
            std::string path = fill(r.path, ids), body = fill(r.body, ids);
            std::map<std::string, std::string> headers;
            if (!body.empty()) headers["Content-Type"] = "application/json";
            if (r.pattern == "/api/v1/admin/products/{id}/images") {
                static const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9c" "c\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xae\x42\x60\x82", 67);
                body = png;
                headers["Content-Type"] = "image/png";
            }
            auto res = who.client->request(r.method, path, body, headers);
            std::string cell = std::string(who.label) + " " + r.method + " " + path + ": expected " + name(want) + ", got " +
                               std::to_string(res.status) + " " + res.body.substr(0, 160);
            CHECK_MESSAGE(matches(want, res.status), cell);
            ++cells;
            if (want != Want::ok) ++denied;
        }
    };
    auto run_phase = [&](int p) {
        for (auto& who : callers)
            if (phase(who.caller) == p) run(who);
    };
    run_phase(0);
    // Nothing the denied callers sent changed A's objects.
    auto a_cart = a.get("/api/v1/carts/" + ids["cart"]).json();
    CHECK(a_cart.at("lines").as_array().size() == 1);
    CHECK(a_cart.at("lines").at(0).at("quantity").as_int64() == 1);
    CHECK(a_cart.at("promotion_code").is_null());
    CHECK(a.get("/api/v1/orders/" + ids["order"]).json().at("status").as_string() == "confirmed");
    CHECK(a.get("/api/v1/me/addresses/" + ids["address"]).json().at("city").as_string() == "Springfield");
    CHECK(vendor_a.get("/api/v1/products/" + ids["vproduct"]).json().at("title").as_string() == "Vendor A thing");
    // A's pending review: not in anyone's public list; the admin's moderation queue has it.
    for (auto* c : {&anonymous, &b, &a})
        CHECK(c->get("/api/v1/products/" + product_id + "/reviews").body.find("Only A and admins") == std::string::npos);
    CHECK(admin.get("/api/v1/admin/reviews?status=pending").body.find("Only A and admins") != std::string::npos);
    run_phase(1);
    run_phase(2);
    MESSAGE("ownership matrix: " << cells << " cells over " << all.size() << " routes on owned objects, " << denied << " of them denials");
    CHECK(cells > 400);
}
