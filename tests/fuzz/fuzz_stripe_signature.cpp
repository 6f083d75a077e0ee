// The Stripe-Signature header parser and verifier (modules/payment/src/domain/stripe_signature.*).
// Input: the header, then optionally '\n' and the payload it is checked against.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/stripe_signature.hpp"
#include "fuzz_check.hpp"

using namespace shop::payment::domain;
using shop::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto nl = in.find('\n');
    std::string_view header = in.substr(0, nl);
    std::string_view payload = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);

    StripeSignatureHeader h;
    bool parsed = parse_stripe_signature(header, h);
    if (parsed) {
        check(h.timestamp > 0, "a parsed header has a positive timestamp", header);
        check(!h.v1.empty(), "a parsed header has a v1 signature", header);
        for (auto& v : h.v1) check(v.size() == 64 && v.find_first_not_of("0123456789abcdef") == std::string::npos, "v1 is 64 hex digits", v);
    }

    constexpr std::string_view kSecret = "whsec_fuzz";
    auto result = verify_stripe_signature(header, payload, kSecret, 1'700'000'000, 300);
    check(parsed || result == StripeSignatureCheck::malformed, "an unparsable header is malformed", header);
    check(verify_stripe_signature(header, payload, "", 1'700'000'000, 300) == StripeSignatureCheck::malformed,
          "an empty secret never verifies", header);

    // What Stripe would send for this payload verifies at its own time, from either clock edge,
    // and not with another secret; one tolerance second later it is stale.
    std::int64_t t = parsed ? h.timestamp : 1'700'000'000;
    std::string good = stripe_signature_for(payload, kSecret, t);
    check(verify_stripe_signature(good, payload, kSecret, t, 300) == StripeSignatureCheck::ok, "a genuine signature verifies", good);
    if (t <= INT64_MAX - 301) {
        check(verify_stripe_signature(good, payload, kSecret, t + 300, 300) == StripeSignatureCheck::ok, "the tolerance is inclusive", good);
        check(verify_stripe_signature(good, payload, kSecret, t + 301, 300) == StripeSignatureCheck::stale, "an old signature is stale", good);
    }
    check(verify_stripe_signature(good, payload, "whsec_other", t, 300) == StripeSignatureCheck::mismatch, "another secret mismatches", good);
    // The genuine v1 appended to a fuzzed header (secret rotation sends several) still verifies
    // when the fuzzed part holds no other t=.
    if (parsed) {
        std::string rotated = std::string(header) + ",v1=" + good.substr(good.find("v1=") + 3);
        check(verify_stripe_signature(rotated, payload, kSecret, t, 300) == StripeSignatureCheck::ok, "any matching v1 verifies", rotated);
    }
    return 0;
}
