#include "identity_service.hpp"

#include <sodium.h>

#include <algorithm>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "domain/credentials.hpp"
#include "identity/errors.hpp"
#include "identity/events.hpp"
#include "platform/audit.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/json_input.hpp"
#include "signing_keys.hpp"

namespace shop::identity {
namespace json = boost::json;

namespace {

User user_from_row(const db::Row& r) { return {r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), false}; }
constexpr std::int64_t kResetValidMs = 60 * 60 * 1000;                  // a reset link lives an hour
constexpr std::int64_t kVerificationValidMs = 7LL * 24 * 60 * 60 * 1000;  // a verification link a week

/// Mints a one-time token for `purpose`, keeping only its hash.
std::string mint_token(db::Sql& sql, const std::string& user_id, const char* purpose, std::int64_t valid_ms) {
    std::string token = crypto::random_token(32);
    sql.exec("INSERT INTO identity.one_time_tokens (token_hash, user_id, purpose, expires_ms, created_at) VALUES (?, ?, ?, ?, ?)",
             crypto::sha256_hex(token), user_id, purpose, now_ms() + valid_ms, now_iso8601());
    return token;
}

/// Spends a one-time token: the user it belongs to, or nothing when it is unknown, used, expired
/// or for another purpose. The token row is written first, so two concurrent uses conflict.
std::optional<std::string> spend_token(db::Sql& sql, std::string_view token, const char* purpose) {
    std::string hash = crypto::sha256_hex(token);
    if (sql.exec("UPDATE identity.one_time_tokens SET used = 1 WHERE token_hash = ? AND purpose = ? AND used = 0 AND expires_ms > ?", hash,
                 purpose, now_ms()) == 0)
        return std::nullopt;
    auto row = sql.one("SELECT user_id FROM identity.one_time_tokens WHERE token_hash = ?", hash);
    return row ? std::optional<std::string>(row->str(0)) : std::nullopt;
}
}  // namespace

IdentityService::IdentityService(db::Database& db, Logger& log, const Config& config)
    : session_check_ms_(config.get_int("auth.session_check_ms")), db_(db), log_(log), access_ttl_s_(config.get_int("auth.access_ttl_s")),
      refresh_ttl_s_(config.get_int("auth.refresh_ttl_s")), issuer_(config.get_string("auth.issuer")),
      audience_(config.get_string("auth.audience")), public_url_(config.get_string("public_url")),
      config_(config), known_device_ttl_s_(config.get_int("auth.known_device_ttl_s")),
      throttle_(domain::ThrottlePolicy{static_cast<int>(config.get_int("auth.login_throttle.free_failures")),
                                       config.get_int("auth.login_throttle.max_delay_s"), config.get_int("auth.login_throttle.reset_after_s"),
                                       static_cast<int>(config.get_int("auth.login_throttle.address_failures")),
                                       config.get_int("auth.login_throttle.address_window_s")}) {
    if (session_check_ms_ < 0) throw std::runtime_error("auth.session_check_ms must not be negative");
    if (issuer_.empty()) throw std::runtime_error("auth.issuer must not be empty");
    if (audience_.empty()) throw std::runtime_error("auth.audience must not be empty");
    auto cost = config.get_string("auth.password_cost");
    if (cost == "interactive") {
        ops_limit_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        mem_limit_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    } else if (cost == "moderate") {
        ops_limit_ = crypto_pwhash_OPSLIMIT_MODERATE;
        mem_limit_ = crypto_pwhash_MEMLIMIT_MODERATE;
    } else if (cost == "sensitive") {
        ops_limit_ = crypto_pwhash_OPSLIMIT_SENSITIVE;
        mem_limit_ = crypto_pwhash_MEMLIMIT_SENSITIVE;
    } else if (cost == "minimum") {
        ops_limit_ = crypto_pwhash_OPSLIMIT_MIN;
        mem_limit_ = crypto_pwhash_MEMLIMIT_MIN;
    } else {
        throw std::runtime_error("auth.password_cost must be interactive, moderate, sensitive or minimum");
    }
    // Explicit argon2id parameters override the preset's.
    if (auto ops = config.get_int("auth.argon2id.ops_limit"); ops > 0) {
        if (ops < static_cast<std::int64_t>(crypto_pwhash_OPSLIMIT_MIN)) throw std::runtime_error("auth.argon2id.ops_limit is below argon2id's minimum of 1");
        ops_limit_ = static_cast<unsigned long long>(ops);
    }
    if (auto kib = config.get_int("auth.argon2id.mem_limit_kib"); kib > 0) {
        if (kib * 1024 < static_cast<std::int64_t>(crypto_pwhash_MEMLIMIT_MIN)) throw std::runtime_error("auth.argon2id.mem_limit_kib is below 8");
        mem_limit_ = static_cast<std::size_t>(kib) * 1024;
    }
    if (access_ttl_s_ <= 0 || refresh_ttl_s_ <= 0 || known_device_ttl_s_ <= 0)
        throw std::runtime_error("auth.access_ttl_s, auth.refresh_ttl_s and auth.known_device_ttl_s must be positive");
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    dummy_hash_ = hash_password("not-a-real-password-0");
}

