// Two-factor sign-in with TOTP (RFC 6238) and single-use recovery codes.
#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "platform/audit.hpp"
#include "domain/totp.hpp"
#include "identity/errors.hpp"
#include "identity_service.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"

namespace shop::identity {

namespace {

class LoginCategory final : public ErrorCategory {
public:
    const char* name() const noexcept override { return "identity.login"; }
    int http_status(int) const noexcept override { return 401; }
    std::string_view problem_code(int ev) const noexcept override {
        switch (static_cast<login_errc>(ev)) {
            case login_errc::totp_required: return "totp_required";
            case login_errc::totp_invalid: return "totp_invalid";
        }
        return "internal_error";
    }
};

constexpr int kRecoveryCodes = 10;
constexpr std::size_t kSecretBytes = 20;  // 160 bits, as RFC 4226 recommends for HMAC-SHA-1

/// A recovery code as typed, reduced to what identifies it: lower-case, no dashes or spaces.
std::string normalized_recovery_code(std::string_view code) {
    std::string out;
    for (char c : code)
        if (c != '-' && c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string recovery_code_hash(const std::string& user_id, std::string_view code) {
    return crypto::sha256_hex(user_id + ":" + normalized_recovery_code(code));
}

/// A recovery code: 80 random bits as four groups of four base32 letters.
std::string new_recovery_code() {
    std::string raw(10, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string b32 = domain::base32_encode(raw);  // 16 characters
    std::transform(b32.begin(), b32.end(), b32.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return b32.substr(0, 4) + "-" + b32.substr(4, 4) + "-" + b32.substr(8, 4) + "-" + b32.substr(12, 4);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// A TOTP code of `secret` newer than `last_step`: its step, else nullopt.
std::optional<std::int64_t> fresh_step(const std::string& base32_secret, std::string_view code, std::int64_t last_step) {
    auto key = domain::base32_decode(base32_secret);
    if (!key) throw std::runtime_error("identity.totp_factors holds a malformed secret");
    auto step = domain::totp_match(*key, code, now_ms() / 1000);
    if (!step || *step <= last_step) return std::nullopt;  // a code is good once (RFC 6238 §5.2)
    return step;
}

/// Spends `code` as a TOTP code or a recovery code of `user_id`; whether it was one.
bool spend_second_factor(db::Sql& sql, const std::string& user_id, const std::string& secret, std::int64_t last_step,
                         std::string_view code) {
    if (all_digits(code)) {
        auto step = fresh_step(secret, code, last_step);
        if (!step) return false;
        // Conditional on the step read, so two sign-ins racing with one code cannot both pass.
        return sql.exec("UPDATE identity.totp_factors SET last_step = ? WHERE user_id = ? AND last_step < ?", *step, user_id, *step) == 1;
    }
    return sql.exec("UPDATE identity.recovery_codes SET used = 1 WHERE code_hash = ? AND user_id = ? AND used = 0",
                    recovery_code_hash(user_id, code), user_id) == 1;
}

}  // namespace

const ErrorCategory& login_category() noexcept {
    static const LoginCategory kCategory;
    return kCategory;
}

Result<TotpSetup> IdentityService::setup_totp(const Ctx& ctx) {
    std::string raw(kSecretBytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string secret = domain::base32_encode(raw);
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<TotpSetup> {
        auto user = tx.one("SELECT email FROM identity.users WHERE id = ?", ctx.user_id());
        if (!user) return not_found("no user " + ctx.user_id());
        if (tx.count("SELECT COUNT(*) FROM identity.totp_factors WHERE user_id = ? AND enabled = 1", ctx.user_id()))
            return Error(errc::conflict, "two-factor sign-in is already on; disable it first to set up a new secret");
        // A setup not yet enabled is replaced: only the newest secret can be enabled.
        tx.exec("DELETE FROM identity.totp_factors WHERE user_id = ?", ctx.user_id());
        tx.exec("INSERT INTO identity.totp_factors (user_id, secret, enabled, last_step, created_at) VALUES (?, ?, 0, 0, ?)", ctx.user_id(),
                secret, now_iso8601());
        return TotpSetup{secret, domain::otpauth_url(issuer_, user->str(0), secret)};
    });
}

Result<std::vector<std::string>> IdentityService::enable_totp(const Ctx& ctx, std::string_view code) {
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<std::vector<std::string>> {
        auto f = tx.one("SELECT secret, enabled, last_step FROM identity.totp_factors WHERE user_id = ?", ctx.user_id());
        if (!f) return Error(errc::conflict, "no two-factor setup to enable: call /auth/2fa/setup first");
        if (f->boolean(1)) return Error(errc::conflict, "two-factor sign-in is already on");
        auto step = all_digits(code) ? fresh_step(f->str(0), code, f->i64(2)) : std::nullopt;
        if (!step) return validation("code", "is not the current code of the authenticator app set up with this secret");
        tx.exec("UPDATE identity.totp_factors SET enabled = 1, last_step = ? WHERE user_id = ?", *step, ctx.user_id());
        tx.exec("DELETE FROM identity.recovery_codes WHERE user_id = ?", ctx.user_id());
        std::vector<std::string> codes;
        std::string at = now_iso8601();
        for (int i = 0; i < kRecoveryCodes; ++i) {
            codes.push_back(new_recovery_code());
            tx.exec("INSERT INTO identity.recovery_codes (code_hash, user_id, used, created_at) VALUES (?, ?, 0, ?)",
                    recovery_code_hash(ctx.user_id(), codes.back()), ctx.user_id(), at);
        }
        audit::record(tx, "identity.2fa.enabled", ctx.user_id());
        return codes;
    });
}

Result<void> IdentityService::disable_totp(const Ctx& ctx, std::string_view code, std::string_view password) {
    if (code.empty() && password.empty())
        return validation("code", "is required: a code from your authenticator app or a recovery code (or send `password`)");
    if (!password.empty()) {
        auto hash = db_.read([&](db::Reader& r) { return r.one("SELECT password_hash FROM identity.users WHERE id = ?", ctx.user_id()); });
        if (!hash) return not_found("no user " + ctx.user_id());
        if (!verify_password(hash->str(0), password)) return validation("password", "is not your password");
    }
    return db_.write("identity", ctx, [&](db::Tx& tx) -> Result<void> {
        auto f = tx.one("SELECT secret, last_step FROM identity.totp_factors WHERE user_id = ? AND enabled = 1", ctx.user_id());
        if (!f) return Error(errc::conflict, "two-factor sign-in is not on");
        if (password.empty() && !spend_second_factor(tx, ctx.user_id(), f->str(0), f->i64(1), code))
            return validation("code", "is not a current code of your authenticator app nor an unused recovery code");
        tx.exec("DELETE FROM identity.totp_factors WHERE user_id = ?", ctx.user_id());
        tx.exec("DELETE FROM identity.recovery_codes WHERE user_id = ?", ctx.user_id());
        audit::record(tx, "identity.2fa.disabled", ctx.user_id(), {{"by", password.empty() ? "code" : "password"}});
        return {};
    });
}

Result<void> IdentityService::check_second_factor(db::Tx& tx, const std::string& user_id, std::string_view totp) {
    auto f = tx.one("SELECT secret, last_step FROM identity.totp_factors WHERE user_id = ? AND enabled = 1", user_id);
    if (!f) return {};
    if (totp.empty())
        return Error(login_errc::totp_required, "two-factor sign-in is on for this account: send `totp`, a code from the authenticator "
                                                "app or a recovery code",
                     {{"totp", "is required"}});
    if (!spend_second_factor(tx, user_id, f->str(0), f->i64(1), totp))
        return Error(login_errc::totp_invalid, "the two-factor code is wrong, already used, or not a recovery code of this account",
                     {{"totp", "is not a current code nor an unused recovery code"}});
    return {};
}

}  // namespace shop::identity
