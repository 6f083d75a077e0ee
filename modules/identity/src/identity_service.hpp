#pragma once
#include <atomic>
#include <boost/json/object.hpp>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "domain/jwt.hpp"
#include "domain/login_throttle.hpp"
#include "identity/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"

namespace shop::db {
class Database;
class Sql;
class Tx;
}

namespace shop::identity {

struct IssuedTokens {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in = 0;
    std::string device_token;  ///< set when this sign-in made its device known (for the device cookie)
    std::string web_token;     ///< a browser sign-in (Device::web): the session cookie's token
    std::string user_id;       ///< whose tokens these are
};

struct Registration {
    User user;
    IssuedTokens tokens;
};

/// Where a sign-in comes from: recorded on its session.
struct Device {
    std::string user_agent;
    std::string address;             ///< the client address (after trusted proxies)
    std::string known_device_token;  ///< the device cookie, "" when none was sent
    /// A browser signing in for a cookie session: the tokens issued come with a web session token
    /// (IssuedTokens::web_token) bound to the same session.
    bool web = false;
};

/// A user as an admin sees it.
struct AdminUser {
    User user;
    bool disabled = false;
};

struct UserPage {
    std::vector<AdminUser> data;
    std::string next_cursor;  ///< "" on the last page
};

/// A TOTP factor being set up: the secret for the authenticator app, as text and as a URL.
struct TotpSetup {
    std::string secret;       ///< base32
    std::string otpauth_url;  ///< otpauth://totp/... (for a QR code)
};

/// A signed-in device: a refresh-token family.
struct Session {
    std::string id;  ///< rtf_...
    std::string user_agent;
    std::string client_address;
    std::string created_at;
    std::string last_used_at;  ///< the last sign-in or refresh
};

struct SessionPage {
    std::vector<Session> data;
    std::string next_cursor;
};

/// An API key as its owner sees it (never the key itself).
struct ApiKey {
    std::string id;  ///< key_...
    std::string name;
    std::vector<std::string> scopes;
    std::string prefix;        ///< the key's first characters
    std::string created_at;
    std::string last_used_at;  ///< "" when never used
};

/// A key just made: the only time the key itself is known.
struct NewApiKey {
    ApiKey key;
    std::string secret;  ///< the whole key, for `Authorization: Bearer`
};

struct ApiKeyPage {
    std::vector<ApiKey> data;
    std::string next_cursor;
};

/// What an admin changes on a user; absent = unchanged.
struct UserPatch {
    std::optional<std::string> role;
    std::optional<bool> disabled;
};

class IdentityService final : public IdentityApi {
public:
    IdentityService(db::Database& db, Logger& log, const Config& config);

    /// Loads the signing keys (signing_keys.hpp). Needs migrations done.
    void start();

    std::optional<Principal> verify_access_token(std::string_view token) const override;
    std::optional<Principal> verify_web_session(std::string_view token) const override;
    /// How long a browser sign-in lasts (as long as a refresh token).
    std::int64_t web_session_ttl_s() const noexcept { return refresh_ttl_s_; }
    Result<User> find_user(std::string_view user_id) override;
    Result<std::vector<User>> create_users(const Ctx& ctx, const std::vector<NewUser>& users) override;

    Result<Registration> register_user(const Ctx& ctx, std::string_view email, std::string_view password, std::string_view name,
                                       const Device& device);
    /// Signs in with email and password, and `totp` (a code or a recovery code) when 2FA is on.
    Result<IssuedTokens> login(const Ctx& ctx, std::string_view email, std::string_view password, std::string_view totp,
                               const Device& device);
    Result<IssuedTokens> refresh(const Ctx& ctx, std::string_view refresh_token);
    Result<void> logout(const Ctx& ctx, std::string_view refresh_token);
    /// Mails a one-time reset token when an account has this email; says nothing either way.
    void forgot_password(const Ctx& ctx, std::string_view email);
    /// Sets a new password with a reset token (single use, expiring); every session is revoked.
    Result<void> reset_password(const Ctx& ctx, std::string_view token, std::string_view password);
    /// Changes the caller's password (the current one required); every session is revoked and a
    /// new token pair returned for this one.
    Result<IssuedTokens> change_password(const Ctx& ctx, std::string_view current, std::string_view next, const Device& device);
    /// Confirms the email address a verification token was mailed to.
    Result<User> verify_email(const Ctx& ctx, std::string_view token);
    /// Creates the admin or resets its password and role.
    void ensure_admin(std::string_view email, std::string_view password);
    /// Every verifying key, the signing one first: kid and the raw public key, base64url (a JWK's `x`).
    std::vector<std::pair<std::string, std::string>> public_keys() const;
    /// The `iss` of access tokens (auth.issuer).
    const std::string& issuer() const noexcept { return issuer_; }
    /// How long a device that signed in stays known to the login throttle.
    std::int64_t known_device_ttl_s() const noexcept { return known_device_ttl_s_; }
    /// Where clients reach this shop (public_url), the base of the discovery document's URLs.
    const std::string& public_url() const noexcept { return public_url_; }

