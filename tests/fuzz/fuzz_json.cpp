// Every JSON body decoder: each route declared with a request body type (api::add) exposes the
// exact reading its handler does first (RouteSpec::decode_body); this fuzzer calls them all.
// Input: the first line names the route as "METHOD /pattern" (a line naming no route picks one by
// its hash, so mutations still land somewhere), the rest is the body.
// A body must be accepted, or refused with a 4xx problem (400 not JSON, 415, 422 naming every bad
// field); any other exception escaping, a 5xx, or a sanitizer report is a crash.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "fuzz_app.hpp"
#include "fuzz_check.hpp"
#include "platform/error.hpp"
#include "platform/http.hpp"

using shop::fuzz::check;
namespace http = shop::http;

namespace {

std::map<std::string, const http::Route*, std::less<>>& decoders() {
    static std::map<std::string, const http::Route*, std::less<>> all;
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    for (auto& r : shop::fuzz::fuzz_app().router().routes())
        if (r->spec.decode_body) decoders()[std::string(http::to_string(r->spec.method)) + " " + r->spec.pattern] = r.get();
    check(decoders().size() > 20, "the app declares its request bodies");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto nl = in.find('\n');
    std::string_view name = in.substr(0, nl);
    auto& all = decoders();
    auto it = all.find(name);
    if (it == all.end()) {
        it = all.begin();
        std::advance(it, std::hash<std::string_view>{}(name) % all.size());
    }
    const http::Route& route = *it->second;

    http::Request req;
    req.method = route.spec.method;
    req.target = route.spec.pattern;
    req.path = route.spec.pattern;
    req.headers.add("Content-Type", "application/json");
    req.body = nl == std::string_view::npos ? std::string() : std::string(in.substr(nl + 1));
    try {
        route.spec.decode_body(req);
    } catch (const shop::ErrorException& e) {
        const shop::Error& err = e.error();
        int status = err.http_status();
        check(status == 400 || status == 415 || status == 422, "a refused body is a 400, 415 or 422", it->first);
        if (status == 422) {
            check(!err.fields.empty(), "a 422 names the bad fields", it->first);
            for (auto& f : err.fields) check(!f.field.empty() && !f.message.empty(), "each field error has a path and a message", it->first);
        }
        http::Response res = http::problem(err, req);
        check(res.status == status, "the problem carries the error's status", it->first);
        boost::system::error_code ec;
        auto doc = boost::json::parse(res.body, ec);
        check(!ec && doc.is_object(), "the problem is a JSON object", res.body);
        if (status == 422) check(doc.as_object().contains("errors"), "a 422 problem lists errors[]", res.body);
    }
    return 0;
}
