// The middleware pipeline as a pure function: no socket in sight.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "platform/db.hpp"
#include "platform/api.hpp"
#include "platform/json_input.hpp"
#include "platform/migrations.hpp"
#include "platform/pipeline.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::http;
namespace json = boost::json;

namespace {

struct ThingRequest {
    api::Text<1, 20> name;
    std::optional<api::Int<1, 10>> count;
};
SHOP_API_STRUCT(ThingRequest, name, count)

struct ThingReply {
    std::string name;
    std::int64_t call = 0;
};
SHOP_API_STRUCT(ThingReply, name, call)

struct Fixture {
    Logger log{LogLevel::off};
    Metrics metrics;
    Router router;
    test::TempDir dir;
    std::unique_ptr<db::Database> database;
    std::unique_ptr<Pipeline> pipeline;
    int calls = 0;

    explicit Fixture(PipelineOptions opts = {}) {
        database = std::make_unique<db::Database>(db::Options{.url = dir.db_url(), .dir = dir.path(), .schemas = {"things"}, .busy_timeout_ms = 2000});
        static const db::Migration kThings[] = {{1, "things", "CREATE TABLE things.things (name TEXT NOT NULL);"}};
        db::migrate(*database, {{"things", kThings}}, log);
        opts.access_log = false;
        api::add<ThingRequest, api::None, ThingReply>(
            router,
            {.method = Method::post, .path = "/things", .id = "createThing", .summary = "create", .tag = "platform", .status = 201,
             .idempotency_schema = "things"},
            [this](Request& req, ThingRequest& b, api::None&) {
                ++calls;
                ThingReply reply{b.name.value, calls};
                database->write("things", req.ctx(), [&](db::Tx& tx) {
                    tx.exec("INSERT INTO things.things (name) VALUES (?)", b.name.value);
                    tx.reply(api::write_value(reply));
                });
                return reply;
            });
        router.add({Method::get, "/boom", Access::anyone}, [](Request&) -> Response { throw std::runtime_error("secret internals"); });
        router.add({Method::get, "/mine", Access::user}, [](Request& req) { return Response::json(200, json::object{{"user", req.principal->user_id}}); });
        router.add({Method::get, "/admin", Access::admin}, [](Request&) { return Response::json(200, json::object{}); });
        pipeline = std::make_unique<Pipeline>(router, log, metrics, database.get(), opts);
        pipeline->set_authenticator([](std::string_view token) -> std::optional<Principal> {
            if (token == "customer-token") return Principal{"usr_1", "customer", "c@x.io", {}};
            if (token == "admin-token") return Principal{"usr_2", "admin", "a@x.io", {}};
            return std::nullopt;
        });
    }

    Response call(Method m, std::string target, std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {}) {
        Request req;
        req.method = m;
        req.target = std::move(target);
        req.body = std::move(body);
        req.remote_address = "10.0.0.1";
        for (auto& [k, v] : headers) req.headers.add(k, v);
        return pipeline->handle(req);
    }
};

json::object problem_of(const Response& r) {
    CHECK(r.headers.get("Content-Type") == "application/problem+json");
    return json::parse(r.body).as_object();
}

}  // namespace

TEST_CASE("malformed JSON is a 400 malformed_json problem") {
    Fixture f;
    auto r = f.call(Method::post, "/things", "{not json");
    CHECK(r.status == 400);
    auto p = problem_of(r);
    CHECK(p.at("code").as_string() == "malformed_json");
    CHECK(p.at("status").as_int64() == 400);
    CHECK(p.contains("title"));
    CHECK(p.contains("type"));
}

TEST_CASE("a missing field and a wrong type are one 422 naming both fields") {
    Fixture f;
    auto r = f.call(Method::post, "/things", R"({"count": "three"})");
    CHECK(r.status == 422);
    auto p = problem_of(r);
    CHECK(p.at("code").as_string() == "validation_failed");
    auto& errors = p.at("errors").as_array();
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].at("field").as_string() == "name");
    CHECK(errors[0].at("message").as_string() == "is required");
    CHECK(errors[1].at("field").as_string() == "count");
    CHECK(errors[1].at("message").as_string() == "must be an integer");
}

