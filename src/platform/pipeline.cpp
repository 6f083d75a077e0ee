#include "platform/pipeline.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>

#include <array>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"
#include "platform/web_session.hpp"

namespace shop::http {
namespace json = boost::json;

// Token buckets per client address, sharded to keep lock contention off the hot path.
struct Pipeline::RateLimiter {
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point last;
    };
    struct Shard {
        std::mutex mu;
        std::unordered_map<std::string, Bucket> buckets;
    };
    std::array<Shard, 16> shards;
    double rate, burst;

    RateLimiter(double r, double b) : rate(r), burst(b) {}

    struct Taken {
        double wait = 0;  ///< 0 when allowed, else seconds until a token is available
        Request::RateQuota quota;
    };
    Taken take(const std::string& key) {
        auto now = std::chrono::steady_clock::now();
        auto& shard = shards[std::hash<std::string>{}(key) % shards.size()];
        std::lock_guard lock(shard.mu);
        if (shard.buckets.size() > 50000) {
            // Forget clients whose bucket has refilled: they are indistinguishable from new ones.
            std::erase_if(shard.buckets, [&](auto& kv) {
                return kv.second.tokens + std::chrono::duration<double>(now - kv.second.last).count() * rate >= burst;
            });
        }
        auto [it, fresh] = shard.buckets.try_emplace(key, Bucket{burst, now});
        auto& b = it->second;
        b.tokens = std::min(burst, b.tokens + std::chrono::duration<double>(now - b.last).count() * rate);
        b.last = now;
        Taken t;
        if (b.tokens >= 1)
            b.tokens -= 1;
        else
            t.wait = (1 - b.tokens) / rate;
        t.quota.limit = static_cast<long>(burst);
        t.quota.remaining = static_cast<long>(std::floor(b.tokens));
        t.quota.reset_s = static_cast<long>(std::ceil((burst - b.tokens) / rate));
        return t;
    }
};

Pipeline::Pipeline(Router& router, Logger& log, Metrics& metrics, db::Database* db, PipelineOptions opts)
    : router_(router), log_(log), metrics_(metrics), db_(db), opts_(std::move(opts)),
      limiter_(std::make_unique<RateLimiter>(opts_.rate_per_second, opts_.rate_burst)) {}

Pipeline::~Pipeline() = default;

namespace {

bool valid_request_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
    return true;
}

// Splits the target into a decoded path and decoded query parameters.
bool parse_target(Request& req) {
    auto r = boost::urls::parse_origin_form(req.target);
    if (!r) return false;
    auto u = *r;
    req.path = u.path();
    if (req.path.empty()) req.path = "/";
    req.query.clear();
    for (auto p : u.params()) req.query.emplace_back(std::string(p.key), std::string(p.value));
    return true;
}

}  // namespace

Response Pipeline::handle(Request& req) noexcept {
    auto t0 = std::chrono::steady_clock::now();
    Response res;
    try {
        auto rid = req.header("X-Request-Id");
        req.request_id = valid_request_id(rid) ? std::string(rid) : new_id("req");
        if (auto tp = net::parse_traceparent(req.header("traceparent"))) {
            req.correlation_id = tp->trace_id;
            // Our span in the caller's trace: 8 random bytes, as trace context asks.
            std::string span = crypto::sha256_hex(crypto::random_token(12)).substr(0, 16);
            req.traceparent = fmt::format("00-{}-{}-{}", tp->trace_id, span, tp->flags);
        }
        res = dispatch(req);
    } catch (const ErrorException& e) {
        res = problem(e.error(), req);
    } catch (const std::exception& e) {
        log_.error("unhandled exception", {{"request_id", req.request_id}, {"path", req.path}, {"error", e.what()}});
        res = problem(Error(errc::internal), req);
    } catch (...) {
        log_.error("unhandled exception", {{"request_id", req.request_id}, {"path", req.path}});
        res = problem(Error(errc::internal), req);
    }
    try {
        finish(req, res);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        metrics_.observe_request(to_string(req.method), req.route.empty() ? "unmatched" : req.route, res.status, secs);
        if (opts_.access_log && log_.enabled(LogLevel::info))
            log_.info("request", {{"request_id", req.request_id},
                                  {"method", to_string(req.method)},
                                  {"path", req.path},
                                  {"route", req.route},
                                  {"status", res.status},
                                  {"duration_us", static_cast<std::int64_t>(secs * 1e6)},
                                  {"bytes", res.body.size()},
                                  {"remote", req.remote_address},
                                  {"user", req.principal ? req.principal->user_id : ""}});
    } catch (...) {
    }
    return res;
}