void IdentityService::start() {
    auto loaded = load_signing_keys(config_, db_, log_);
    std::unique_lock lock(keys_mu_);
    public_keys_.clear();
    key_order_.clear();
    for (auto& k : loaded.keys) {
        public_keys_[k.kid] = k.public_key;
        key_order_.push_back(k.kid);
    }
    active_key_ = std::move(loaded.keys.front());
    log_.info("token signing keys loaded", {{"source", loaded.source}, {"signing_kid", active_key_.kid},
                                            {"verifying_keys", static_cast<std::int64_t>(key_order_.size())}});
}

std::string IdentityService::hash_password(std::string_view password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit_, mem_limit_, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("argon2id hashing ran out of memory");
    return out;
}

bool IdentityService::verify_password(const std::string& hash, std::string_view password) const {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::optional<Principal> IdentityService::verify_access_token(std::string_view token) const {
    if (token.starts_with(kApiKeyPrefix)) return verify_api_key(token);
    auto kid = domain::jwt_kid(token);
    if (!kid) return std::nullopt;
    std::string pk;
    auto known = [&] {
        std::shared_lock lock(keys_mu_);
        auto it = public_keys_.find(*kid);
        if (it == public_keys_.end()) return false;
        pk = it->second;
        return true;
    };
    if (!known()) return std::nullopt;
    auto claims = domain::verify_jwt(token, pk, now_ms() / 1000);
    if (!claims) return std::nullopt;
    auto str = [&](std::string_view k) -> std::string {
        auto* v = claims->if_contains(k);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    if (str("iss") != issuer_ || str("sub").empty()) return std::nullopt;
    // RFC 9068 §4: the audience must name this resource server (a string, or an array holding it).
    const json::value* aud = claims->if_contains("aud");
    bool for_us = aud && ((aud->is_string() && aud->as_string() == audience_) ||
                          (aud->is_array() && std::ranges::any_of(aud->as_array(), [&](const json::value& a) {
                               return a.is_string() && a.as_string() == audience_;
                           })));
    if (!for_us) return std::nullopt;
    // The signature says who; the session says whether that still holds (not signed out, not
    // disabled) and with which role.
    std::string sid = str("sid");
    if (sid.empty()) return std::nullopt;
    auto state = session_state(sid, str("sub"));
    if (!state.active) return std::nullopt;
    Principal p;
    p.user_id = str("sub");
    p.role = std::move(state.role);
    p.email = str("email");
    p.session_id = std::move(sid);
    return p;
}

std::optional<Principal> IdentityService::verify_web_session(std::string_view token) const {
    auto row = db_.read([&](db::Reader& r) {
        return r.one("SELECT w.session_id, w.user_id, u.email FROM identity.web_sessions w JOIN identity.users u ON u.id = w.user_id "
                     "WHERE w.token_hash = ? AND w.expires_ms > ?",
                     crypto::sha256_hex(token), now_ms());
    });
    if (!row) return std::nullopt;
    auto state = session_state(row->str(0), row->str(1));
    if (!state.active) return std::nullopt;
    Principal p;
    p.user_id = row->str(1);
    p.role = std::move(state.role);
    p.email = row->str(2);
    p.session_id = row->str(0);
    return p;
}

Result<User> IdentityService::find_user(std::string_view user_id) {
    std::string id(user_id);
    auto row = db_.read(
        [&](db::Reader& r) {
            return r.one("SELECT id, email, name, role, created_at, email_verified, locale, marketing_consent, marketing_consent_at "
                         "FROM identity.users WHERE id = ?",
                         id);
        });
    if (!row) return not_found("no user " + id);
    auto u = user_from_row(*row);
    u.email_verified = row->boolean(5);
    u.locale = row->str(6);
    u.marketing_consent = row->boolean(7);
    u.marketing_consent_at = row->str(8);
    return u;
}

Result<std::vector<User>> IdentityService::create_users(const Ctx& ctx, const std::vector<NewUser>& users) {
    std::vector<FieldError> errors;
    std::vector<User> out;
    std::map<std::string, std::string> hashes;  // password -> its hash
    for (std::size_t i = 0; i < users.size(); ++i) {
        auto& in = users[i];
        auto email = domain::normalize_email(in.email);
        if (!email) errors.push_back({fmt::format("users[{}].email", i), "is not a valid email address"});
        if (in.password.size() < 8) errors.push_back({fmt::format("users[{}].password", i), "must be at least 8 characters"});
        if (in.role != "customer" && in.role != "vendor" && in.role != "admin")
            errors.push_back({fmt::format("users[{}].role", i), "must be customer, vendor or admin"});
        if (!errors.empty()) continue;
        if (!hashes.count(in.password)) hashes[in.password] = hash_password(in.password);  // outside the write lock
        out.push_back({new_id("usr"), *email, in.name, in.role, now_iso8601(), true});
    }
    if (!errors.empty()) return Error(shop::errc::validation_failed, "the users have invalid fields", std::move(errors));
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<std::vector<User>> {
        std::vector<User> created;
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (tx.count("SELECT COUNT(*) FROM identity.users WHERE email = ?", out[i].email)) continue;
            tx.exec("INSERT INTO identity.users (id, email, name, password_hash, role, created_at, updated_at, email_verified) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                    out[i].id, out[i].email, out[i].name, hashes.at(users[i].password), out[i].role, out[i].created_at, out[i].created_at);
            created.push_back(out[i]);
        }
        return created;
    });
}


IssuedTokens IdentityService::issue_tokens_locked(db::Sql& sql, const User& user, const std::string& family_id, const Device& device) {
    std::int64_t now_s = now_ms() / 1000;
    // RFC 9068 §2.2: iss, exp, aud, sub, iat, jti; nbf for resource servers that check it.
    json::object claims{{"iss", issuer_},     {"aud", audience_}, {"sub", user.id},
                        {"role", user.role},  {"email", user.email}, {"iat", now_s},
                        {"nbf", now_s},       {"exp", now_s + access_ttl_s_}, {"jti", crypto::random_token(12)},
                        {"sid", family_id}};
    IssuedTokens t;
    {
        std::shared_lock lock(keys_mu_);
        t.access_token = domain::sign_jwt(active_key_, claims);
    }
    t.refresh_token = crypto::random_token(32);
    t.expires_in = access_ttl_s_;
    t.user_id = user.id;
    sql.exec("INSERT INTO identity.refresh_tokens (id, user_id, family_id, token_hash, expires_ms, user_agent, created_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?)",
             new_id("rtk"), user.id, family_id, crypto::sha256_hex(t.refresh_token), now_ms() + refresh_ttl_s_ * 1000,
             device.user_agent.substr(0, 200), now_iso8601());
    std::string at = now_iso8601();
    sql.exec("INSERT INTO identity.sessions (id, user_id, user_agent, client_address, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (id) DO UPDATE SET last_used_at = excluded.last_used_at",
             family_id, user.id, device.user_agent.substr(0, 200), device.address.substr(0, 64), at, at);
    if (device.web) {
        t.web_token = crypto::random_token(32);
        sql.exec("INSERT INTO identity.web_sessions (token_hash, session_id, user_id, created_at, expires_ms) VALUES (?, ?, ?, ?, ?)",
                 crypto::sha256_hex(t.web_token), family_id, user.id, at, now_ms() + refresh_ttl_s_ * 1000);
    }
    return t;
}

Result<Registration> IdentityService::register_user(const Ctx& ctx, std::string_view email_in, std::string_view password,
                                                    std::string_view name, const Device& device) {
    std::vector<FieldError> errors;
    auto email = domain::normalize_email(email_in);
    if (!email) errors.push_back({"email", "is not a valid email address"});
    if (auto weak = domain::password_weakness(password, email.value_or(""))) errors.push_back({"password", *weak});
    if (name.empty() || name.size() > 200) errors.push_back({"name", "must be 1 to 200 characters"});
    if (!errors.empty()) return validation_error(std::move(errors));

    std::string hash = hash_password(password);  // slow on purpose: outside the write lock
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<Registration> {
        if (tx.count("SELECT COUNT(*) FROM identity.users WHERE email = ?", *email)) return Error(errc::conflict, "an account with this email already exists", {{"email", "is already registered"}});
        User u{new_id("usr"), *email, std::string(name), "customer", now_iso8601()};
        tx.exec("INSERT INTO identity.users (id, email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                u.id, u.email, u.name, hash, u.role, u.created_at, u.created_at);
        tx.publish(events::UserRegistered{u.id, u.email, u.name});
        tx.publish(events::EmailVerificationRequested{u.id, u.email, u.name, mint_token(tx, u.id, "email_verification", kVerificationValidMs)});
        auto tokens = issue_tokens_locked(tx, u, new_id("rtf"), device);
        return Registration{u, tokens};
    });
}

Result<IssuedTokens> IdentityService::login(const Ctx& ctx, std::string_view email_in, std::string_view password, std::string_view totp,
                                            const Device& device) {
    auto email = domain::normalize_email(email_in).value_or(std::string(email_in));
    std::optional<User> user;
    std::string hash;
    bool disabled = false;
    if (auto row = db_.read([&](db::Reader& r) {
            return r.one("SELECT id, email, name, role, created_at, password_hash, disabled FROM identity.users WHERE email = ?", email);
        })) {
        user = user_from_row(*row);
        hash = row->str(5);
        disabled = row->boolean(6);
    }
    // A device that signed in to this account before is throttled on its own, apart from the
    // address it shares with whoever else is guessing.
    bool known = false;
    if (user && !device.known_device_token.empty()) {
        known = db_.read([&](db::Reader& r) {
            return r.count("SELECT COUNT(*) FROM identity.known_devices WHERE token_hash = ? AND user_id = ? AND expires_ms > ?",
                           crypto::sha256_hex(device.known_device_token), user->id, now_ms());
        }) > 0;
    }
    std::string where = known ? "device:" + crypto::sha256_hex(device.known_device_token) : device.address;
    if (std::int64_t wait = throttle_.wait_s(email, where, known, now_ms()); wait > 0) {
        Error e(errc::rate_limited, "too many failed sign-ins; try again in " + std::to_string(wait) + " s");
        e.retry_after_s = wait;
        return e;
    }
    // Verify against a dummy hash of this instance's cost when the user does not exist, so timing
    // does not reveal accounts.
    bool ok = verify_password(user ? hash : dummy_hash_, password) && user && !disabled;
    if (!ok) {
        const char* reason = !user ? "unknown_account" : disabled ? "account_disabled" : "wrong_password";
        audit::record(db_, "identity", ctx, audit::actor_of(ctx), "identity.login.failed", user ? user->id : "",
                      {{"email", email}, {"reason", reason}, {"user_agent", device.user_agent.substr(0, 200)}});
        throttle_.failed(email, where, device.address, known, now_ms());
        return Error(errc::unauthorized, "the email or password is wrong");
    }
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<IssuedTokens> {
        if (auto second = check_second_factor(tx, user->id, totp); !second) return second.error();
        audit::record(tx, audit::Actor::user(user->id), "identity.login.succeeded", user->id,
                      {{"user_agent", device.user_agent.substr(0, 200)}});
        auto tokens = issue_tokens_locked(tx, *user, new_id("rtf"), device);
        if (!known) {
            tokens.device_token = crypto::random_token(32);
            tx.exec("INSERT INTO identity.known_devices (token_hash, user_id, created_at, expires_ms) VALUES (?, ?, ?, ?)",
                    crypto::sha256_hex(tokens.device_token), user->id, now_iso8601(), now_ms() + known_device_ttl_s_ * 1000);
        }
        return tokens;
    });
    // A missing second factor is a question, not a guess; a wrong one counts like a wrong password.
    if (!r && r.error().ec == make_error_code(login_errc::totp_invalid)) throttle_.failed(email, where, device.address, known, now_ms());
    if (r) throttle_.succeeded(email, where);
    return r;
}

