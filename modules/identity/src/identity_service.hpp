#pragma once
#include <atomic>
#include <boost/json/object.hpp>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "domain/jwt.hpp"
#include "identity/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"

namespace shop::db {
class Database;
class Sql;
}

namespace shop::identity {

struct IssuedTokens {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in = 0;
};

struct Registration {
    User user;
    IssuedTokens tokens;
};

class IdentityService final : public IdentityApi {
public:
    IdentityService(db::Database& db, Logger& log, const Config& config);

    /// Loads (or creates) the signing key and ensures the bootstrap admin. Needs migrations done.
    void start();

    std::optional<Principal> verify_access_token(std::string_view token) const override;
    Result<User> find_user(std::string_view user_id) override;
    Result<std::vector<User>> create_users(const Ctx& ctx, const std::vector<NewUser>& users) override;

    Result<Registration> register_user(const Ctx& ctx, std::string_view email, std::string_view password, std::string_view name);
    Result<IssuedTokens> login(const Ctx& ctx, std::string_view email, std::string_view password, std::string_view user_agent);
    Result<IssuedTokens> refresh(const Ctx& ctx, std::string_view refresh_token);
    Result<void> logout(const Ctx& ctx, std::string_view refresh_token);
    /// Mails a one-time reset token when an account has this email; says nothing either way.
    void forgot_password(const Ctx& ctx, std::string_view email);
    /// Sets a new password with a reset token (single use, expiring); every session is revoked.
    Result<void> reset_password(const Ctx& ctx, std::string_view token, std::string_view password);
    /// Changes the caller's password (the current one required); every session is revoked and a
    /// new token pair returned for this one.
    Result<IssuedTokens> change_password(const Ctx& ctx, std::string_view current, std::string_view next, std::string_view user_agent);
    /// Confirms the email address a verification token was mailed to.
    Result<User> verify_email(const Ctx& ctx, std::string_view token);
    /// Creates the admin or resets its password and role.
    void ensure_admin(std::string_view email, std::string_view password);
    /// {"keys": [...]} with every active public key.
    /// The active public signing keys: kid -> the raw key, base64url (a JWK's `x`).
    std::vector<std::pair<std::string, std::string>> public_keys() const;

private:
    std::string hash_password(std::string_view password) const;
    bool verify_password(const std::string& hash, std::string_view password) const;
    IssuedTokens issue_tokens_locked(db::Sql& sql, const User& user, const std::string& family_id, std::string_view user_agent);

    db::Database& db_;
    Logger& log_;
    std::int64_t access_ttl_s_;
    std::int64_t refresh_ttl_s_;
    std::string issuer_;
    unsigned long long ops_limit_;
    std::size_t mem_limit_;
    mutable std::shared_mutex keys_mu_;
    domain::SigningKey active_key_;
    // kid -> raw public key of every active key; reloaded when a token names a kid not yet known
    // (another instance sharing the database made it), at most once a second.
    mutable std::map<std::string, std::string> public_keys_;
    mutable std::atomic<std::int64_t> keys_loaded_ms_{0};
    /// Reads the active public keys again; returns whether `kid` is among them now.
    bool reload_public_keys(const std::string& kid) const;
    void load_or_create_signing_key(const Ctx& ctx);
    // Failed logins per email in the current window: the 429 on guessing.
    std::mutex failures_mu_;
    std::map<std::string, std::pair<int, std::int64_t>> failures_;
};

}  // namespace shop::identity