void Pipeline::finish(Request& req, Response& res) {
    res.headers.set("X-Request-Id", req.request_id);
    if (!req.traceparent.empty()) res.headers.set("traceparent", req.traceparent);
    if (req.rate_quota) {
        res.headers.set("RateLimit-Limit", std::to_string(req.rate_quota->limit));
        res.headers.set("RateLimit-Remaining", std::to_string(req.rate_quota->remaining));
        res.headers.set("RateLimit-Reset", std::to_string(req.rate_quota->reset_s));
        res.headers.set("RateLimit-Policy", fmt::format("{};w={}", req.rate_quota->limit,
                                                        static_cast<long>(std::ceil(opts_.rate_burst / opts_.rate_per_second))));
    }
    res.headers.set("X-Content-Type-Options", "nosniff");
    res.headers.set("X-Frame-Options", "DENY");
    res.headers.set("Referrer-Policy", "no-referrer");
    if (!res.headers.has("Content-Security-Policy"))
        res.headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (!res.headers.has("Cache-Control")) res.headers.set("Cache-Control", "no-store");
    auto origin = req.header("Origin");
    if (!origin.empty()) {
        bool allowed = false;
        for (auto& o : opts_.cors_origins)
            if (o == "*" || o == origin) allowed = true;
        if (allowed) {
            res.headers.set("Access-Control-Allow-Origin", std::string(origin));
            res.headers.set("Vary", "Origin");
            res.headers.set("Access-Control-Expose-Headers",
                            "X-Request-Id, ETag, Retry-After, Idempotent-Replayed, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
                            "RateLimit-Policy, traceparent");
        }
    }
    if (req.method == Method::head) res.body.clear();
}

void Pipeline::resolve_client(Request& req) const {
    if (opts_.trusted_proxies.empty()) return;
    auto chain = net::forwarded_chain(req.header("Forwarded"), req.header("X-Forwarded-For"));
    if (!chain.empty()) req.remote_address = net::client_address(req.remote_address, chain, opts_.trusted_proxies);
}

Response Pipeline::dispatch(Request& req) {
    if (!parse_target(req)) return problem(Error(errc::bad_request, "the request target is not a valid URL path"), req);
    resolve_client(req);

    if (opts_.rate_limit_enabled) {
        auto taken = limiter_->take(req.remote_address);
        req.rate_quota = taken.quota;
        if (taken.wait > 0) {
            metrics_.count_rate_limited();
            auto r = problem(Error(errc::rate_limited, "too many requests from this address; slow down"), req);
            r.headers.set("Retry-After", std::to_string(static_cast<int>(std::ceil(taken.wait))));
            return r;
        }
    }

    auto m = router_.match(req.method, req.path);
    if (req.method == Method::options && m.path_found) {
        // CORS preflight (or a plain OPTIONS): answer with the methods of the path.
        auto all = router_.match(Method::unknown, req.path);
        std::string allow;
        for (auto meth : all.allowed) allow += (allow.empty() ? "" : ", ") + std::string(to_string(meth));
        Response r = Response::no_content();
        r.headers.set("Allow", allow);
        r.headers.set("Access-Control-Allow-Methods", allow);
        r.headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Cart-Token, If-None-Match");
        r.headers.set("Access-Control-Max-Age", "600");
        return r;
    }
    if (!m.path_found)
        return problem(Error(errc::not_found, fmt::format("no route for {} {}", to_string(req.method), req.path)), req);
    if (!m.route) {
        std::string allow;
        for (auto meth : m.allowed) allow += (allow.empty() ? "" : ", ") + std::string(to_string(meth));
        auto r = problem(Error(errc::method_not_allowed,
                               fmt::format("{} is not allowed on {}; allowed: {}", to_string(req.method), req.path, allow)),
                         req);
        r.headers.set("Allow", allow);
        return r;
    }
    const Route& route = *m.route;
    req.route = route.spec.pattern;
    req.params = std::move(m.params);

    auto authz = req.header("Authorization");
    if (!authz.empty() && !route.spec.own_bearer) {
        if (authz.size() < 8 || strncasecmp(authz.data(), "Bearer ", 7) != 0)
            return problem(Error(errc::unauthorized, "the Authorization header must be 'Bearer <token>'"), req);
        auto token = authz.substr(7);
        std::optional<Principal> p = authenticator_ ? authenticator_(token) : std::nullopt;
        if (!p) {
            auto r = problem(Error(errc::unauthorized, "the access token is invalid or expired"), req);
            r.headers.set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return r;
        }
        req.principal = std::move(p);
    } else if (authz.empty() && session_authenticator_) {
        // A browser: the session cookie authenticates, and an unsafe request must carry the
        // session's CSRF token (a page of another origin cannot read it). An unknown or ended
        // session is no session: the request goes on as a guest's.
        std::string token = web_session::cookie(req.header("Cookie"), web_session::kSessionCookie);
        if (!token.empty()) {
            if (auto p = session_authenticator_(token)) {
                if (web_session::unsafe_method(to_string(req.method)) &&
                    !crypto::equal_constant_time(req.header(web_session::kCsrfHeader), web_session::csrf_token(token)))
                    return problem(web_session::csrf_failed("a request signed in by the session cookie must send the session's CSRF "
                                                            "token (the cookie shop_csrf) in the header X-CSRF-Token"),
                                   req);
                req.principal = std::move(p);
            }
        }
    }
    switch (route.spec.access) {
        case Access::anyone: break;
        case Access::user:
            if (!req.principal) return problem(unauthorized("this route needs a bearer access token"), req);
            break;
        case Access::vendor:
            if (!req.principal) return problem(unauthorized("this route needs a bearer access token"), req);
            if (!req.principal->is_vendor() && !req.principal->is_admin())
                return problem(forbidden("this route is for vendors and admins"), req);
            break;
        case Access::admin:
            if (!req.principal) return problem(unauthorized("this route needs a bearer access token"), req);
            if (!req.principal->is_admin()) return problem(forbidden("this route is for admins"), req);
            break;
    }
    if (req.principal && req.principal->by_api_key) {
        // An API key calls exactly the routes of its scopes, and never more than its owner's role
        // allows (the role check above).
        const auto& need = route.spec.scope;
        if (need.empty()) return problem(forbidden("API keys cannot call this route; sign in with a password instead"), req);
        if (std::find(req.principal->scopes.begin(), req.principal->scopes.end(), need) == req.principal->scopes.end())
            return problem(forbidden("this API key lacks the scope " + need), req);
    }
    if (req.method == Method::post && db_ && !route.spec.idempotency_schema.empty() && req.headers.has("Idempotency-Key"))
        return with_idempotency(req, route);
    return route.handler(req);
}