TEST_CASE("an unknown route is 404 and a wrong method is 405 with Allow") {
    Fixture f;
    auto nf = f.call(Method::get, "/nowhere");
    CHECK(nf.status == 404);
    CHECK(problem_of(nf).at("code").as_string() == "not_found");
    auto na = f.call(Method::delete_, "/things");
    CHECK(na.status == 405);
    CHECK(na.headers.get("Allow") == "POST");
    CHECK(problem_of(na).at("code").as_string() == "method_not_allowed");
}

TEST_CASE("a problem quoting a path that is not UTF-8 is still JSON: U+FFFD in its place (found by fuzz_http)") {
    Fixture f;
    auto nf = f.call(Method::get, "/r%eadyz");
    CHECK(nf.status == 404);
    boost::system::error_code ec;
    auto doc = json::parse(nf.body, ec);  // Boost.JSON refuses malformed UTF-8, as any JSON reader must
    REQUIRE_MESSAGE(!ec, nf.body);
    CHECK(doc.at("instance").as_string() == "/r\xEF\xBF\xBD" "dyz");
    CHECK(doc.at("detail").as_string() == "no route for GET /r\xEF\xBF\xBD" "dyz");
}

TEST_CASE("an unexpected exception is a 500 carrying the request id and no internals") {
    Fixture f;
    auto r = f.call(Method::get, "/boom", "", {{"X-Request-Id", "req-abc-123"}});
    CHECK(r.status == 500);
    auto p = problem_of(r);
    CHECK(p.at("request_id").as_string() == "req-abc-123");
    CHECK(p.at("code").as_string() == "internal_error");
    CHECK(std::string(p.at("detail").as_string()).find("secret") == std::string::npos);
}

TEST_CASE("X-Request-Id is honoured when well-formed, minted otherwise, and always echoed") {
    Fixture f;
    auto given = f.call(Method::get, "/nowhere", "", {{"X-Request-Id", "trace-42"}});
    CHECK(given.headers.get("X-Request-Id") == "trace-42");
    auto bad = f.call(Method::get, "/nowhere", "", {{"X-Request-Id", "evil\nheader"}});
    CHECK(bad.headers.get("X-Request-Id").substr(0, 4) == "req_");
    auto minted = f.call(Method::get, "/nowhere");
    CHECK(minted.headers.get("X-Request-Id").substr(0, 4) == "req_");
}

TEST_CASE("security headers are set on every response") {
    Fixture f;
    auto r = f.call(Method::get, "/nowhere");
    CHECK(r.headers.get("X-Content-Type-Options") == "nosniff");
    CHECK(r.headers.get("X-Frame-Options") == "DENY");
    CHECK_FALSE(r.headers.get("Content-Security-Policy").empty());
}

TEST_CASE("routes needing a user or an admin answer 401 and 403") {
    Fixture f;
    CHECK(f.call(Method::get, "/mine").status == 401);
    CHECK(f.call(Method::get, "/mine", "", {{"Authorization", "Bearer forged"}}).status == 401);
    auto ok = f.call(Method::get, "/mine", "", {{"Authorization", "Bearer customer-token"}});
    CHECK(ok.status == 200);
    CHECK(json::parse(ok.body).at("user").as_string() == "usr_1");
    CHECK(f.call(Method::get, "/admin", "", {{"Authorization", "Bearer customer-token"}}).status == 403);
    CHECK(f.call(Method::get, "/admin", "", {{"Authorization", "Bearer admin-token"}}).status == 200);
    CHECK(f.call(Method::get, "/admin", "", {{"Authorization", "Basic abc"}}).status == 401);
}

