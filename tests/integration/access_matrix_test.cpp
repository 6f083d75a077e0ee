// The role × route matrix, generated from the route table as /openapi.json publishes it (each
// operation's `x-access`): every route that needs a user answers an anonymous caller 401, and every
// admin or vendor route answers a customer 403 — before anything of the request is looked at, so
// no route added later can forget its role check.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <regex>
#include <string>

#include "support/access.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

struct Route {
    std::string method, path, access, scope;
};

/// The documented routes with their path parameters given a well-formed but unknown value: the
/// role check comes first anyway.
std::vector<Route> routes(HttpClient& c) {
    std::vector<Route> out;
    for (auto& r : documented_routes(c))
        out.push_back({r.method, std::regex_replace(r.pattern, std::regex(R"(\{[^}]+\})"), "zz_01M8XD4E2NAV55V35N33S55SDT"), r.access, r.scope});
    return out;
}

HttpResult call(HttpClient& c, const Route& r) {
    std::string body = r.method == "GET" || r.method == "DELETE" ? "" : "{}";
    return c.request(r.method, r.path, body, body.empty() ? std::map<std::string, std::string>{} : std::map<std::string, std::string>{{"Content-Type", "application/json"}});
}

}  // namespace

TEST_CASE("the route table's access: anonymous callers get 401 on every user, vendor and admin route, customers 403 on vendor and admin ones") {
    TestShop shop;
    auto anonymous = shop.client();
    auto customer = shop.customer("matrix.customer@example.com");
    auto vendor = shop.vendor("matrix.vendor@example.com");
    auto all = routes(anonymous);
    int checked = 0;
    for (auto& r : all) {
        if (r.access == "anyone") continue;
        CAPTURE(r.method);
        CAPTURE(r.path);
        CAPTURE(r.access);
        CHECK(call(anonymous, r).status == 401);
        if (r.access == "admin" || r.access == "vendor") CHECK(call(customer, r).status == 403);
        if (r.access == "admin") CHECK(call(vendor, r).status == 403);
        ++checked;
    }
    CHECK(checked > 100);  // the table has over a hundred guarded routes: the document was read
}

TEST_CASE("the route table's API-key scopes: a key calls exactly the routes of its scopes, never beyond its owner's role") {
    TestShop shop;
    auto admin = shop.admin();
    auto customer = shop.customer("matrix.keys@example.com");
    auto all = routes(admin);
    auto admin_all = api_key_client(shop, admin, every_scope(documented_routes(admin)));
    auto customer_all = api_key_client(shop, customer, json::array{"orders:read", "orders:write", "carts:read", "carts:write", "payments:read", "payments:write"});
    // Keys of the admin without a route's scope: one scope of another resource.
    auto admin_catalog_only = api_key_client(shop, admin, json::array{"catalog:read"});
    auto admin_orders_only = api_key_client(shop, admin, json::array{"orders:read"});
    int checked = 0;
    for (auto& r : all) {
        if (r.access == "anyone") continue;
        CAPTURE(r.method);
        CAPTURE(r.path);
        CAPTURE(r.scope);
        auto with = call(admin_all, r);
        auto without = call(r.scope.starts_with("catalog") ? admin_orders_only : admin_catalog_only, r);
        CHECK(without.status == 403);
        if (r.scope.empty()) {
            CHECK(with.status == 403);  // a route API keys may not call (account security, the bus, traces)
        } else {
            CHECK(with.status != 401);
            CHECK(with.status != 403);
            CHECK(with.status < 500);
        }
        // A customer's key holding the scope still has only the customer's role.
        if (r.access == "admin" || r.access == "vendor") CHECK(call(customer_all, r).status == 403);
        ++checked;
    }
    MESSAGE("API-key cells: " << checked * 3 << " over " << checked << " guarded routes");
    CHECK(checked > 100);
}