Result<IssuedTokens> IdentityService::refresh(const Ctx& ctx, std::string_view refresh_token) {
    std::string hash = crypto::sha256_hex(refresh_token);
    bool reuse = false;
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<IssuedTokens> {
        auto token = tx.one("SELECT id, user_id, family_id, expires_ms, used, revoked FROM identity.refresh_tokens WHERE token_hash = ?", hash);
        if (!token) return Error(errc::unauthorized, "the refresh token is not valid");
        std::string id = token->str(0), user_id = token->str(1), family = token->str(2);
        std::int64_t expires = token->i64(3);
        bool used = token->boolean(4), revoked = token->boolean(5);
        if (used || revoked) {
            reuse = used && !revoked;
            return Error(errc::unauthorized, "the refresh token was already used or revoked");
        }
        if (expires <= now_ms()) return Error(errc::unauthorized, "the refresh token has expired");
        if (tx.count("SELECT COUNT(*) FROM identity.sessions WHERE id = ? AND revoked = 0", family) == 0)
            return Error(errc::unauthorized, "the session was signed out");
        auto user = tx.one("SELECT id, email, name, role, created_at FROM identity.users WHERE id = ? AND disabled = 0", user_id);
        if (!user) return Error(errc::unauthorized, "the account is disabled");
        tx.exec("UPDATE identity.refresh_tokens SET used = 1 WHERE id = ?", id);
        return issue_tokens_locked(tx, user_from_row(*user), family, Device{});
    });
    if (reuse) {
        // A rotated token came back: someone holds a stolen copy. Revoke the whole family.
        db_.write("identity", ctx, [&](db::Tx& tx) {
            if (auto t = tx.one("SELECT family_id FROM identity.refresh_tokens WHERE token_hash = ?", hash)) revoke_session(tx, t->str(0));
        });
        forget_sessions();
        log_.warn("refresh token reuse detected; token family revoked", {{"correlation_id", ctx.correlation_id}});
    }
    return r;
}