TEST_CASE("CORS headers are given only to allowed origins, and preflight is answered") {
    PipelineOptions o;
    o.cors_origins = {"https://shop.example"};
    Fixture f(o);
    auto allowed = f.call(Method::get, "/nowhere", "", {{"Origin", "https://shop.example"}});
    CHECK(allowed.headers.get("Access-Control-Allow-Origin") == "https://shop.example");
    auto other = f.call(Method::get, "/nowhere", "", {{"Origin", "https://evil.example"}});
    CHECK(other.headers.get("Access-Control-Allow-Origin").empty());
    auto pre = f.call(Method::options, "/things", "", {{"Origin", "https://shop.example"}});
    CHECK(pre.status == 204);
    CHECK(pre.headers.get("Access-Control-Allow-Methods").find("POST") != std::string_view::npos);
}

TEST_CASE("the token bucket answers 429 with Retry-After once the burst is spent") {
    PipelineOptions o;
    o.rate_per_second = 1;
    o.rate_burst = 3;
    Fixture f(o);
    for (int i = 0; i < 3; ++i) CHECK(f.call(Method::get, "/nowhere").status == 404);
    auto limited = f.call(Method::get, "/nowhere");
    CHECK(limited.status == 429);
    CHECK(problem_of(limited).at("code").as_string() == "rate_limited");
    CHECK(limited.headers.get("Retry-After") == "1");
}

TEST_CASE("every answer tells the client its rate-limit quota in RateLimit headers") {
    PipelineOptions o;
    o.rate_per_second = 2;
    o.rate_burst = 10;
    Fixture f(o);
    auto first = f.call(Method::get, "/nowhere");
    CHECK(first.headers.get("RateLimit-Limit") == "10");
    CHECK(first.headers.get("RateLimit-Remaining") == "9");
    CHECK(first.headers.get("RateLimit-Reset") == "1");  // one token short, refilled in half a second
    CHECK(first.headers.get("RateLimit-Policy") == "10;w=5");
    for (int i = 0; i < 8; ++i) f.call(Method::get, "/nowhere");
    auto last = f.call(Method::get, "/nowhere");
    CHECK(last.status == 404);
    CHECK(last.headers.get("RateLimit-Remaining") == "0");
    CHECK(last.headers.get("RateLimit-Reset") == "5");
    auto limited = f.call(Method::get, "/nowhere");
    CHECK(limited.status == 429);
    CHECK(limited.headers.get("RateLimit-Remaining") == "0");
    CHECK(f.metrics.render().find("shop_rate_limited_total 1\n") != std::string::npos);
}

TEST_CASE("a trusted proxy block and the RFC 7239 Forwarded header name the client") {
    PipelineOptions o;
    o.rate_per_second = 1;
    o.rate_burst = 1;
    o.trusted_proxies = {*net::Cidr::parse("10.0.0.0/8"), *net::Cidr::parse("fd00::/8")};
    Fixture f(o);
    auto fwd = [&](const std::string& v) { return f.call(Method::get, "/nowhere", {}, {{"Forwarded", v}}).status; };
    CHECK(fwd("for=192.0.2.60;proto=https;by=10.0.0.1") == 404);
    CHECK(fwd("for=192.0.2.60") == 429);                                  // the same client, its bucket spent
    CHECK(fwd(R"(for="[2001:db8:cafe::17]:4711")") == 404);               // IPv6 with a port, quoted
    CHECK(fwd("for=192.0.2.61, for=\"[fd00::5]\", for=10.1.2.3") == 404);  // two trusted hops walked through
    CHECK(fwd("for=192.0.2.61") == 429);
    // Forwarded wins over X-Forwarded-For when both are there.
    CHECK(f.call(Method::get, "/nowhere", {}, {{"Forwarded", "for=192.0.2.61"}, {"X-Forwarded-For", "192.0.2.99"}}).status == 429);
    // An obfuscated or unknown hop stops the walk: the proxy that reported it is the client.
    CHECK(fwd("for=unknown") == 404);
    CHECK(fwd("for=_hidden") == 429);  // both counted against 10.0.0.1, the fixture's peer
}

