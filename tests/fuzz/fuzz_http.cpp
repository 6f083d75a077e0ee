// The HTTP request path without a socket: raw bytes -> parsed by the server's own parser
// (http::parse_wire_request: Beast with the server's limits and RFC 9112 checks) -> the
// whole middleware pipeline and the app's routes (an App on a temporary SQLite data directory,
// made once) -> a response. Invariants: a status in 100..599 and never a 5xx (an exception that
// escaped a handler, a broken invariant behind a route), an error answered as problem+json
// naming its own status.
//
// Inputs may say `Bearer {{admin}}` or `Bearer {{customer}}`: replaced by a fresh access token of
// the bootstrap admin or of a registered customer, so the guarded routes are reached too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "fuzz_app.hpp"
#include "fuzz_check.hpp"
#include "platform/config.hpp"
#include "platform/http.hpp"
#include "platform/pipeline.hpp"
#include "platform/server.hpp"

using shop::fuzz::check;
namespace http = shop::http;

namespace {

std::string admin_token, customer_token;

std::string token_of(const std::string& path, const std::string& body) {
    http::Request req;
    req.method = http::Method::post;
    req.target = path;
    req.headers.add("Content-Type", "application/json");
    req.body = body;
    req.remote_address = "127.0.0.1";
    http::Response res = shop::fuzz::fuzz_app().pipeline().handle(req);
    boost::system::error_code ec;
    auto doc = boost::json::parse(res.body, ec);
    check(!ec && doc.is_object() && doc.as_object().contains("access_token"), "the fuzzer's accounts sign in", res.body);
    return std::string(doc.at("access_token").as_string());
}

void replace_all(std::string& s, std::string_view from, const std::string& to) {
    for (auto i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) s.replace(i, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    auto& app = shop::fuzz::fuzz_app();
    admin_token = token_of("/api/v1/auth/login", R"({"email":"admin@fuzz.test","password":"fuzz-admin-password"})");
    customer_token = token_of("/api/v1/auth/register", R"({"email":"customer@fuzz.test","password":"a-long-enough-passphrase","name":"Fuzz"})");
    (void)app;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    replace_all(bytes, "{{admin}}", admin_token);
    replace_all(bytes, "{{customer}}", customer_token);

    const auto& cfg = shop::fuzz::fuzz_app().config();
    http::WireLimits limits;
    limits.body_limit = static_cast<std::size_t>(cfg.get_int("http.body_limit"));
    limits.header_limit = static_cast<std::size_t>(cfg.get_int("http.header_limit"));

    http::Request req;
    http::Response res;
    if (auto refused = http::parse_wire_request(bytes, limits, req)) {
        // The server answers a request it cannot parse itself: a 4xx, never a handler.
        res = std::move(*refused);
        check(res.status >= 400 && res.status <= 499, "an unparsable request is refused with a 4xx", bytes);
    } else {
        req.remote_address = "127.0.0.1";
        res = shop::fuzz::fuzz_app().pipeline().handle(req);
    }
    check(res.status >= 100 && res.status <= 599, "the status is an HTTP status", bytes);
    check(res.status < 500, "no request makes the server fail (5xx)", bytes + "\n---\n" + res.body);
    if (res.status >= 400) {
        auto ct = res.headers.get("Content-Type");
        bool problem_json = ct == "application/problem+json";
        // The storefront's pages answer a browser's unknown path with the HTML shell; everything
        // under /api/ and every refusal of the transport speaks problem+json.
        if (problem_json || req.target.starts_with("/api/")) {
            check(problem_json, "an API error is problem+json", bytes + "\n---\n" + std::string(ct));
            if (req.method == http::Method::head) {
                check(res.body.empty(), "a HEAD answer has no body", res.body);
                return 0;
            }
            boost::system::error_code ec;
            auto doc = boost::json::parse(res.body, ec);
            check(!ec && doc.is_object() && doc.as_object().contains("status") && doc.at("status") == res.status,
                  "a problem names its own status", res.body);
        }
    }
    return 0;
}
