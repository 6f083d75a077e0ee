// Thin HTTP handlers for account security and administration: admin user management (roles,
// disabling), sessions, two-factor authentication and API keys.
#include "identity_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::identity {
using namespace shop::http;
using api::None;

namespace {

using Role = api::OneOf<"customer", "vendor", "admin">;

struct AdminUserReply {
    api::Id<"usr"> id;
    std::string email;
    std::string name;
    Role role;
    bool disabled = false;  ///< a disabled user cannot sign in, and its tokens stopped working
    bool email_verified = false;
    api::Timestamp created_at;
};
SHOP_API_STRUCT(AdminUserReply, id, email, name, role, disabled, email_verified, created_at)

struct AdminUserPage {
    std::vector<AdminUserReply> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(AdminUserPage, data, next_cursor)

struct AdminUserQuery {
    std::optional<api::Text<0, 254>> q;  ///< part of the email or name, any case
    std::optional<Role> role;
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(AdminUserQuery, q, role, limit, cursor)

struct AdminUserPatch {
    std::optional<Role> role;
    std::optional<bool> disabled;  ///< true: the user can no longer sign in and every session ends at once
};
SHOP_API_STRUCT(AdminUserPatch, role, disabled)

struct TotpSetupReply {
    std::string secret;       ///< base32, for typing into an authenticator app
    std::string otpauth_url;  ///< `otpauth://totp/...`, for a QR code
};
SHOP_API_STRUCT(TotpSetupReply, secret, otpauth_url)

struct TotpEnableRequest {
    api::Secret<1, 20> code;  ///< the app's current 6-digit code
};
SHOP_API_STRUCT(TotpEnableRequest, code)

struct RecoveryCodes {
    std::vector<std::string> recovery_codes;  ///< each signs in once in place of a code; shown only here
};
SHOP_API_STRUCT(RecoveryCodes, recovery_codes)

struct TotpDisableRequest {
    std::optional<api::Secret<1, 32>> code;       ///< a current code or an unused recovery code
    std::optional<api::Secret<1, 128>> password;  ///< instead of a code
};
SHOP_API_STRUCT(TotpDisableRequest, code, password)

struct SessionReply {
    api::Id<"rtf"> id;
    std::string user_agent;      ///< of the sign-in ("" when none was sent)
    std::string client_address;  ///< of the sign-in
    api::Timestamp created_at;
    api::Timestamp last_used_at;  ///< the last sign-in or token refresh
    bool current = false;         ///< the session of the access token this request carries
};
SHOP_API_STRUCT(SessionReply, id, user_agent, client_address, created_at, last_used_at, current)

struct SessionPageReply {
    std::vector<SessionReply> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(SessionPageReply, data, next_cursor)

struct PageQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(PageQuery, limit, cursor)

using Scope = api::OneOf<"catalog:read", "catalog:write", "inventory:read", "inventory:write", "orders:read", "orders:write", "carts:read",
                         "carts:write", "payments:read", "payments:write", "notifications:read", "notifications:write">;

struct ApiKeyRequest {
    api::Text<1, 100> name;
    api::List<Scope, 1, 12> scopes;  ///< `<resource>:read` for its GET routes, `<resource>:write` for the others
};
SHOP_API_STRUCT(ApiKeyRequest, name, scopes)

struct ApiKeyReply {
    api::Id<"key"> id;
    std::string name;
    std::vector<std::string> scopes;
    std::string prefix;  ///< the key's first characters, to tell keys apart
    api::Timestamp created_at;
    api::Nullable<api::Timestamp> last_used_at;  ///< to the minute; null when never used
};
SHOP_API_STRUCT(ApiKeyReply, id, name, scopes, prefix, created_at, last_used_at)

struct NewApiKeyReply {
    api::Id<"key"> id;
    std::string name;
    std::vector<std::string> scopes;
    std::string prefix;
    std::string key;  ///< `Authorization: Bearer <key>`; shown only in this reply, stored hashed
    api::Timestamp created_at;
};
SHOP_API_STRUCT(NewApiKeyReply, id, name, scopes, prefix, key, created_at)

struct ApiKeyPageReply {
    std::vector<ApiKeyReply> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(ApiKeyPageReply, data, next_cursor)

AdminUserReply admin_user_reply(const AdminUser& a) {
    return {api::of<api::Id<"usr">>(a.user.id), a.user.email, a.user.name, api::of<Role>(a.user.role), a.disabled, a.user.email_verified,
            api::of<api::Timestamp>(a.user.created_at)};
}

}  // namespace

void register_two_factor_routes(Router& router, IdentityService& svc);
void register_session_routes(Router& router, IdentityService& svc);
void register_api_key_routes(Router& router, IdentityService& svc);

void register_security_routes(Router& router, IdentityService& svc) {
    register_two_factor_routes(router, svc);
    register_session_routes(router, svc);
    register_api_key_routes(router, svc);

    api::add<None, AdminUserQuery, AdminUserPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/users", .id = "listUsers", .summary = "Users, newest first",
         .description = "`q` matches part of the email or name (any case); `role` filters by role.", .tag = "identity",
         .access = Access::admin},
        [&svc](Request&, None&, AdminUserQuery& q) {
            auto page = unwrap(svc.list_users(q.q ? q.q->value : "", q.role ? q.role->value : "", q.cursor ? q.cursor->value : "",
                                              q.limit ? static_cast<int>(q.limit->value) : 20));
            AdminUserPage out;
            for (auto& u : page.data) out.data.push_back(admin_user_reply(u));
            if (!page.next_cursor.empty()) out.next_cursor = api::of<api::Cursor>(page.next_cursor);
            return out;
        });

