#pragma once
// The middleware pipeline as one pure function of the request: request id, W3C trace context,
// client address behind trusted proxies, rate limit (with RateLimit-* headers), CORS,
// routing (404/405), authentication and role checks, Idempotency-Key replay, problem mapping of
// every error, security headers, metrics and the access log.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/http.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/net.hpp"

namespace shop::db {
class Database;
}

namespace shop::http {

struct PipelineOptions {
    std::vector<std::string> cors_origins;  ///< exact origins allowed; "*" allows any
    bool rate_limit_enabled = true;
    double rate_per_second = 50;  ///< sustained requests per client address
    double rate_burst = 100;      ///< bucket size
    bool access_log = true;
    /// Peers (CIDR blocks) whose `Forwarded` / `X-Forwarded-For` is believed (a reverse proxy in
    /// front, e.g. nginx on 127.0.0.1): the client address, for rate limits, guest idempotency
    /// scopes, audit entries and the access log, is then the right-most forwarded address that is
    /// not itself a trusted proxy.
    std::vector<net::Cidr> trusted_proxies;
};

/// Verifies a bearer credential (JWT or API key); nullopt when invalid or expired.
using Authenticator = std::function<std::optional<Principal>(std::string_view credential)>;

class Pipeline {
public:
    /// `db` holds the replies recorded for Idempotency-Keys (in each module's schema); may be null
    /// to disable replay.
    Pipeline(Router& router, Logger& log, Metrics& metrics, db::Database* db, PipelineOptions opts);
    ~Pipeline();

    /// Installed by the module that owns credentials (identity).
    void set_authenticator(Authenticator a) { authenticator_ = std::move(a); }
    /// Verifies a browser's session cookie (see platform/web_session.hpp); installed by identity.
    void set_session_authenticator(Authenticator a) { session_authenticator_ = std::move(a); }

    /// Handles one request completely; never throws.
    Response handle(Request& req) noexcept;

private:
    Response dispatch(Request& req);
    /// Replaces the peer address with the client's when the peer is a trusted proxy.
    void resolve_client(Request& req) const;
    Response with_idempotency(Request& req, const Route& route);
    void finish(Request& req, Response& res);

    Router& router_;
    Logger& log_;
    Metrics& metrics_;
    db::Database* db_;
    PipelineOptions opts_;
    Authenticator authenticator_;
    Authenticator session_authenticator_;
    struct RateLimiter;
    std::unique_ptr<RateLimiter> limiter_;
};

}  // namespace shop::http
