#include "domain/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>
#include <stdexcept>

#include "platform/crypto.hpp"

namespace shop::identity::domain {

std::string hotp(std::string_view key, std::uint64_t counter, int digits) {
    if (digits < 6 || digits > 8) throw std::invalid_argument("HOTP codes have 6 to 8 digits");
    std::array<unsigned char, 8> msg{};
    for (int i = 7; i >= 0; --i, counter >>= 8) msg[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), mac.data(), &len) || len != 20)
        throw std::runtime_error("HMAC-SHA-1 failed");
    // RFC 4226 §5.3: the low nibble of the last byte picks 4 bytes; their low 31 bits, mod 10^digits.
    unsigned offset = mac[19] & 0x0f;
    std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) | (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                           (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | static_cast<std::uint32_t>(mac[offset + 3]);
    std::uint32_t modulus = 1;
    for (int i = 0; i < digits; ++i) modulus *= 10;
    std::string code = std::to_string(binary % modulus);
    return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::string totp(std::string_view key, std::int64_t unix_s, int digits) {
    return hotp(key, static_cast<std::uint64_t>(totp_step(unix_s)), digits);
}

std::optional<std::int64_t> totp_match(std::string_view key, std::string_view code, std::int64_t unix_s, int window) {
    if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
    std::optional<std::int64_t> found;
    std::int64_t now = totp_step(unix_s);
    for (std::int64_t step = now - window; step <= now + window; ++step) {
        if (step < 0) continue;
        // No early exit: every candidate costs the same, whichever matched.
        if (crypto::equal_constant_time(hotp(key, static_cast<std::uint64_t>(step)), code) && !found) found = step;
    }
    return found;
}

namespace {
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string base32_encode(std::string_view bytes) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 5) {
            out += kBase32[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char ch : text) {
        if (ch == '=' || ch == ' ') continue;
        char up = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
        auto v = kBase32.find(up);
        if (v == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return out;
}

namespace {
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}
}  // namespace

std::string otpauth_url(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
    return "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account) + "?secret=" + std::string(base32_secret) +
           "&issuer=" + percent_encode(issuer) + "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
           "&period=" + std::to_string(kTotpStepSeconds);
}

}  // namespace shop::identity::domain