Result<void> IdentityService::logout(const Ctx& ctx, std::string_view refresh_token) {
    std::string hash = crypto::sha256_hex(refresh_token);
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        auto owner = tx.one("SELECT user_id, family_id FROM identity.refresh_tokens WHERE token_hash = ?", hash);
        if (!owner || owner->str(0) != ctx.user_id()) return not_found("no such refresh token for this user");
        revoke_session(tx, owner->str(1));
        return {};
    });
    forget_sessions();
    return r;
}

void IdentityService::forgot_password(const Ctx& ctx, std::string_view email_in) {
    auto email = domain::normalize_email(email_in);
    if (!email) return;
    db_.write("identity", ctx, [&](db::Tx& tx) {
        auto u = tx.one("SELECT id, name FROM identity.users WHERE email = ? AND disabled = 0", *email);
        if (!u) return;  // nothing to say: the reply is the same, so it does not reveal accounts
        audit::record(tx, "identity.password.reset_requested", u->str(0));
        tx.publish(events::PasswordResetRequested{u->str(0), *email, u->str(1), mint_token(tx, u->str(0), "password_reset", kResetValidMs),
                                                  kResetValidMs / 60000});
    });
}

Result<void> IdentityService::reset_password(const Ctx& ctx, std::string_view token, std::string_view password) {
    // Whose token it is decides the weakness rule (not the email), so read it before hashing.
    auto owner = db_.read([&](db::Reader& r) {
        return r.one("SELECT u.email FROM identity.one_time_tokens t JOIN identity.users u ON u.id = t.user_id "
                     "WHERE t.token_hash = ? AND t.purpose = 'password_reset' AND t.used = 0 AND t.expires_ms > ?",
                     crypto::sha256_hex(token), now_ms());
    });
    if (!owner) return validation("token", "is not valid: it is unknown, used or expired; ask for a new one");
    if (auto weak = domain::password_weakness(password, owner->str(0))) return validation("password", *weak);
    std::string hash = hash_password(password);  // slow on purpose: outside the transaction
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        auto user_id = spend_token(tx, token, "password_reset");
        if (!user_id) return validation("token", "is not valid: it is unknown, used or expired; ask for a new one");
        auto u = tx.one("SELECT email, name FROM identity.users WHERE id = ?", *user_id);
        tx.exec("UPDATE identity.users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now_iso8601(), *user_id);
        revoke_user_sessions(tx, *user_id);
        // Other reset links of this account stop working too.
        tx.exec("UPDATE identity.one_time_tokens SET used = 1 WHERE user_id = ? AND purpose = 'password_reset'", *user_id);
        // The holder of the mailed link acts as the account's owner.
        audit::record(tx, audit::Actor::user(*user_id), "identity.password.reset", *user_id);
        tx.publish(events::PasswordChanged{*user_id, u->str(0), u->str(1)});
        return {};
    });
    forget_sessions();
    return r;
}

