#pragma once
// identity: users, credentials, tokens and roles.
#include <optional>
#include <string>
#include <string_view>

#include "platform/context.hpp"
#include "platform/error.hpp"

namespace shop::identity {

/// A user as other modules and clients see it (never the password hash).
struct User {
    std::string id;  ///< usr_...
    std::string email;
    std::string name;
    std::string role;  ///< customer | vendor | admin
    std::string created_at;
    bool email_verified = false;
};

/// The service face of identity. Thread-safe.
/// How an API key begins (an access token never does).
inline constexpr std::string_view kApiKeyPrefix = "shk_";

class IdentityApi {
public:
    virtual ~IdentityApi() = default;
    /// Verifies a bearer credential: an access token (signature, typ, issuer, audience, nbf, expiry,
    /// and its session still signed in) or an API key (`shk_...`, with its scopes); nullopt when
    /// invalid. The principal carries the user's role as it is now.
    virtual std::optional<Principal> verify_access_token(std::string_view token) const = 0;
    /// The user with this id; not_found otherwise.
    virtual Result<User> find_user(std::string_view user_id) = 0;
};

}  // namespace shop::identity
