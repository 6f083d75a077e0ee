#pragma once
// Compact JWS with EdDSA (Ed25519, RFC 8037): signing and verification, no I/O.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shop::identity::domain {

struct SigningKey {
    std::string kid;
    std::string public_key;  ///< 32 raw bytes
    std::string secret_key;  ///< 64 raw bytes (libsodium layout)
};

/// A fresh Ed25519 key pair with a random kid.
SigningKey generate_signing_key();

/// header.payload.signature with {"alg":"EdDSA","typ":"at+jwt","kid":...}: an access token as
/// RFC 9068 types it.
std::string sign_jwt(const SigningKey& key, const boost::json::object& claims);

/// The kid named in a token's header, if the token is well-formed.
std::optional<std::string> jwt_kid(std::string_view token);

/// The claims if the signature verifies with `public_key`, the alg is EdDSA, the typ `at+jwt`,
/// `exp` is after `now_s` and `nbf` (when present) not after it; nullopt otherwise. Issuer and
/// audience are the caller's to check.
std::optional<boost::json::object> verify_jwt(std::string_view token, std::string_view public_key, std::int64_t now_s);

}  // namespace shop::identity::domain
