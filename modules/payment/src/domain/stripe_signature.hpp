#pragma once
// Stripe webhook signatures (https://docs.stripe.com/webhooks#verify-manually): the
// `Stripe-Signature` header carries `t=<unix seconds>` and one or more `v1=<hex HMAC-SHA256>` over
// "<t>.<raw body>" with the endpoint's signing secret. Pure: no I/O, the clock is a parameter.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::payment::domain {

struct StripeSignatureHeader {
    std::int64_t timestamp = 0;
    std::vector<std::string> v1;  ///< every v1 value, in header order (secret rotation sends two)
};

/// Parses the header; false when it has no valid `t=` or no `v1=` (other schemes such as v0 are
/// ignored, as Stripe's libraries do).
bool parse_stripe_signature(std::string_view header, StripeSignatureHeader& out);

enum class StripeSignatureCheck { ok, malformed, stale, mismatch };

/// Checks `header` against `payload` signed with `secret`: some v1 must match (compared in
/// constant time) and the timestamp must lie within `tolerance_s` of `now_s` either way.
StripeSignatureCheck verify_stripe_signature(std::string_view header, std::string_view payload, std::string_view secret,
                                             std::int64_t now_s, std::int64_t tolerance_s);

/// The value of a `Stripe-Signature` header for `payload` at `timestamp` (what Stripe sends;
/// used by the provider's own tests and the fake).
std::string stripe_signature_for(std::string_view payload, std::string_view secret, std::int64_t timestamp);

}  // namespace shop::payment::domain