TEST_CASE("a W3C traceparent becomes the correlation id and is answered with our span") {
    Fixture f;
    std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    auto r = f.call(Method::get, "/nowhere", {}, {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}});
    auto answered = std::string(r.headers.get("traceparent"));
    REQUIRE(answered.size() == 55);
    CHECK(answered.substr(0, 36) == "00-" + trace + "-");
    CHECK(answered.substr(36, 16) != "00f067aa0ba902b7");  // our own span id
    CHECK(answered.substr(52) == "-01");
    // An invalid one is ignored: no traceparent answered, the request id correlates.
    auto bad = f.call(Method::get, "/nowhere", {}, {{"traceparent", "00-" + std::string(32, '0') + "-00f067aa0ba902b7-01"}});
    CHECK(bad.headers.get("traceparent").empty());
}

TEST_CASE("behind a trusted proxy the client is the forwarded address: each client has its own rate limit") {
    PipelineOptions o;
    o.rate_per_second = 1;
    o.rate_burst = 1;
    o.trusted_proxies = {*net::Cidr::parse("10.0.0.1")};  // the fixture's peer
    Fixture f(o);
    auto from = [&](const std::string& xff) { return f.call(Method::get, "/nowhere", {}, {{"X-Forwarded-For", xff}}).status; };
    CHECK(from("203.0.113.7") == 404);
    CHECK(from("203.0.113.8") == 404);               // another client, another bucket
    CHECK(from("198.51.100.1, 203.0.113.7") == 429);  // the right-most hop is the client the proxy saw
    CHECK(from("203.0.113.9, 10.0.0.1") == 404);      // a trusted hop is skipped
    // Without trust, X-Forwarded-For is whatever the client wrote: the peer's address counts.
    Fixture open(PipelineOptions{.rate_per_second = 1, .rate_burst = 1});
    CHECK(open.call(Method::get, "/nowhere", {}, {{"X-Forwarded-For", "203.0.113.1"}}).status == 404);
    CHECK(open.call(Method::get, "/nowhere", {}, {{"X-Forwarded-For", "203.0.113.2"}}).status == 429);
}

TEST_CASE("Idempotency-Key replays the first response and rejects another body") {
    Fixture f;
    auto first = f.call(Method::post, "/things", R"({"name":"a"})", {{"Idempotency-Key", "key-1"}});
    CHECK(first.status == 201);
    auto again = f.call(Method::post, "/things", R"({"name":"a"})", {{"Idempotency-Key", "key-1"}});
    CHECK(again.status == 201);
    CHECK(again.body == first.body);
    CHECK(again.headers.get("Idempotent-Replayed") == "true");
    CHECK(f.calls == 1);  // the handler ran once
    auto other = f.call(Method::post, "/things", R"({"name":"b"})", {{"Idempotency-Key", "key-1"}});
    CHECK(other.status == 422);
    CHECK(problem_of(other).at("code").as_string() == "idempotency_key_reused");
    // Keys are per caller: another user's same key is a new request.
    auto mine = f.call(Method::post, "/things", R"({"name":"a"})", {{"Idempotency-Key", "key-1"}, {"Authorization", "Bearer customer-token"}});
    CHECK(mine.status == 201);
    CHECK(f.calls == 2);
}

TEST_CASE("a rejected request does not burn its Idempotency-Key") {
    Fixture f;
    auto bad = f.call(Method::post, "/things", R"({})", {{"Idempotency-Key", "key-2"}});
    CHECK(bad.status == 422);
    auto fixed = f.call(Method::post, "/things", R"({"name":"ok"})", {{"Idempotency-Key", "key-2"}});
    CHECK(fixed.status == 201);
}

TEST_CASE("metrics count requests by route and status") {
    Fixture f;
    f.call(Method::get, "/nowhere");
    f.call(Method::post, "/things", R"({"name":"a"})");
    auto text = f.metrics.render();
    CHECK(text.find(R"(shop_http_requests_total{method="POST",route="/things",status="201"} 1)") != std::string::npos);
    CHECK(text.find(R"(route="unmatched",status="404")") != std::string::npos);
    CHECK(text.find("shop_http_request_duration_seconds_bucket") != std::string::npos);
}