Result<IssuedTokens> IdentityService::change_password(const Ctx& ctx, std::string_view current, std::string_view next,
                                                      const Device& device) {
    auto row = db_.read([&](db::Reader& r) {
        return r.one("SELECT id, email, name, role, created_at, password_hash FROM identity.users WHERE id = ? AND disabled = 0", ctx.user_id());
    });
    if (!row) return Error(errc::unauthorized, "the account is disabled");
    auto user = user_from_row(*row);
    if (!verify_password(row->str(5), current)) return validation("current_password", "is not your current password");
    if (next == current) return validation("new_password", "is the current password");
    if (auto weak = domain::password_weakness(next, user.email)) return validation("new_password", *weak);
    std::string hash = hash_password(next);
    auto r = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<IssuedTokens> {
        tx.exec("UPDATE identity.users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now_iso8601(), user.id);
        revoke_user_sessions(tx, user.id);
        tx.publish(events::PasswordChanged{user.id, user.email, user.name});
        audit::record(tx, "identity.password.changed", user.id);
        return issue_tokens_locked(tx, user, new_id("rtf"), device);
    });
    forget_sessions();
    return r;
}

Result<User> IdentityService::verify_email(const Ctx& ctx, std::string_view token) {
    auto verified = db_.write("identity", ctx, [&](db::Tx& tx) -> Result<std::string> {
        auto user_id = spend_token(tx, token, "email_verification");
        if (!user_id) return validation("token", "is not valid: it is unknown, used or expired");
        tx.exec("UPDATE identity.users SET email_verified = 1, updated_at = ? WHERE id = ?", now_iso8601(), *user_id);
        audit::record(tx, audit::Actor::user(*user_id), "identity.email.verified", *user_id);
        return *user_id;
    });
    if (!verified) return verified.error();
    return find_user(*verified);
}

