#include <doctest/doctest.h>

#include "payment/src/domain/stripe_signature.hpp"

#include <string>
#include <vector>

using shop::payment::domain::parse_stripe_signature;
using shop::payment::domain::stripe_signature_for;
using shop::payment::domain::StripeSignatureCheck;
using shop::payment::domain::StripeSignatureHeader;
using shop::payment::domain::verify_stripe_signature;

namespace {
// HMAC-SHA256 values computed independently (Python's hmac module) for this payload and time.
const std::string kPayload = R"({"id":"evt_1","type":"payment_intent.succeeded"})";
const std::string kSecret = "whsec_test_secret";
const std::string kGood = "22d8dc182f5c588077683bd378368e29765bfe5df2560112b4f28fef120f0e31";
const std::string kOtherSecretSig = "fd1bfea9611123bdabc198314fcbcdd375eb7fc1afebb5148d282d3803151dff";
constexpr std::int64_t kT = 1700000000;
}  // namespace

TEST_CASE("a Stripe signature made with the endpoint secret verifies") {
    CHECK(verify_stripe_signature("t=1700000000,v1=" + kGood, kPayload, kSecret, kT + 10, 300) == StripeSignatureCheck::ok);
    CHECK(stripe_signature_for(kPayload, kSecret, kT) == "t=1700000000,v1=" + kGood);
}

TEST_CASE("any of several v1 values may match, and v0 or unknown schemes are ignored") {
    std::string header = "t=1700000000, v1=" + kOtherSecretSig + ", v0=abc, v1=" + kGood + ",x=1";
    CHECK(verify_stripe_signature(header, kPayload, kSecret, kT, 300) == StripeSignatureCheck::ok);
    StripeSignatureHeader h;
    REQUIRE(parse_stripe_signature(header, h));
    CHECK(h.timestamp == kT);
    CHECK(h.v1.size() == 2);
}

TEST_CASE("a tampered payload, another secret or a signature without v1 is refused") {
    std::string header = "t=1700000000,v1=" + kGood;
    CHECK(verify_stripe_signature(header, kPayload + " ", kSecret, kT, 300) == StripeSignatureCheck::mismatch);
    CHECK(verify_stripe_signature(header, kPayload, "whsec_other", kT, 300) == StripeSignatureCheck::mismatch);
    CHECK(verify_stripe_signature("t=1700000000,v1=" + kOtherSecretSig, kPayload, kSecret, kT, 300) == StripeSignatureCheck::mismatch);
    CHECK(verify_stripe_signature("t=1700000000,v0=" + kGood, kPayload, kSecret, kT, 300) == StripeSignatureCheck::malformed);
    // The timestamp is part of what is signed: moving it breaks the signature.
    CHECK(verify_stripe_signature("t=1700000001,v1=" + kGood, kPayload, kSecret, kT, 300) == StripeSignatureCheck::mismatch);
}

TEST_CASE("a correctly signed but stale or future Stripe event is refused") {
    std::string header = "t=1700000000,v1=" + kGood;
    CHECK(verify_stripe_signature(header, kPayload, kSecret, kT + 300, 300) == StripeSignatureCheck::ok);
    CHECK(verify_stripe_signature(header, kPayload, kSecret, kT + 301, 300) == StripeSignatureCheck::stale);
    CHECK(verify_stripe_signature(header, kPayload, kSecret, kT - 301, 300) == StripeSignatureCheck::stale);
}

TEST_CASE("malformed Stripe-Signature headers are refused without a match attempt") {
    for (const std::string& h : std::vector<std::string>{"", "t=", "t=abc,v1=" + kGood, "t=-5,v1=" + kGood, "v1=" + kGood, "t=1700000000", "t=1700000000,v1=",
                          "t=1700000000,v1=" + kGood.substr(1), "t=1700000000,v1=" + std::string(64, 'G'), ",,,", "t=17e8,v1=" + kGood}) {
        CAPTURE(h);
        CHECK(verify_stripe_signature(h, kPayload, kSecret, kT, 300) == StripeSignatureCheck::malformed);
    }
    CHECK(verify_stripe_signature("t=1700000000,v1=" + kGood, kPayload, "", kT, 300) == StripeSignatureCheck::malformed);
}
