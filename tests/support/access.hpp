#pragma once
// Who may call what, as the running shop documents it: the operations of /openapi.json with their
// `x-access` and `x-api-key-scope`, and clients signed in with an API key. Shared by the role ×
// route and the ownership matrices.
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "support/test_shop.hpp"

namespace shop::test {

struct DocumentedRoute {
    std::string method;   ///< upper case: GET, POST ...
    std::string pattern;  ///< as documented: /api/v1/orders/{id}
    std::string access;   ///< anyone | user | vendor | admin
    std::string scope;    ///< the API-key scope it needs; "" = API keys may not call it
};

/// Every operation /openapi.json documents with an `x-access`.
std::vector<DocumentedRoute> documented_routes(HttpClient& c);
/// Every scope some documented route needs: a key holding them all may call every route its
/// owner's role allows.
boost::json::array every_scope(const std::vector<DocumentedRoute>& routes);
/// A client authenticated by a new API key of `owner` with `scopes`; `key_id` receives its id.
HttpClient api_key_client(TestShop& shop, HttpClient& owner, const boost::json::array& scopes, std::string* key_id = nullptr);

}  // namespace shop::test
