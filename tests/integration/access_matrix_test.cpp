// The role × route matrix, generated from the route table as /openapi.json publishes it (each
// operation's `x-access`): every route that needs a user answers an anonymous caller 401, and every
// admin or vendor route answers a customer 403 — before anything of the request is looked at, so
// no route added later can forget its role check.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <regex>
#include <string>

#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

struct Route {
    std::string method, path, access;
};

std::vector<Route> routes(HttpClient& c) {
    auto doc = c.get("/openapi.json");
    REQUIRE(doc.status == 200);
    std::vector<Route> out;
    auto body = doc.json();
    for (auto& [path, ops] : body.at("paths").as_object())
        for (auto& [method, op] : ops.as_object()) {
            if (!op.is_object() || !op.as_object().contains("x-access")) continue;
            std::string m(method);
            for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            // Path parameters get a well-formed but unknown value: the role check comes first anyway.
            std::string concrete = std::regex_replace(std::string(path), std::regex(R"(\{[^}]+\})"), "zz_01M8XD4E2NAV55V35N33S55SDT");
            out.push_back({m, concrete, std::string(op.at("x-access").as_string())});
        }
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
