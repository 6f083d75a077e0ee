#include "platform/http.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <strings.h>

#include "platform/crypto.hpp"
#include "platform/utf8.hpp"

#include <charconv>

namespace shop::http {
namespace json = boost::json;

std::string_view to_string(Method m) noexcept {
    switch (m) {
        case Method::get: return "GET";
        case Method::head: return "HEAD";
        case Method::post: return "POST";
        case Method::put: return "PUT";
        case Method::patch: return "PATCH";
        case Method::delete_: return "DELETE";
        case Method::options: return "OPTIONS";
        default: return "UNKNOWN";
    }
}

Method parse_method(std::string_view m) noexcept {
    if (m == "GET") return Method::get;
    if (m == "HEAD") return Method::head;
    if (m == "POST") return Method::post;
    if (m == "PUT") return Method::put;
    if (m == "PATCH") return Method::patch;
    if (m == "DELETE") return Method::delete_;
    if (m == "OPTIONS") return Method::options;
    return Method::unknown;
}

namespace {
bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}
}  // namespace

std::string_view Headers::get(std::string_view name) const noexcept {
    for (auto& [k, v] : items_)
        if (iequals(k, name)) return v;
    return {};
}
bool Headers::has(std::string_view name) const noexcept {
    for (auto& [k, v] : items_)
        if (iequals(k, name)) return true;
    return false;
}
void Headers::set(std::string_view name, std::string value) {
    std::erase_if(items_, [&](auto& kv) { return iequals(kv.first, name); });
    items_.emplace_back(std::string(name), std::move(value));
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    for (auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}
std::string_view Request::param(std::string_view name) const noexcept {
    for (auto& [k, v] : params)
        if (k == name) return v;
    return {};
}
Ctx Request::ctx() const {
    Ctx c;
    c.correlation_id = correlation_id.empty() ? request_id : correlation_id;
    c.causation_id = request_id;
    c.principal = principal;
    c.idempotency = idempotency;
    c.client_address = remote_address;
    return c;
}

Response Response::json(int status, const json::value& v) {
    Response r;
    r.status = status;
    r.headers.set("Content-Type", "application/json");
    r.body = json::serialize(v);
    return r;
}
Response Response::text(int status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.headers.set("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}
Response Response::no_content() {
    Response r;
    r.status = 204;
    return r;
}

namespace {
std::string_view reason(int status) {
    switch (status) {
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 402: return "Payment Required";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 412: return "Precondition Failed";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Content";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 503: return "Service Unavailable";
        default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}
}  // namespace

Response problem(const Error& e, const Request& req) {
    int status = e.http_status();
    std::string code(e.code());
    json::object o;
    o["type"] = "https://shop.dev/problems/" + code;
    o["title"] = reason(status);
    o["status"] = status;
    // The detail, the instance and the fields may quote the request's own bytes (a path with
    // %FF in it): a JSON text must be UTF-8 (RFC 8259), so what is not comes out as U+FFFD.
    o["detail"] = status >= 500 ? fmt::format("an unexpected error occurred; quote request id {} when reporting it",
                                              req.request_id)
                                : replace_invalid_utf8(e.detail.empty() ? std::string(reason(status)) : e.detail);
    o["code"] = code;
    if (!req.path.empty()) o["instance"] = replace_invalid_utf8(req.path);
    o["request_id"] = req.request_id;
    if (!e.fields.empty()) {
        json::array errs;
        for (auto& f : e.fields)
            errs.push_back(json::object{{"field", replace_invalid_utf8(f.field)}, {"message", replace_invalid_utf8(f.message)}});
        o["errors"] = std::move(errs);
    }
    Response r;
    r.status = status;
    r.headers.set("Content-Type", "application/problem+json");
    // Every 429 says when to come back, and so does a 503 of a full server.
    if (status == 429 || e.retry_after_s > 0)
        r.headers.set("Retry-After", std::to_string(std::max<std::int64_t>(1, e.retry_after_s)));
    r.body = json::serialize(o);
    return r;
}

std::string encode_cursor(std::string_view position) { return crypto::base64url_encode("c1:" + std::string(position)); }

// ---- Router ----

struct Router::Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> statics;
    std::unique_ptr<Node> param;
    std::string param_name;
    std::map<Method, const Route*> routes;
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

namespace {
std::vector<std::string_view> split_path(std::string_view p) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < p.size()) {
        if (p[i] == '/') {
            ++i;
            continue;
        }
        auto j = p.find('/', i);
        if (j == std::string_view::npos) j = p.size();
        out.push_back(p.substr(i, j - i));
        i = j;
    }
    return out;
}
}  // namespace

void Router::add(RouteSpec spec, Handler handler) {
    Node* n = root_.get();
    for (auto seg : split_path(spec.pattern)) {
        if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
            std::string name(seg.substr(1, seg.size() - 2));
            if (!n->param) {
                n->param = std::make_unique<Node>();
                n->param_name = name;
            } else if (n->param_name != name) {
                throw std::logic_error(fmt::format("route {}: parameter {{{}}} conflicts with {{{}}}", spec.pattern, name,
                                                   n->param_name));
            }
            n = n->param.get();
        } else {
            auto it = n->statics.find(seg);
            if (it == n->statics.end()) it = n->statics.emplace(std::string(seg), std::make_unique<Node>()).first;
            n = it->second.get();
        }
    }
    if (n->routes.count(spec.method))
        throw std::logic_error(fmt::format("duplicate route {} {}", to_string(spec.method), spec.pattern));
    routes_.push_back(std::make_unique<Route>(Route{std::move(spec), std::move(handler)}));
    n->routes[routes_.back()->spec.method] = routes_.back().get();
}

Router::Match Router::match(Method m, std::string_view path) const {
    Match out;
    auto segs = split_path(path);
    // Depth-first: static first, then parameter, so /products/search beats /products/{id}.
    std::vector<std::pair<std::string, std::string>> params;
    std::function<const Node*(const Node*, std::size_t)> walk = [&](const Node* n, std::size_t i) -> const Node* {
        if (i == segs.size()) return n->routes.empty() ? nullptr : n;
        if (auto it = n->statics.find(segs[i]); it != n->statics.end())
            if (auto* r = walk(it->second.get(), i + 1)) return r;
        if (n->param) {
            params.emplace_back(n->param_name, std::string(segs[i]));
            if (auto* r = walk(n->param.get(), i + 1)) return r;
            params.pop_back();
        }
        return nullptr;
    };
    const Node* n = walk(root_.get(), 0);
    if (!n) return out;
    out.path_found = true;
    Method look = m == Method::head ? Method::get : m;
    if (auto it = n->routes.find(look); it != n->routes.end()) {
        out.route = it->second;
        out.params = std::move(params);
        return out;
    }
    for (auto& [method, r] : n->routes) out.allowed.push_back(method);
    return out;
}

}  // namespace shop::http
