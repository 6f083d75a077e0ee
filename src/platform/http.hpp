#pragma once
// HTTP as plain values: a Request goes in, a Response comes out. No socket and no Beast type in
// sight, so every handler and the whole middleware pipeline are testable as functions.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"

namespace shop::api {
class Schemas;
}

namespace shop::http {

enum class Method { get, head, post, put, patch, delete_, options, unknown };
std::string_view to_string(Method m) noexcept;
Method parse_method(std::string_view m) noexcept;

/// Case-insensitive header list preserving order.
class Headers {
public:
    /// The first value of `name`, or "" when absent.
    std::string_view get(std::string_view name) const noexcept;
    bool has(std::string_view name) const noexcept;
    /// Replaces every value of `name`.
    void set(std::string_view name, std::string value);
    void add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
    auto begin() const noexcept { return items_.begin(); }
    auto end() const noexcept { return items_.end(); }
    std::size_t size() const noexcept { return items_.size(); }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
    Method method = Method::get;
    std::string target;  ///< as received: path and query
    Headers headers;
    std::string body;
    std::string remote_address;

    // Filled by the pipeline.
    std::string path;  ///< percent-decoded path
    std::vector<std::pair<std::string, std::string>> query;
    std::string request_id;
    /// What ties this request's work together (events, handlers, logs): the trace id of a valid
    /// W3C `traceparent`, else the request id.
    std::string correlation_id;
    /// The `traceparent` this server answers with (our span in the caller's trace), "" without one.
    std::string traceparent;
    /// The client's rate-limit bucket after this request, for the RateLimit-* headers.
    struct RateQuota {
        long limit = 0, remaining = 0, reset_s = 0;
    };
    std::optional<RateQuota> rate_quota;
    std::string route;  ///< matched route pattern, e.g. /api/v1/products/{id}
    std::vector<std::pair<std::string, std::string>> params;
    std::optional<Principal> principal;
    const IdempotencyClaim* idempotency = nullptr;  ///< set while an Idempotency-Key is honoured

    std::string_view header(std::string_view name) const noexcept { return headers.get(name); }
    /// The guest cart token (`X-Cart-Token`), "" when absent.
    std::string_view cart_token() const noexcept { return headers.get("X-Cart-Token"); }
    /// The decoded query parameter, if present.
    std::optional<std::string> query_param(std::string_view name) const;
    /// A path parameter of the matched route ("" if absent).
    std::string_view param(std::string_view name) const noexcept;
    /// The work context of this request: correlation and causation are the request id; carries
    /// the principal and the Idempotency-Key claim.
    Ctx ctx() const;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;

    /// JSON body with Content-Type application/json.
    static Response json(int status, const boost::json::value& v);
    /// A body with the given content type.
    static Response text(int status, std::string body, std::string content_type);
    /// 204 No Content.
    static Response no_content();
};

/// RFC 9457 problem+json for an error: type, title, status, detail, code, instance, request_id and,
/// for validation errors, errors[{field, message}]. 500s carry no internal detail.
Response problem(const Error& e, const Request& req);

/// The value of `r`, or its error thrown for the pipeline to answer as a problem.
template <class T>
T unwrap(Result<T> r) {
    if (!r) throw ErrorException(std::move(r).error());
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

/// An opaque cursor for `position` (api::Cursor reads it back).
std::string encode_cursor(std::string_view position);

/// Who may call a route. Ownership (a customer's own order) is checked by the handler.
enum class Access { anyone, user, vendor, admin };

using Handler = std::function<Response(Request&)>;

struct RouteSpec {
    Method method = Method::get;
    std::string pattern;  ///< `/api/v1/products/{id}`
    Access access = Access::anyone;
    std::string summary;
    std::string tag;
    int success_status = 200;
    /// The request or response carries secrets (passwords, tokens, card numbers): it is never
    /// stored for Idempotency-Key replay.
    bool secret = false;
    /// The route reads `Authorization: Bearer` itself (a static token, not an access token):
    /// the pipeline neither verifies it as an access token nor refuses it.
    bool own_bearer = false;
    /// For a POST: the schema whose transaction records the reply (Tx::reply) together with the
    /// effect, so a retry under the same Idempotency-Key is answered from there and never runs
    /// twice. Empty for secret routes.
    std::string idempotency_schema;
    /// The handler may take long (password hashing, search, reports, listings over many rows): it
    /// runs on the worker pool, not on the I/O thread of its connection. Every other handler runs on
    /// its I/O thread; a write there waits only for its schema's writer (a group commit).
    bool blocking = false;
    /// The scope an API key needs to call this route (`catalog:read`, `orders:write`); "" = API
    /// keys may not call it.
    std::string scope;
    /// Builds the replayed response from the stored reply body (default: success_status and the
    /// body as JSON), e.g. to add back a secret that was never stored.
    std::function<Response(Request&, const boost::json::value& stored)> replay;
    /// Writes the route's OpenAPI operation object (api::add sets it from the route's types).
    std::function<void(boost::json::object& operation, api::Schemas& schemas)> document;
    /// Reads and checks the request's JSON body exactly as the route does before its handler runs,
    /// without running it: throws ErrorException (400, 415, 422 naming the fields) for a body the
    /// route refuses. Empty for routes without a JSON body (the decoders' fuzzer calls every one).
    std::function<void(const Request&)> decode_body;
};

struct Route {
    RouteSpec spec;
    Handler handler;
};

/// Routes by method and path with `{name}` segments; static segments win over parameters.
class Router {
public:
    Router();
    ~Router();
    /// Registers a route; throws std::logic_error on a duplicate method+pattern.
    void add(RouteSpec spec, Handler handler);

    struct Match {
        const Route* route = nullptr;
        std::vector<std::pair<std::string, std::string>> params;
        std::vector<Method> allowed;  ///< methods of the path when the method did not match
        bool path_found = false;
    };
    Match match(Method m, std::string_view path) const;
    const std::vector<std::unique_ptr<Route>>& routes() const noexcept { return routes_; }

private:
    struct Node;
    std::unique_ptr<Node> root_;
    std::vector<std::unique_ptr<Route>> routes_;
};


}  // namespace shop::http
