#include "support/access.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace shop::test {
namespace json = boost::json;

std::vector<DocumentedRoute> documented_routes(HttpClient& c) {
    auto doc = c.get("/openapi.json");
    REQUIRE(doc.status == 200);
    auto body = doc.json();
    std::vector<DocumentedRoute> out;
    for (auto& [path, ops] : body.at("paths").as_object())
        for (auto& [method, op] : ops.as_object()) {
            if (!op.is_object() || !op.as_object().contains("x-access")) continue;
            auto& o = op.as_object();
            std::string m(method);
            for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            out.push_back({m, std::string(path), std::string(o.at("x-access").as_string()),
                           o.contains("x-api-key-scope") ? std::string(o.at("x-api-key-scope").as_string()) : ""});
        }
    return out;
}

json::array every_scope(const std::vector<DocumentedRoute>& routes) {
    std::set<std::string> scopes;
    for (auto& r : routes)
        if (!r.scope.empty()) scopes.insert(r.scope);
    json::array out;
    for (auto& s : scopes) out.push_back(json::string(s));
    return out;
}

HttpClient api_key_client(TestShop& shop, HttpClient& owner, const json::array& scopes, std::string* key_id) {
    auto made = owner.post("/api/v1/me/api-keys", json::object{{"name", "test key"}, {"scopes", scopes}});
    REQUIRE_MESSAGE(made.status == 201, made.body);
    if (key_id) *key_id = made.str("id");
    auto c = shop.client();
    c.set_header("Authorization", "Bearer " + made.str("key"));
    return c;
}

}  // namespace shop::test
