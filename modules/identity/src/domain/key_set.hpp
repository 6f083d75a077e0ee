#pragma once
// The token signing keys as a JWK Set of Ed25519 private keys (RFC 7517, RFC 8037), the format of
// `auth.signing_keys_file`, of SHOP_AUTH_SIGNING_KEY and of the key file made on a first start:
//
//   {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "2026-12", "d": "<seed>", "x": "<public key>"}, ...]}
//
// The first key signs new tokens; every key verifies (until the tokens it signed expire and the
// operator removes it). `d` is the 32-byte seed, base64url; `x` is optional and, when present,
// must be the public key `d` gives. No I/O here.
#include <string>
#include <string_view>
#include <vector>

#include "domain/jwt.hpp"

namespace shop::identity::domain {

/// The key pair of a 32-byte Ed25519 seed.
SigningKey signing_key_from_seed(std::string kid, std::string_view seed);

/// Parses a JWK Set (or a single JWK) of Ed25519 private keys. Throws std::runtime_error naming
/// `source`, the key's position and kid, and what is wrong (not JSON, no keys, a kid twice, a
/// key that is not OKP/Ed25519, a `d` that is not 32 bytes, an `x` that does not match `d`).
std::vector<SigningKey> parse_key_set(std::string_view text, std::string_view source);

/// The JWK Set text of `keys`, in order, with private members (for the key file).
std::string key_set_json(const std::vector<SigningKey>& keys);

}  // namespace shop::identity::domain