    api::add<AdminUserPatch, None, AdminUserReply>(
        router,
        {.method = Method::patch, .path = "/api/v1/admin/users/{id}", .id = "updateUser", .summary = "Set a user's role or disable it",
         .description = "A new role applies to the user's access tokens from its next request on. Disabling ends every session at once: "
                        "its access tokens are refused from the next request on and its refresh tokens no longer refresh; enabling "
                        "again does not bring them back. An admin cannot demote or disable itself (409).",
         .tag = "identity", .access = Access::admin, .errors = {404, 409}},
        [&svc](Request& req, AdminUserPatch& b, None&) {
            UserPatch patch;
            if (b.role) patch.role = b.role->value;
            patch.disabled = b.disabled;
            return admin_user_reply(unwrap(svc.update_user(req.ctx(), req.param("id"), patch)));
        });
}


void register_two_factor_routes(Router& router, IdentityService& svc) {
    api::add<None, None, TotpSetupReply>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/2fa/setup", .id = "setupTwoFactor", .summary = "Start two-factor sign-in: a new TOTP secret",
         .description = "TOTP per RFC 6238 (HMAC-SHA-1, 6 digits, 30-second steps). Not in force until enabled with a code; a new setup "
                        "replaces one not yet enabled. With two-factor sign-in already on: 409.",
         .tag = "identity", .access = Access::user, .errors = {409}, .secret = true},
        [&svc](Request& req, None&, None&) {
            auto s = unwrap(svc.setup_totp(req.ctx()));
            return TotpSetupReply{s.secret, s.otpauth_url};
        });

    api::add<TotpEnableRequest, None, RecoveryCodes>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/2fa/enable", .id = "enableTwoFactor", .summary = "Turn two-factor sign-in on",
         .description = "With a current code of the secret from setup (a wrong one is 422 naming `code`). From then on login needs `totp`. "
                        "The reply's ten recovery codes are shown only here, are stored hashed, and each works once.",
         .tag = "identity", .access = Access::user, .errors = {409}, .secret = true},
        [&svc](Request& req, TotpEnableRequest& b, None&) { return RecoveryCodes{unwrap(svc.enable_totp(req.ctx(), b.code.value))}; });

    api::add<TotpDisableRequest, None, api::NoContent>(
        router,
        {.method = Method::post, .path = "/api/v1/auth/2fa/disable", .id = "disableTwoFactor", .summary = "Turn two-factor sign-in off",
         .description = "With `code` (a current code or an unused recovery code) or `password`; neither is 422, a wrong one 422 naming it. "
                        "The secret and the recovery codes are deleted.",
         .tag = "identity", .access = Access::user, .status = 204, .errors = {409}, .secret = true, .blocking = true},
        [&svc](Request& req, TotpDisableRequest& b, None&) {
            unwrap(svc.disable_totp(req.ctx(), b.code ? b.code->value : "", b.password ? b.password->value : ""));
        });
}