    // --- roles and admin user management (admin_users.cpp) ---
    /// Users whose email or name holds `q` (case-insensitive; "" = all), newest first, after the
    /// cursor `after` (a user id).
    Result<UserPage> list_users(std::string_view q, std::string_view role, std::string_view after, int limit);
    /// Sets a user's role and/or disables it. Disabling revokes every session of the user, so its
    /// access tokens stop working at once. An admin cannot demote or disable itself (409).
    Result<AdminUser> update_user(const Ctx& ctx, std::string_view user_id, const UserPatch& patch);

    // --- two-factor sign-in (two_factor.cpp) ---
    /// A new TOTP secret for the caller, not in force until enabled; 409 when 2FA is already on.
    Result<TotpSetup> setup_totp(const Ctx& ctx);
    /// Turns 2FA on with a code of the secret from setup; returns the recovery codes (shown once).
    Result<std::vector<std::string>> enable_totp(const Ctx& ctx, std::string_view code);
    /// Turns 2FA off with a current code, a recovery code or the password.
    Result<void> disable_totp(const Ctx& ctx, std::string_view code, std::string_view password);

    // --- sessions by device (sessions.cpp) ---
    /// The caller's sessions that can still refresh, newest first.
    Result<SessionPage> list_sessions(const Ctx& ctx, std::string_view after, int limit);
    /// Ends one of the caller's sessions: its refresh tokens and access tokens stop at once.
    Result<void> revoke_own_session(const Ctx& ctx, std::string_view session_id);

    // --- API keys (api_keys.cpp) ---
    /// The scopes an API key may hold: `<resource>:read|write` for the resources of
    /// api::api_key_scope.
    static const std::vector<std::string>& api_key_scopes();
    /// Makes an API key for the caller with these scopes (each from api_key_scopes()).
    Result<NewApiKey> create_api_key(const Ctx& ctx, std::string_view name, const std::vector<std::string>& scopes);
    /// The caller's API keys, newest first.
    Result<ApiKeyPage> list_api_keys(const Ctx& ctx, std::string_view after, int limit);
    /// Deletes one of the caller's API keys; it stops working at once.
    Result<void> delete_api_key(const Ctx& ctx, std::string_view key_id);

private:
    /// The principal of an API key (its owner's role now, its scopes), or nullopt when unknown,
    /// deleted or its owner disabled. Cached like sessions; records the key's last use.
    std::optional<Principal> verify_api_key(std::string_view key) const;
    struct ApiKeyState {
        std::optional<Principal> principal;  ///< nullopt: not a working key
        std::int64_t checked_ms = 0;
    };
    mutable std::unordered_map<std::string, ApiKeyState> api_key_cache_;  ///< by key hash; under sessions_mu_

    /// The second factor of a sign-in, inside its transaction: passes when 2FA is off, or when
    /// `totp` is a code newer than the last one used, or an unused recovery code (spent here).
    Result<void> check_second_factor(db::Tx& tx, const std::string& user_id, std::string_view totp);

    // --- session checks on the hot path (sessions.cpp) ---
    /// The state of a session as verification needs it.
    struct SessionState {
        bool active = false;  ///< not revoked and its user not disabled
        std::string user_id;
        std::string role;     ///< the user's role now (a role change applies at once)
        std::int64_t checked_ms = 0;
    };
    /// The state of session `sid` for `user_id`: from the cache when checked within
    /// auth.session_check_ms, else read from the database (and cached).
    SessionState session_state(const std::string& sid, const std::string& user_id) const;
    /// Revokes session `family_id` (its refresh tokens and, through the session check, its access
    /// tokens). Call forget_sessions() after the transaction commits.
    static void revoke_session(db::Sql& sql, const std::string& family_id);
    /// Revokes every session of a user.
    static void revoke_user_sessions(db::Sql& sql, const std::string& user_id);
    /// Drops cached session and API key states after a revocation committed, so this instance
    /// refuses revoked credentials from the next request on (other instances within session_check_ms).
    void forget_sessions() const;

    std::int64_t session_check_ms_;
    mutable std::shared_mutex sessions_mu_;
    mutable std::unordered_map<std::string, SessionState> session_cache_;
    // Bumped by every forget_sessions(): a check that read the database before a revocation
    // committed does not cache what it read.
    mutable std::atomic<std::uint64_t> sessions_epoch_{0};

    std::string hash_password(std::string_view password) const;
    bool verify_password(const std::string& hash, std::string_view password) const;
    /// A new token pair in session `family_id` (created when new, else its last use updated).
    IssuedTokens issue_tokens_locked(db::Sql& sql, const User& user, const std::string& family_id, const Device& device);

    db::Database& db_;
    Logger& log_;
    std::int64_t access_ttl_s_;
    std::int64_t refresh_ttl_s_;
    std::string issuer_;
    std::string audience_;
    std::string public_url_;
    unsigned long long ops_limit_;
    std::size_t mem_limit_;
    std::string dummy_hash_;  ///< what an unknown email's password is checked against
    mutable std::shared_mutex keys_mu_;
    domain::SigningKey active_key_;
    // kid -> raw public key of every verifying key, and their order in the key set (JWKS lists
    // them so); set once by start().
    std::map<std::string, std::string> public_keys_;
    std::vector<std::string> key_order_;
    const Config& config_;
    std::int64_t known_device_ttl_s_;
    // Failed sign-ins: growing waits per (account, address or known device), a cap per address.
    domain::LoginThrottle throttle_;
};

}  // namespace shop::identity
