#pragma once
// Who is asking and which chain of work a call belongs to. Passed explicitly into every module
// API call and event handler (no ambient globals), so the correlation id of the HTTP request that
// started a checkout travels through every event and handler.
#include <optional>
#include <string>
#include <vector>

namespace shop {

/// An authenticated caller, as established by the token verification hook.
struct Principal {
    std::string user_id;
    std::string role;  ///< "customer", "vendor" or "admin"
    std::string email;
    std::vector<std::string> scopes;
    /// The API key the caller authenticated with; empty for an access token. The audit log names
    /// the key as the actor then.
    std::string api_key_id;
    /// The sign-in session an access token belongs to ("" otherwise).
    std::string session_id;
    /// Authenticated by an API key: only routes whose scope is in `scopes` may be called.
    bool by_api_key = false;

    bool is_admin() const noexcept { return role == "admin"; }
    bool is_vendor() const noexcept { return role == "vendor"; }
};

/// The Idempotency-Key of the request being served, and the schema whose transaction records
/// the request's reply (Tx::reply) in the same transaction as its effect.
struct IdempotencyClaim {
    std::string schema;
    std::string scope;        ///< who may replay it: the user, the guest cart, or the address
    std::string key;
    std::string fingerprint;  ///< hash of method, target and body
    mutable bool recorded = false;
};

/// The context of one unit of work (an HTTP request or one event delivery).
struct Ctx {
    std::string correlation_id;  ///< the request or saga that caused this work
    std::string causation_id;    ///< the request id or event id that directly caused it
    std::optional<Principal> principal;
    const IdempotencyClaim* idempotency = nullptr;  ///< valid while the request is served
    std::string client_address;  ///< the client of the request (behind trusted proxies: the forwarded one); "" for background work

    bool is_admin() const noexcept { return principal && principal->is_admin(); }
    /// The caller's user id, or empty for guests and system work.
    const std::string& user_id() const noexcept {
        static const std::string kNone;
        return principal ? principal->user_id : kNone;
    }
    /// A context for background work not caused by a request.
    static Ctx system(std::string correlation_id) {
        Ctx c;
        c.causation_id = correlation_id;
        c.correlation_id = std::move(correlation_id);
        return c;
    }
};

}  // namespace shop