void register_api_key_routes(Router& router, IdentityService& svc) {
    api::add<ApiKeyRequest, None, NewApiKeyReply>(
        router,
        {.method = Method::post, .path = "/api/v1/me/api-keys", .id = "createApiKey", .summary = "Make an API key",
         .description = "`Authorization: Bearer <key>` then authenticates as you with exactly these scopes: a route outside them is 403, "
                        "and a key never does more than your role allows. Scopes: catalog, inventory, orders, carts, payments and "
                        "notifications, each `:read` (their GET routes) or `:write` (the others); account routes take no API key. The "
                        "`key` is shown only in this reply. At most 25 keys per account (409).",
         .tag = "identity", .access = Access::user, .status = 201, .errors = {409}, .secret = true},
        [&svc](Request& req, ApiKeyRequest& b, None&) {
            std::vector<std::string> scopes;
            for (auto& s : b.scopes) scopes.push_back(s.value);
            auto made = unwrap(svc.create_api_key(req.ctx(), b.name.value, scopes));
            return NewApiKeyReply{api::of<api::Id<"key">>(made.key.id), made.key.name, made.key.scopes, made.key.prefix, made.secret,
                                  api::of<api::Timestamp>(made.key.created_at)};
        });

    api::add<None, PageQuery, ApiKeyPageReply>(
        router,
        {.method = Method::get, .path = "/api/v1/me/api-keys", .id = "listApiKeys", .summary = "Your API keys, newest first",
         .tag = "identity", .access = Access::user},
        [&svc](Request& req, None&, PageQuery& q) {
            auto page = unwrap(svc.list_api_keys(req.ctx(), q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20));
            ApiKeyPageReply out;
            for (auto& k : page.data) {
                ApiKeyReply r{api::of<api::Id<"key">>(k.id), k.name, k.scopes, k.prefix, api::of<api::Timestamp>(k.created_at), std::nullopt};
                if (!k.last_used_at.empty()) r.last_used_at = api::of<api::Timestamp>(k.last_used_at);
                out.data.push_back(std::move(r));
            }
            if (!page.next_cursor.empty()) out.next_cursor = api::of<api::Cursor>(page.next_cursor);
            return out;
        });

    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/me/api-keys/{id}", .id = "deleteApiKey", .summary = "Delete an API key",
         .description = "It is refused from the next request on. Another user's key is 404.", .tag = "identity", .access = Access::user,
         .status = 204, .errors = {404}},
        [&svc](Request& req, None&, None&) { unwrap(svc.delete_api_key(req.ctx(), req.param("id"))); });
}

void register_session_routes(Router& router, IdentityService& svc) {
    api::add<None, PageQuery, SessionPageReply>(
        router,
        {.method = Method::get, .path = "/api/v1/me/sessions", .id = "listSessions", .summary = "Your signed-in devices",
         .description = "Each sign-in is a session until it is signed out or its refresh token expires; refreshing keeps it and updates "
                        "`last_used_at`. Newest first.",
         .tag = "identity", .access = Access::user},
        [&svc](Request& req, None&, PageQuery& q) {
            auto page = unwrap(svc.list_sessions(req.ctx(), q.cursor ? q.cursor->value : "", q.limit ? static_cast<int>(q.limit->value) : 20));
            SessionPageReply out;
            for (auto& s : page.data)
                out.data.push_back({api::of<api::Id<"rtf">>(s.id), s.user_agent, s.client_address, api::of<api::Timestamp>(s.created_at),
                                    api::of<api::Timestamp>(s.last_used_at), s.id == req.principal->session_id});
            if (!page.next_cursor.empty()) out.next_cursor = api::of<api::Cursor>(page.next_cursor);
            return out;
        });

    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/me/sessions/{id}", .id = "revokeSession", .summary = "Sign a device out",
         .description = "Its refresh token stops refreshing and its access tokens are refused from the next request on. Another "
                        "user's session, or one already ended, is 404.",
         .tag = "identity", .access = Access::user, .status = 204, .errors = {404}},
        [&svc](Request& req, None&, None&) { unwrap(svc.revoke_own_session(req.ctx(), req.param("id"))); });
}

}  // namespace shop::identity
