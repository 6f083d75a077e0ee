#pragma once
// One-time passwords for two-factor sign-in: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1,
// 30-second steps from the Unix epoch, as authenticator apps implement them. Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shop::identity::domain {

inline constexpr std::int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;

/// The HOTP value of `counter` under `key` (raw bytes): dynamic truncation of HMAC-SHA-1, the
/// last `digits` (6 to 8) decimal digits, zero-padded.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = kTotpDigits);

/// The time step `unix_s` falls in.
inline std::int64_t totp_step(std::int64_t unix_s) { return unix_s / kTotpStepSeconds; }

/// The TOTP value at `unix_s`.
std::string totp(std::string_view key, std::int64_t unix_s, int digits = kTotpDigits);

/// The step whose code `code` is, searched from `window` steps before `unix_s`'s to `window`
/// after (clock drift), or nullopt. Every candidate is compared in constant time.
std::optional<std::int64_t> totp_match(std::string_view key, std::string_view code, std::int64_t unix_s, int window = 1);

/// RFC 4648 base32 (A-Z, 2-7) without padding: how authenticator apps take a secret.
std::string base32_encode(std::string_view bytes);
/// Decodes base32 (any case, padding and spaces ignored); nullopt on another character.
std::optional<std::string> base32_decode(std::string_view text);

/// The `otpauth://totp/...` URL an authenticator app reads from a QR code (Key Uri Format):
/// label `issuer:account`, the base32 secret, issuer, SHA1, 6 digits, period 30.
std::string otpauth_url(std::string_view issuer, std::string_view account, std::string_view base32_secret);

}  // namespace shop::identity::domain