void IdentityService::ensure_admin(std::string_view email_in, std::string_view password) {
    auto email = domain::normalize_email(email_in);
    if (!email) throw std::runtime_error("admin.email (SHOP_ADMIN_EMAIL) is not a valid email address");
    if (password.size() < 10) throw std::runtime_error("admin.password (SHOP_ADMIN_PASSWORD) must be at least 10 characters");
    std::string hash = hash_password(password);
    Ctx ctx = Ctx::system("identity.ensure_admin");
    db_.write("identity", ctx, [&](db::Tx& tx) {
        std::string at = now_iso8601();
        // One statement, so instances starting together on one database do not race to insert.
        tx.exec("INSERT INTO identity.users (id, email, name, password_hash, role, created_at, updated_at) "
                "VALUES (?, ?, 'Administrator', ?, 'admin', ?, ?) "
                "ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, role = 'admin', disabled = 0, "
                "updated_at = excluded.updated_at",
                new_id("usr"), *email, hash, at, at);
    });
    log_.info("admin account ensured", {{"email", *email}});
}

std::vector<std::pair<std::string, std::string>> IdentityService::public_keys() const {
    std::vector<std::pair<std::string, std::string>> out;
    std::shared_lock lock(keys_mu_);
    for (auto& kid : key_order_) out.emplace_back(kid, crypto::base64url_encode(public_keys_.at(kid)));
    return out;
}

}  // namespace shop::identity
