// Thin HTTP handlers: the typed declarations of identity's routes -> the service.
#include "identity_service.hpp"
#include "platform/api.hpp"
#include "profile_service.hpp"
#include "platform/http.hpp"
#include "platform/web_session.hpp"

#include <fmt/format.h>

namespace shop::identity {
using namespace shop::http;
using api::None;

namespace {

struct RegisterRequest {
    api::Text<1, 254> email;
    api::Secret<1, 128> password;  ///< at least 10 characters, not the email, not a common password
    api::Text<1, 200> name;
};
SHOP_API_STRUCT(RegisterRequest, email, password, name)

struct LoginRequest {
    api::Text<1, 254> email;
    api::Secret<1, 128> password;
    std::optional<api::Secret<1, 64>> totp;  ///< with two-factor sign-in on: a code of the authenticator app or a recovery code
};
SHOP_API_STRUCT(LoginRequest, email, password, totp)

struct RefreshRequest {
    api::Secret<1, 200> refresh_token;
};
SHOP_API_STRUCT(RefreshRequest, refresh_token)

struct ForgotRequest {
    api::Text<1, 254> email;
};
SHOP_API_STRUCT(ForgotRequest, email)

struct ResetRequest {
    api::Secret<1, 200> token;     ///< from the reset mail's link (`token=`)
    api::Secret<1, 128> password;  ///< the new password, as strong as at registration
};
SHOP_API_STRUCT(ResetRequest, token, password)

struct ChangeRequest {
    api::Secret<1, 128> current_password;
    api::Secret<1, 128> new_password;
};
SHOP_API_STRUCT(ChangeRequest, current_password, new_password)

struct VerifyRequest {
    api::Secret<1, 200> token;  ///< from the verification mail's link (`token=`)
};
SHOP_API_STRUCT(VerifyRequest, token)

struct Accepted {
    std::string status;  ///< `accepted`
};
SHOP_API_STRUCT(Accepted, status)

struct UserReply {
    api::Id<"usr"> id;
    std::string email;
    std::string name;
    api::OneOf<"customer", "vendor", "admin"> role;
    bool email_verified = false;  ///< the address was confirmed from the verification mail
    api::Timestamp created_at;
    api::Nullable<std::string> locale;  ///< BCP 47 (`en-US`), null until chosen
    bool marketing_consent = false;
    api::Nullable<api::Timestamp> marketing_consent_at;  ///< when the consent was given; null without it
};
SHOP_API_STRUCT(UserReply, id, email, name, role, email_verified, created_at, locale, marketing_consent, marketing_consent_at)

struct Tokens {
    std::string access_token;   ///< a short-lived EdDSA-signed JWT
    std::string refresh_token;  ///< single use: each refresh rotates it
    api::OneOf<"Bearer"> token_type;
    std::int64_t expires_in = 0;  ///< seconds the access token lives
};
SHOP_API_STRUCT(Tokens, access_token, refresh_token, token_type, expires_in)

struct Registered {
    std::string access_token;
    std::string refresh_token;
    api::OneOf<"Bearer"> token_type;
    std::int64_t expires_in = 0;
    UserReply user;
};
SHOP_API_STRUCT(Registered, access_token, refresh_token, token_type, expires_in, user)

struct Jwk {
    std::string kty, crv, use, alg, kid, x;
};
SHOP_API_STRUCT(Jwk, kty, crv, use, alg, kid, x)

struct JwkSet {
    std::vector<Jwk> keys;
};
SHOP_API_STRUCT(JwkSet, keys)

/// The discovery document (OpenID Connect Discovery 1.0 §3, the parts a resource server needs to
/// verify access tokens).
struct DiscoveryDocument {
    std::string issuer;    ///< the `iss` of every access token
    std::string jwks_uri;  ///< the public keys that sign them
    std::vector<std::string> id_token_signing_alg_values_supported;  ///< `EdDSA`
    std::vector<std::string> subject_types_supported;                ///< `public`
};
SHOP_API_STRUCT(DiscoveryDocument, issuer, jwks_uri, id_token_signing_alg_values_supported, subject_types_supported)

UserReply user_reply(const User& u) {
    UserReply r{api::of<api::Id<"usr">>(u.id), u.email, u.name, api::of<decltype(UserReply::role)>(u.role), u.email_verified,
                api::of<api::Timestamp>(u.created_at)};
    if (!u.locale.empty()) r.locale = u.locale;
    r.marketing_consent = u.marketing_consent;
    if (!u.marketing_consent_at.empty()) r.marketing_consent_at = api::of<api::Timestamp>(u.marketing_consent_at);
    return r;
}
constexpr std::string_view kDeviceCookie = "shop_device";

Device device_of(const Request& req) {
    return {std::string(req.header("User-Agent")), req.remote_address, web_session::cookie(req.header("Cookie"), kDeviceCookie)};
}

/// A browser signed in: the reply of the web sign-in routes.
struct WebSessionReply {
    UserReply user;
    std::string csrf_token;  ///< send it as `X-CSRF-Token` with every unsafe request (also in the cookie `shop_csrf`)
};
SHOP_API_STRUCT(WebSessionReply, user, csrf_token)

struct SignedOut {
    api::OneOf<"signed_out"> status;
};
SHOP_API_STRUCT(SignedOut, status)

/// `Set-Cookie` values: the device cookie (path /api/v1/auth), the session cookie (HttpOnly) and
/// the CSRF cookie (readable by the page), Secure when the shop is reached over TLS.
std::string cookie_line(const IdentityService& svc, std::string_view name, std::string_view value, std::string_view path,
                        std::int64_t max_age_s, bool http_only, std::string_view same_site) {
    return fmt::format("{}={}; Path={}; Max-Age={}{}; SameSite={}{}", name, value, path, max_age_s, http_only ? "; HttpOnly" : "",
                       same_site, svc.public_url().starts_with("https://") ? "; Secure" : "");
}

void set_device_cookie(const IdentityService& svc, http::Headers& h, const IssuedTokens& issued) {
    // The device is known from now on: the login throttle lets the right password through from it.
    if (!issued.device_token.empty())
        h.add("Set-Cookie", cookie_line(svc, kDeviceCookie, issued.device_token, "/api/v1/auth", svc.known_device_ttl_s(), true, "Strict"));
}

api::Out<WebSessionReply> web_session_reply(const IdentityService& svc, const IssuedTokens& issued, const User& user) {
    std::string csrf = web_session::csrf_token(issued.web_token);
    api::Out<WebSessionReply> out(WebSessionReply{user_reply(user), csrf});
    set_device_cookie(svc, out.headers, issued);
    out.headers.add("Set-Cookie", cookie_line(svc, web_session::kSessionCookie, issued.web_token, "/", svc.web_session_ttl_s(), true, "Lax"));
    out.headers.add("Set-Cookie", cookie_line(svc, web_session::kCsrfCookie, csrf, "/", svc.web_session_ttl_s(), false, "Lax"));
    return out;
}
Tokens tokens_reply(const IssuedTokens& t) {
    return {t.access_token, t.refresh_token, api::of<decltype(Tokens::token_type)>("Bearer"), t.expires_in};
}

}  // namespace

void register_identity_routes(Router& router, IdentityService& svc, ProfileService& profiles) {
    api::add<RegisterRequest, None, Registered>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/register", .id = "register", .summary = "Create a customer account",
         .description = "A weak password is 422; a taken email, 409.", .tag = "identity", .status = 201, .errors = {409}, .secret = true,
         .blocking = true},
        [&svc](Request& req, RegisterRequest& b, None&) {
            auto reg = unwrap(svc.register_user(req.ctx(), b.email.value, b.password.value, b.name.value, device_of(req)));
            auto t = tokens_reply(reg.tokens);
            return Registered{t.access_token, t.refresh_token, t.token_type, t.expires_in, user_reply(reg.user)};
        });

    api::add<LoginRequest, None, Tokens>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/login", .id = "login", .summary = "Exchange email and password for tokens",
         .description = "Wrong credentials: 401. With two-factor sign-in on, the right password without `totp` is 401 `totp_required`, "
                        "with a wrong or reused code 401 `totp_invalid`. Failed sign-ins are throttled per account and address with "
                        "growing waits, and per address across accounts: 429 with `Retry-After`. A sign-in sets the cookie "
                        "`shop_device`; sent back, it lets the right password through from that device whatever others tried.",
         .tag = "identity", .errors = {401}, .secret = true, .blocking = true, .reply_headers = {"Set-Cookie"}},
        [&svc](Request& req, LoginRequest& b, None&) {
            auto issued = unwrap(svc.login(req.ctx(), b.email.value, b.password.value, b.totp ? b.totp->value : "", device_of(req)));
            api::Out<Tokens> out(tokens_reply(issued));
            set_device_cookie(svc, out.headers, issued);
            return out;
        });

    api::add<RegisterRequest, None, WebSessionReply>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/web/register", .id = "registerWebSession",
         .summary = "Create a customer account and sign this browser in with cookies",
         .description = "As `register`, but instead of tokens the reply sets the cookies of a browser session: `shop_session` "
                        "(HttpOnly, SameSite=Lax, Secure over TLS) and `shop_csrf` (readable by the page). Requests with the cookie "
                        "are signed in; unsafe ones must send `X-CSRF-Token` (the `csrf_token` of this reply, also the `shop_csrf` "
                        "cookie), else 403 `csrf_failed`. A weak password is 422; a taken email, 409.",
         .tag = "identity", .status = 201, .errors = {409}, .secret = true, .blocking = true, .reply_headers = {"Set-Cookie"}},
        [&svc](Request& req, RegisterRequest& b, None&) {
            auto device = device_of(req);
            device.web = true;
            auto reg = unwrap(svc.register_user(req.ctx(), b.email.value, b.password.value, b.name.value, device));
            return web_session_reply(svc, reg.tokens, reg.user);
        });

    api::add<LoginRequest, None, WebSessionReply>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/web/login", .id = "loginWebSession",
         .summary = "Sign this browser in with cookies",
         .description = "As `login` (the same 401s, `totp_required`, 429 throttling and device cookie), but the reply sets the "
                        "cookies of a browser session instead of answering tokens: `shop_session` (HttpOnly, SameSite=Lax, Secure "
                        "over TLS) and `shop_csrf`. Unsafe requests signed in by the cookie must send `X-CSRF-Token`, else 403 "
                        "`csrf_failed`; bearer-token clients are unaffected. The session is one of `GET /me/sessions`.",
         .tag = "identity", .errors = {401}, .secret = true, .blocking = true, .reply_headers = {"Set-Cookie"}},
        [&svc](Request& req, LoginRequest& b, None&) {
            auto device = device_of(req);
            device.web = true;
            auto issued = unwrap(svc.login(req.ctx(), b.email.value, b.password.value, b.totp ? b.totp->value : "", device));
            auto user = unwrap(svc.find_user(issued.user_id));
            return web_session_reply(svc, issued, user);
        });

    api::add<None, None, SignedOut>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/web/logout", .id = "logoutWebSession",
         .summary = "Sign this browser out",
         .description = "Ends the caller's session (its cookie, refresh and access tokens stop at once) and clears the cookies.",
         .tag = "identity", .access = Access::user, .errors = {404}, .reply_headers = {"Set-Cookie"}, .body_optional = true},
        [&svc](Request& req, None&, None&) {
            unwrap(svc.revoke_own_session(req.ctx(), req.principal->session_id));
            api::Out<SignedOut> out(SignedOut{api::of<decltype(SignedOut::status)>("signed_out")});
            out.headers.add("Set-Cookie", cookie_line(svc, web_session::kSessionCookie, "", "/", 0, true, "Lax"));
            out.headers.add("Set-Cookie", cookie_line(svc, web_session::kCsrfCookie, "", "/", 0, false, "Lax"));
            return out;
        });

    api::add<RefreshRequest, None, Tokens>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/refresh", .id = "refreshTokens", .summary = "Rotate a refresh token into a new token pair",
         .description = "A token that was already rotated is 401 and revokes its whole family.", .tag = "identity", .errors = {401},
         .secret = true},
        [&svc](Request& req, RefreshRequest& b, None&) { return tokens_reply(unwrap(svc.refresh(req.ctx(), b.refresh_token.value))); });

    api::add<RefreshRequest, None, api::NoContent>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/logout", .id = "logout", .summary = "Revoke a refresh token (and its rotations)",
         .tag = "identity", .access = Access::user, .status = 204, .errors = {404}, .secret = true},
        [&svc](Request& req, RefreshRequest& b, None&) { unwrap(svc.logout(req.ctx(), b.refresh_token.value)); });

    api::add<ForgotRequest, None, Accepted>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/password/forgot", .id = "forgotPassword",
         .summary = "Mail a password reset link",
         .description = "Always 202, whether or not an account has this email (so the answer reveals nothing). An account gets a "
                        "mail with a link whose query holds `token=`, valid for an hour and once.",
         .tag = "identity", .status = 202, .secret = true},
        [&svc](Request& req, ForgotRequest& b, None&) {
            svc.forgot_password(req.ctx(), b.email.value);
            return Accepted{"accepted"};
        });

    api::add<ResetRequest, None, api::NoContent>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/password/reset", .id = "resetPassword", .summary = "Set a new password with a reset token",
         .description = "An unknown, used or expired token is 422 naming `token`; a weak password 422 naming `password`. Every session "
                        "of the account is signed out.",
         .tag = "identity", .status = 204, .secret = true, .blocking = true},
        [&svc](Request& req, ResetRequest& b, None&) { unwrap(svc.reset_password(req.ctx(), b.token.value, b.password.value)); });

    api::add<ChangeRequest, None, Tokens>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/password/change", .id = "changePassword", .summary = "Change your password",
         .description = "A wrong `current_password` is 422 naming it. Every other session is signed out; the reply is a new token "
                        "pair for this one.",
         .tag = "identity", .access = Access::user, .secret = true, .blocking = true},
        [&svc](Request& req, ChangeRequest& b, None&) {
            return tokens_reply(
                unwrap(svc.change_password(req.ctx(), b.current_password.value, b.new_password.value, device_of(req))));
        });

    api::add<VerifyRequest, None, UserReply>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/email/verify", .id = "verifyEmail", .summary = "Confirm an email address",
         .description = "With the token of the verification mail sent at registration. An unknown, used or expired token is 422.",
         .tag = "identity", .secret = true},
        [&svc](Request& req, VerifyRequest& b, None&) { return user_reply(unwrap(svc.verify_email(req.ctx(), b.token.value))); });

    api::add<None, None, JwkSet>(router,
                                 {.method = Method::get, .path = "/.well-known/jwks.json", .id = "getJwks",
                                  .summary = "Public keys of the access-token signer",
                                  .description = "Every key that verifies access tokens, with its `kid`, the signing key first: "
                                                 "after a rotation the previous keys stay listed until the operator removes them.",
                                  .tag = "identity"},
                                 [&svc](Request&, None&, None&) {
                                     JwkSet set;
                                     for (auto& [kid, x] : svc.public_keys()) set.keys.push_back({"OKP", "Ed25519", "sig", "EdDSA", kid, x});
                                     api::Out<JwkSet> out(std::move(set));
                                     out.headers.set("Cache-Control", "public, max-age=300");
                                     return out;
                                 });

    api::add<None, None, DiscoveryDocument>(
        router,
        {.method = Method::get, .path = "/.well-known/openid-configuration", .id = "getOpenIdConfiguration",
         .summary = "Where to find the issuer's token-signing keys",
         .description = "Names the `iss` of access tokens and the URL of their JWKS, so a resource server (a `jose` or any OIDC "
                        "library) can verify them. Access tokens are RFC 9068 JWTs: header `typ` `at+jwt`, claims `iss`, `aud` "
                        "(config `auth.audience`), `sub`, `iat`, `nbf`, `exp`, `jti`.",
         .tag = "identity"},
        [&svc](Request&, None&, None&) {
            api::Out<DiscoveryDocument> out(DiscoveryDocument{svc.issuer(), svc.public_url() + "/.well-known/jwks.json", {"EdDSA"}, {"public"}});
            out.headers.set("Cache-Control", "public, max-age=300");
            return out;
        });

    api::add<None, None, UserReply>(router,
                                    {.method = Method::get, .path = "/api/v1/me", .id = "getMe", .summary = "The signed-in user's profile",
                                     .tag = "identity", .access = Access::user, .errors = {404}},
                                    [&svc](Request& req, None&, None&) { return user_reply(unwrap(svc.find_user(req.principal->user_id))); });

    api::add<ProfilePatch, None, UserReply>(
        router,
        {.method = Method::patch, .path = "/api/v1/me", .id = "updateMe", .summary = "Change your name, locale or marketing consent",
         .description = "`locale` is a BCP 47 language tag (`en-US`, `pt-BR`, `zh-Hant-TW`), kept in canonical case; anything else "
                        "is 422 naming it, null forgets it. `marketing_consent: true` records when it was given "
                        "(`marketing_consent_at`); false withdraws it.",
         .tag = "identity", .access = Access::user, .errors = {404}},
        [&profiles](Request& req, ProfilePatch& b, None&) { return user_reply(unwrap(profiles.update_profile(req.ctx(), b))); });
}

}  // namespace shop::identity
