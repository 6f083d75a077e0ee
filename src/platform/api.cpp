#include "platform/api.hpp"

#include <algorithm>
#include <cctype>

#include "platform/ids.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <fmt/format.h>

#include <charconv>
#include <set>

#include "platform/countries.hpp"
#include "platform/crypto.hpp"
#include "platform/email.hpp"
#include "platform/money.hpp"
#include "platform/utf8.hpp"

namespace shop::api {

json::object Schemas::ref(std::string_view name, const std::function<json::object()>& make) {
    std::string key(name);
    if (!all_.contains(key)) {
        all_[key] = json::object{};  // placeholder first: a type may refer to itself
        all_[key] = make();
    }
    return json::object{{"$ref", "#/components/schemas/" + key}};
}

// ---- text ----

std::string text_problem(std::string_view s) {
    // JSON bodies are UTF-8 already (Boost.JSON refuses anything else); query parameters and
    // the product CSV's cells are bytes as sent.
    if (!valid_utf8(s)) return "must be valid UTF-8 text";
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == 0) return "must not contain NUL characters";
        // U+200E/U+200F, U+202A..U+202E, U+2066..U+2069 (E2 80 8E/8F, E2 80 AA..AE, E2 81 A6..A9)
        // and U+061C (D8 9C): bidirectional controls can make text read differently than it is.
        if (c == 0xE2 && i + 2 < s.size()) {
            auto b = static_cast<unsigned char>(s[i + 1]), d = static_cast<unsigned char>(s[i + 2]);
            if ((b == 0x80 && (d == 0x8E || d == 0x8F || (d >= 0xAA && d <= 0xAE))) || (b == 0x81 && d >= 0xA6 && d <= 0xA9))
                return "must not contain bidirectional control characters";
        }
        if (c == 0xD8 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x9C)
            return "must not contain bidirectional control characters";
    }
    return {};
}

std::string trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

