#include "stripe_signature.hpp"

#include <charconv>

#include "platform/crypto.hpp"

namespace shop::payment::domain {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace

bool parse_stripe_signature(std::string_view header, StripeSignatureHeader& out) {
    out = {};
    bool have_t = false;
    while (!header.empty()) {
        auto comma = header.find(',');
        std::string_view item = trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
        if (key == "t") {
            std::int64_t t = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
            if (ec != std::errc{} || end != value.data() + value.size() || t <= 0) return false;
            out.timestamp = t;
            have_t = true;
        } else if (key == "v1") {
            // A SHA-256 HMAC is 64 hex digits; anything else can never match, so it is dropped.
            if (value.size() == 64 && is_lower_hex(value)) out.v1.emplace_back(value);
        }
    }
    return have_t && !out.v1.empty();
}

StripeSignatureCheck verify_stripe_signature(std::string_view header, std::string_view payload, std::string_view secret,
                                             std::int64_t now_s, std::int64_t tolerance_s) {
    StripeSignatureHeader h;
    if (secret.empty() || !parse_stripe_signature(header, h)) return StripeSignatureCheck::malformed;
    std::string signed_payload = std::to_string(h.timestamp);
    signed_payload += '.';
    signed_payload += payload;
    std::string expected = crypto::hmac_sha256_hex(secret, signed_payload);
    bool match = false;
    for (auto& v : h.v1) match = crypto::equal_constant_time(v, expected) || match;  // no early exit
    if (!match) return StripeSignatureCheck::mismatch;
    std::int64_t age = now_s - h.timestamp;
    if (age > tolerance_s || age < -tolerance_s) return StripeSignatureCheck::stale;
    return StripeSignatureCheck::ok;
}

std::string stripe_signature_for(std::string_view payload, std::string_view secret, std::int64_t timestamp) {
    std::string t = std::to_string(timestamp);
    return "t=" + t + ",v1=" + crypto::hmac_sha256_hex(secret, t + "." + std::string(payload));
}

}  // namespace shop::payment::domain
