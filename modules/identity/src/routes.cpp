// Thin HTTP handlers: parse -> call the service -> map the result.
#include <boost/json.hpp>

#include "identity_service.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::identity {
namespace json = boost::json;
using namespace shop::http;

namespace {
json::object user_json(const User& u) {
    return {{"id", u.id}, {"email", u.email}, {"name", u.name}, {"role", u.role}, {"created_at", u.created_at}};
}
json::object tokens_json(const IssuedTokens& t) {
    return {{"access_token", t.access_token}, {"refresh_token", t.refresh_token}, {"token_type", "Bearer"}, {"expires_in", t.expires_in}};
}
}  // namespace

void register_identity_routes(Router& router, IdentityService& svc) {
    router.add({.method = Method::post, .pattern = "/api/v1/auth/register", .access = Access::anyone,
                .summary = "Create a customer account", .tag = "identity", .success_status = 201, .secret = true, .blocking = true},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto email = f.required_string("email", 254);
                   auto password = f.required_string("password", 128);
                   auto name = f.required_string("name", 200);
                   throw_if_invalid(errors);
                   auto reg = unwrap(svc.register_user(req.ctx(), email, password, name));
                   auto out = tokens_json(reg.tokens);
                   out["user"] = user_json(reg.user);
                   return Response::json(201, out);
               });

    router.add({.method = Method::post, .pattern = "/api/v1/auth/login", .access = Access::anyone,
                .summary = "Exchange email and password for tokens", .tag = "identity", .secret = true, .blocking = true},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto email = f.required_string("email", 254);
                   auto password = f.required_string("password", 128);
                   throw_if_invalid(errors);
                   return Response::json(200, tokens_json(unwrap(svc.login(req.ctx(), email, password, req.header("User-Agent")))));
               });

    router.add({Method::post, "/api/v1/auth/refresh", Access::anyone, "Rotate a refresh token into a new token pair", "identity", 200, true},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto token = f.required_string("refresh_token", 200);
                   throw_if_invalid(errors);
                   return Response::json(200, tokens_json(unwrap(svc.refresh(req.ctx(), token))));
               });

    router.add({Method::post, "/api/v1/auth/logout", Access::user, "Revoke a refresh token (and its rotations)", "identity", 204},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto token = f.required_string("refresh_token", 200);
                   throw_if_invalid(errors);
                   auto r = svc.logout(req.ctx(), token);
                   if (!r) throw ErrorException(r.error());
                   return Response::no_content();
               });

    router.add({Method::get, "/.well-known/jwks.json", Access::anyone, "Public keys of the access-token signer", "identity"},
               [&svc](Request&) {
                   auto r = Response::json(200, svc.jwks());
                   r.headers.set("Cache-Control", "public, max-age=300");
                   return r;
               });

    router.add({Method::get, "/api/v1/me", Access::user, "The signed-in user's profile", "identity"}, [&svc](Request& req) {
        return Response::json(200, user_json(unwrap(svc.find_user(req.principal->user_id))));
    });
}

}  // namespace shop::identity