bool parse_int(std::string_view s, std::int64_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

namespace {
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

bool well_formed_id(std::string_view s, std::string_view prefix) {
    if (s.size() != prefix.size() + 27 || s.substr(0, prefix.size()) != prefix || s[prefix.size()] != '_') return false;
    for (char c : s.substr(prefix.size() + 1))
        if (kCrockford.find(c) == std::string_view::npos) return false;
    return true;
}

std::string id_pattern(std::string_view prefix) { return fmt::format("^{}_[0-9A-HJKMNP-TV-Z]{{26}}$", prefix); }
std::string id_example(std::string_view prefix) { return fmt::format("{}_01JDQ6V3M2Z8K4T7W9XB5C0N1R", prefix); }

bool Email::read(const json::value& v, const std::string& path, Reader& r) {
    if (!v.is_string()) return r.fail(path, "must be a string"), false;
    auto normal = normalize_email(v.get_string());
    if (!normal) return r.fail(path, "is not a valid email address"), false;
    value = std::move(*normal);
    return true;
}

bool DateTime::read(const json::value& v, const std::string& path, Reader& r) {
    if (!v.is_string()) return r.fail(path, "must be a string"), false;
    return read_text(v.get_string(), path, r);
}

bool DateTime::read_text(std::string_view t, const std::string& path, Reader& r) {
    auto ms_of = parse_rfc3339(t);
    if (!ms_of) return r.fail(path, "must be an RFC 3339 date-time such as 2026-12-24T00:00:00Z"), false;
    value = std::string(t);
    ms = *ms_of;
    return true;
}

bool Currency::read_text(std::string_view t, const std::string& path, Reader& r) {
    if (!is_currency_code(t)) return r.fail(path, "must be an ISO 4217 code such as USD"), false;
    value = std::string(t);
    return true;
}

bool Country::read(const json::value& v, const std::string& path, Reader& r) {
    if (!v.is_string()) return r.fail(path, "must be a string"), false;
    return read_text(v.get_string(), path, r);
}

bool Country::read_text(std::string_view t, const std::string& path, Reader& r) {
    std::string c(t);
    if (c.size() != 2 || !std::isalpha(static_cast<unsigned char>(c[0])) || !std::isalpha(static_cast<unsigned char>(c[1])))
        return r.fail(path, "must be an ISO 3166-1 alpha-2 code such as US"), false;
    for (auto& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (!is_country_code(c)) return r.fail(path, "is not an assigned ISO 3166-1 alpha-2 country code"), false;
    value = std::move(c);
    return true;
}

bool Cursor::read_text(std::string_view t, const std::string& path, Reader& r) {
    std::string decoded;
    if (t.size() > 512 || !crypto::base64url_decode(t, decoded) || decoded.rfind("c1:", 0) != 0)
        return r.fail(path, "is not a cursor this API returned"), false;
    value = decoded.substr(3);
    return true;
}

json::value Cursor::write() const { return json::value(http::encode_cursor(value)); }

// ---- bodies ----

namespace {

// Walks a JSON text and notes the first key that appears twice in one object (Boost.JSON 1.81
// keeps the last silently).
struct DuplicateKeys {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    using ec = boost::system::error_code;
    struct Frame {
        bool object = false;
        std::set<std::string, std::less<>> keys;
        std::string key;
        std::size_t index = 0;
    };
    std::vector<Frame> stack;
    std::string key;
    std::string duplicate;  // its path

    std::string path() const {
        std::string p;
        for (auto& f : stack) {
            if (f.object) p = join(p, f.key);
            else p = index(p, f.index);
        }
        return p;
    }
    bool done() {
        if (!stack.empty() && !stack.back().object) ++stack.back().index;
        return true;
    }
    bool on_document_begin(ec&) { return true; }
    bool on_document_end(ec&) { return true; }
    bool on_object_begin(ec&) {
        stack.push_back({true, {}, {}, 0});
        return true;
    }
    bool on_object_end(std::size_t, ec&) {
        stack.pop_back();
        return done();
    }
    bool on_array_begin(ec&) {
        stack.push_back({false, {}, {}, 0});
        return true;
    }
    bool on_array_end(std::size_t, ec&) {
        stack.pop_back();
        return done();
    }
    bool on_key_part(json::string_view s, std::size_t, ec&) {
        key.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, ec&) {
        key.append(s.data(), s.size());
        auto& f = stack.back();
        f.key = key;
        if (!f.keys.insert(key).second && duplicate.empty()) duplicate = path();
        key.clear();
        return true;
    }
    bool on_string_part(json::string_view, std::size_t, ec&) { return true; }
    bool on_string(json::string_view, std::size_t, ec&) { return done(); }
    bool on_number_part(json::string_view, ec&) { return true; }
    bool on_int64(std::int64_t, json::string_view, ec&) { return done(); }
    bool on_uint64(std::uint64_t, json::string_view, ec&) { return done(); }
    bool on_double(double, json::string_view, ec&) { return done(); }
    bool on_bool(bool, ec&) { return done(); }
    bool on_null(ec&) { return done(); }
    bool on_comment_part(json::string_view, ec&) { return true; }
    bool on_comment(json::string_view, ec&) { return true; }
};

}  // namespace

void check_body_type(const http::Request& req, const std::vector<std::string>& types) {
    std::string type(req.header("Content-Type").substr(0, req.header("Content-Type").find(';')));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(types.begin(), types.end(), type) != types.end()) return;
    std::string expected;
    for (auto& t : types) expected += (expected.empty() ? "" : ", ") + t;
    throw ErrorException(Error(errc::unsupported_media_type, "the request body must be one of: " + expected, {{"Content-Type", "must be one of: " + expected}}));
}

json::value parse_body(const http::Request& req) {
    auto ct = req.header("Content-Type");
    if (!ct.empty() && ct.substr(0, 16) != "application/json" && ct.find("+json") == std::string_view::npos)
        throw ErrorException(Error(errc::unsupported_media_type, "the request body must be application/json"));
    if (req.body.empty()) throw ErrorException(Error(errc::malformed_json, "the request body is empty; a JSON object is expected"));
    json::parse_options opts;
    opts.max_depth = 32;
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec, {}, opts);
    if (ec) throw ErrorException(Error(errc::malformed_json, fmt::format("the request body is not valid JSON: {}", ec.message())));
    json::basic_parser<DuplicateKeys> walk(opts);
    walk.write_some(false, req.body.data(), req.body.size(), ec);
    if (!walk.handler().duplicate.empty())
        throw ErrorException(validation(walk.handler().duplicate, "appears more than once in its object"));
    return v;
}

// ---- the document ----

namespace {

std::vector<std::string> path_parameters(std::string_view pattern) {
    std::vector<std::string> out;
    for (std::size_t i = 0; (i = pattern.find('{', i)) != std::string_view::npos;) {
        auto j = pattern.find('}', i);
        out.emplace_back(pattern.substr(i + 1, j - i - 1));
        i = j;
    }
    return out;
}

json::object problem_ref(std::string_view name) { return {{"$ref", "#/components/responses/" + std::string(name)}}; }

const std::map<int, std::string_view>& problem_responses() {
    static const std::map<int, std::string_view> kNames = {
        {400, "BadRequest"}, {401, "Unauthorized"}, {403, "Forbidden"},        {404, "NotFound"},
        {409, "Conflict"},   {413, "TooLarge"},     {415, "UnsupportedMedia"}, {422, "ValidationFailed"},
        {429, "TooManyRequests"}, {503, "Unavailable"}};
    return kNames;
}

}  // namespace

std::string api_key_scope(std::string_view tag, http::Method method) {
    // API resources as clients name them; a module missing here has no routes for API keys.
    static const std::map<std::string_view, std::string_view> kResources{
        {"catalog", "catalog"}, {"search", "catalog"},     {"inventory", "inventory"},         {"ordering", "orders"},
        {"cart", "carts"},      {"payment", "payments"},   {"notification", "notifications"}};
    auto it = kResources.find(tag);
    if (it == kResources.end()) return "";
    bool read = method == http::Method::get || method == http::Method::head;
    return std::string(it->second) + (read ? ":read" : ":write");
}

void describe_operation(const Operation& op, bool has_body, bool has_query, json::object& out) {
    out["operationId"] = op.id;
    out["summary"] = op.summary;
    if (!op.description.empty()) out["description"] = op.description;
    out["tags"] = json::array{json::value(op.tag)};
    out["security"] = op.access == http::Access::anyone ? json::array{} : json::array{json::object{{"bearer", json::array{}}}};
    static constexpr std::string_view kRoles[] = {"anyone", "user", "vendor", "admin"};
    out["x-access"] = kRoles[static_cast<int>(op.access)];
    json::array params;
    for (auto& p : path_parameters(op.path))
        params.push_back(json::object{{"name", p}, {"in", "path"}, {"required", true}, {"schema", json::object{{"type", "string"}, {"maxLength", 200}}}});
    params.push_back(json::object{{"$ref", "#/components/parameters/RequestId"}});
    if (op.cart_token) params.push_back(json::object{{"$ref", "#/components/parameters/CartToken"}});
    if (!op.idempotency_schema.empty()) params.push_back(json::object{{"$ref", "#/components/parameters/IdempotencyKey"}});
    if (op.not_modified) params.push_back(json::object{{"$ref", "#/components/parameters/IfNoneMatch"}});
    out["parameters"] = std::move(params);

    json::object headers{{"X-Request-Id", json::object{{"$ref", "#/components/headers/RequestId"}}}};
    if (!op.idempotency_schema.empty()) headers["Idempotent-Replayed"] = json::object{{"$ref", "#/components/headers/IdempotentReplayed"}};
    for (auto& h : op.reply_headers) headers[h] = json::object{{"$ref", "#/components/headers/" + h}};
    json::object responses;
    responses[std::to_string(op.status)] =
        json::object{{"description", op.status == 201 ? "Created" : op.status == 204 ? "No content" : "Success"}, {"headers", std::move(headers)}};
    if (op.not_modified)
        responses["304"] = json::object{{"description", "Not modified: the If-None-Match ETag is current"},
                                        {"headers", json::object{{"ETag", json::object{{"$ref", "#/components/headers/ETag"}}}}}};
    std::set<int> problems(op.errors.begin(), op.errors.end());
    problems.insert(429);
    if (op.access != http::Access::anyone) problems.insert(401);
    if (op.access == http::Access::vendor || op.access == http::Access::admin) problems.insert(403);
    // Any route the pipeline authenticates: an invalid bearer credential is 401 (on public routes
    // too), and an API key outside its scopes, or on a route API keys may not call, is 403.
    if (!op.own_bearer) problems.insert({401, 403});
    if (!op.scope.empty()) out["x-api-key-scope"] = op.scope;
    if (has_body) problems.insert({400, 413, 415, 422});
    if (!op.idempotency_schema.empty() || has_query) problems.insert(422);
    for (int p : problems) {
        auto it = problem_responses().find(p);
        if (it == problem_responses().end()) throw std::logic_error(fmt::format("{} {}: no problem response {}", to_string(op.method), op.path, p));
        responses[std::to_string(p)] = problem_ref(it->second);
    }
    out["responses"] = std::move(responses);
}

json::value openapi_document(const http::Router& router, std::string_view title, std::string_view version) {
    Schemas schemas;
    json::object paths;
    for (auto& r : router.routes()) {
        const auto& s = r->spec;
        json::object op;
        if (s.document) {
            s.document(op, schemas);
        } else {
            // Only routes not written with api::add land here; a test keeps the list empty.
            op["summary"] = s.summary;
            op["x-undocumented"] = true;
            op["responses"] = json::object{{"default", json::object{{"description", "undocumented"}}}};
        }
        std::string method(to_string(s.method));
        for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto& item = paths[s.pattern];
        if (!item.is_object()) item = json::object{};
        item.as_object()[method] = std::move(op);
    }

    json::object problem{
        {"type", "object"},
        {"description", "RFC 9457 problem details; `code` is stable and machine-readable"},
        {"required", json::array{"type", "title", "status", "detail", "code", "request_id"}},
        {"properties",
         json::object{{"type", json::object{{"type", "string"}, {"format", "uri"}}},
                      {"title", json::object{{"type", "string"}}},
                      {"status", json::object{{"type", "integer"}}},
                      {"detail", json::object{{"type", "string"}}},
                      {"code", json::object{{"type", "string"}, {"examples", json::array{"validation_failed"}}}},
                      {"instance", json::object{{"type", "string"}}},
                      {"request_id", json::object{{"type", "string"}}},
                      {"errors", json::object{{"type", "array"},
                                              {"description", "every offending field of a validation_failed problem"},
                                              {"items", json::object{{"type", "object"},
                                                                     {"required", json::array{"field", "message"}},
                                                                     {"additionalProperties", false},
                                                                     {"properties", json::object{{"field", json::object{{"type", "string"}}},
                                                                                                 {"message", json::object{{"type", "string"}}}}}}}}}}},
        {"additionalProperties", false}};
    auto all_schemas = schemas.all();
    all_schemas["Problem"] = std::move(problem);

    static const std::map<std::string_view, std::string_view> kProblemText = {
        {"BadRequest", "The request is malformed (e.g. the body is not JSON)"},
        {"Unauthorized", "No valid bearer credential"},
        {"Forbidden", "The caller's role may not do this (or, for a request signed in by the browser session cookie, `csrf_failed`: its X-CSRF-Token is missing or wrong)"},
        {"NotFound", "No such resource, or not one the caller may see"},
        {"Conflict", "The request conflicts with the resource's state or a concurrent change"},
        {"TooLarge", "The request body is too large"},
        {"UnsupportedMedia", "The request body is not application/json"},
        {"ValidationFailed", "A field is invalid: `errors` names each one"},
        {"TooManyRequests", "Rate limited: retry after `Retry-After` seconds"},
        {"Unavailable", "Not ready to serve"}};
    json::object responses;
    for (auto& [name, text] : kProblemText)
        responses[name] = json::object{
            {"description", text},
            {"headers", json::object{{"X-Request-Id", json::object{{"$ref", "#/components/headers/RequestId"}}}}},
            {"content", json::object{{"application/problem+json", json::object{{"schema", json::object{{"$ref", "#/components/schemas/Problem"}}}}}}}};

    auto header_param = [](std::string_view name, std::string_view description, json::object schema) {
        return json::object{{"name", name}, {"in", "header"}, {"required", false}, {"description", description}, {"schema", std::move(schema)}};
    };
    json::object parameters{
        {"RequestId", header_param("X-Request-Id", "Your id for this request (letters, digits, `-_.:`); echoed, and the correlation id of every event it causes",
                                   json::object{{"type", "string"}, {"maxLength", 128}, {"pattern", "^[A-Za-z0-9._:-]+$"}})},
        {"CartToken", header_param("X-Cart-Token", "A guest's cart token (returned when the cart was created): proves the cart and what was made from it",
                                   json::object{{"type", "string"}, {"maxLength", 200}})},
        {"IdempotencyKey", header_param("Idempotency-Key", "Same key and body: the first reply again, without running twice; another body: 422",
                                        json::object{{"type", "string"}, {"minLength", 1}, {"maxLength", 255}})},
        {"IfNoneMatch", header_param("If-None-Match", "An ETag from an earlier reply: 304 while it is current", json::object{{"type", "string"}})}};
    json::object headers{
        {"RequestId", json::object{{"description", "The request's id (yours, or minted)"}, {"schema", json::object{{"type", "string"}}}}},
        {"IdempotentReplayed", json::object{{"description", "`true` when this is the stored reply of an earlier request with the same Idempotency-Key"},
                                            {"schema", json::object{{"type", "string"}, {"enum", json::array{"true"}}}}}},
        {"Location", json::object{{"description", "The URL of the created resource"}, {"schema", json::object{{"type", "string"}}}}},
        {"ETag", json::object{{"description", "A strong validator of the reply"}, {"schema", json::object{{"type", "string"}}}}},
        {"Set-Cookie", json::object{{"description", "A cookie for the client to send back"}, {"schema", json::object{{"type", "string"}}}}},
        {"Content-Encoding", json::object{{"description", "`gzip` when the client accepts it and the body is compressed"},
                                          {"schema", json::object{{"type", "string"}, {"enum", json::array{"gzip"}}}}}},
        {"Content-Security-Policy", json::object{{"description", "What the page may load and run (no inline script)"},
                                                 {"schema", json::object{{"type", "string"}}}}}};

    json::array tags;
    static const std::pair<std::string_view, std::string_view> kTags[] = {
        {"identity", "Accounts, sign-in and tokens"},       {"catalog", "Products, variants and prices"},
        {"search", "Full-text product search"},             {"cart", "Guest and customer carts"},
        {"inventory", "Stock levels and reservations"},     {"ordering", "Checkout and orders"},
        {"payment", "Payments and the sandbox provider"},   {"notification", "Messages to customers"},
        {"platform", "Health, metrics, the event bus"},     {"web", "Pages served by the binary"}};
    for (auto& [name, text] : kTags) tags.push_back(json::object{{"name", name}, {"description", text}});

    return json::object{
        {"openapi", "3.1.0"},
        {"info", json::object{{"title", title},
                              {"version", version},
                              {"description", "An e-commerce backend in one binary. Money is integer minor units with an ISO 4217 "
                                              "currency; ids are prefixed and time-ordered; every client mistake is an "
                                              "application/problem+json reply naming the field."}}},
        {"servers", json::array{json::object{{"url", "http://127.0.0.1:8080"}, {"description", "scripts/run"}}}},
        {"tags", std::move(tags)},
        {"paths", std::move(paths)},
        {"components", json::object{{"schemas", std::move(all_schemas)},
                                    {"responses", std::move(responses)},
                                    {"parameters", std::move(parameters)},
                                    {"headers", std::move(headers)},
                                    {"securitySchemes",
                                     json::object{{"bearer", json::object{{"type", "http"},
                                                                          {"scheme", "bearer"},
                                                                          {"description", "An access token from /api/v1/auth/login"}}}}}}}};
}

}  // namespace shop::api
