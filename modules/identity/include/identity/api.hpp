#pragma once
// identity: users, credentials, tokens and roles.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
    std::string locale;                ///< BCP 47 (`en-US`), "" when not chosen
    bool marketing_consent = false;
    std::string marketing_consent_at;  ///< when the consent was given, "" without it
};

/// A product as a wishlist shows it.
struct WishedProduct {
    std::string id;  ///< prd_...
    std::string title;
    std::string slug;
};

/// What identity asks about products (wishlists): the catalog answers, wired by the composition
/// root, so identity depends on no other module. Thread-safe.
class ProductDirectory {
public:
    virtual ~ProductDirectory() = default;
    /// The product when it exists and is published; nullopt otherwise.
    virtual std::optional<WishedProduct> published_product(std::string_view product_id) = 0;
};

/// An account to create directly (seeding), with its role.
struct NewUser {
    std::string email;
    std::string password;
    std::string name;
    std::string role = "customer";  ///< customer | vendor | admin
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
    /// Verifies a browser's session cookie token: known, not expired, and its session still signed
    /// in (not signed out, user not disabled); nullopt otherwise. The principal carries the role now.
    virtual std::optional<Principal> verify_web_session(std::string_view token) const = 0;
    /// The user with this id; not_found otherwise.
    virtual Result<User> find_user(std::string_view user_id) = 0;
    /// Creates accounts with their roles, email already verified and nothing mailed (demo data):
    /// 422 naming `users[i].<field>` for an invalid email, password or role; an email that already
    /// has an account is left as it is. Each distinct password is hashed once (argon2id is slow
    /// on purpose), so accounts given the same password share its hash.
    virtual Result<std::vector<User>> create_users(const Ctx& ctx, const std::vector<NewUser>& users) = 0;
};

}  // namespace shop::identity
