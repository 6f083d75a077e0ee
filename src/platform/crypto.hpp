#pragma once
// Thin wrappers over libsodium and OpenSSL for the few primitives the project needs.
#include <cstdint>
#include <string>
#include <string_view>

namespace shop::crypto {

/// `n` random bytes from the OS CSPRNG, base64url without padding.
std::string random_token(std::size_t n = 32);
/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
/// Lower-case hex HMAC-SHA256.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
/// Base64url without padding.
std::string base64url_encode(std::string_view bytes);
/// Decodes base64url (padding optional); false on malformed input.
bool base64url_decode(std::string_view text, std::string& out);
/// Constant-time comparison.
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

}  // namespace shop::crypto