// Same key + same request -> the stored reply again; same key + another request -> 422. The reply
// is recorded by the module's own transaction together with its effect (Tx::reply), so a request
// that failed or was rolled back leaves no trace and may be corrected and retried under the same
// key, and a crash can never leave a key whose effect happened without its reply. Two concurrent
// requests with one key both run up to that transaction; only one commits, and the other is
// answered with its reply.
Response Pipeline::with_idempotency(Request& req, const Route& route) {
    std::string key(req.header("Idempotency-Key"));
    if (key.empty() || key.size() > 255)
        return problem(validation("Idempotency-Key", "must be 1 to 255 characters"), req);
    IdempotencyClaim claim;
    claim.schema = route.spec.idempotency_schema;
    claim.scope = req.principal ? "user:" + req.principal->user_id
                  : req.headers.has("X-Cart-Token") ? "cart:" + crypto::sha256_hex(req.header("X-Cart-Token"))
                                                    : "address:" + req.remote_address;
    claim.key = std::move(key);
    claim.fingerprint = crypto::sha256_hex(fmt::format("{} {}\n{}", to_string(req.method), req.target, req.body));
    auto replay_stored = [&]() -> std::optional<Response> {
        auto stored = db_->stored_reply(claim.schema, claim.scope, claim.key);
        if (!stored) return std::nullopt;
        if (stored->fingerprint != claim.fingerprint)
            return problem(Error(errc::idempotency_key_reused, "this Idempotency-Key was used with a different request; use a new key",
                                 {{"Idempotency-Key", "was used with a different request"}}),
                           req);
        json::value body = json::parse(stored->body);
        Response r = route.spec.replay ? route.spec.replay(req, body) : Response::json(route.spec.success_status, body);
        r.headers.set("Idempotent-Replayed", "true");
        return r;
    };
    if (auto r = replay_stored()) return std::move(*r);
    req.idempotency = &claim;
    Response res;
    try {
        res = route.handler(req);
    } catch (const ErrorException& e) {
        req.idempotency = nullptr;
        // Lost the race to a concurrent request with the same key: answer with its reply.
        if (e.error().ec == make_error_code(errc::conflict))
            if (auto r = replay_stored()) return std::move(*r);
        throw;
    }
    req.idempotency = nullptr;
    if (res.status >= 200 && res.status < 300 && !claim.recorded)
        log_.error("an idempotent route answered without recording its reply", {{"route", route.spec.pattern}});
    return res;
}

}  // namespace shop::http
