#include <doctest/doctest.h>

#include "identity/src/domain/totp.hpp"

#include <string>
#include <vector>

using namespace shop::identity::domain;

namespace {
// RFC 6238 Appendix B and RFC 4226 Appendix D: the ASCII seed "12345678901234567890" for SHA-1.
const std::string kSeed = "12345678901234567890";
}  // namespace

TEST_CASE("TOTP matches the SHA-1 test vectors of RFC 6238 appendix B (8 digits)") {
    struct Vector {
        std::int64_t time;
        const char* code;
    };
    for (auto v : std::vector<Vector>{{59, "94287082"},
                                      {1111111109, "07081804"},
                                      {1111111111, "14050471"},
                                      {1234567890, "89005924"},
                                      {2000000000, "69279037"},
                                      {20000000000, "65353130"}}) {
        CAPTURE(v.time);
        CHECK(totp(kSeed, v.time, 8) == v.code);
    }
}

TEST_CASE("6-digit TOTP codes are the last six digits of the RFC 6238 vectors, zero-padded") {
    CHECK(totp(kSeed, 59) == "287082");
    CHECK(totp(kSeed, 1111111109) == "081804");  // a leading zero kept
    CHECK(totp(kSeed, 1234567890) == "005924");  // two leading zeros kept
    CHECK(totp(kSeed, 20000000000) == "353130");
}

TEST_CASE("HOTP matches the test values of RFC 4226 appendix D") {
    const char* expected[] = {"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"};
    for (std::uint64_t counter = 0; counter < 10; ++counter) {
        CAPTURE(counter);
        CHECK(hotp(kSeed, counter) == expected[counter]);
    }
    CHECK(hotp(kSeed, 1, 7) == "4287082");
    CHECK_THROWS(hotp(kSeed, 1, 5));
    CHECK_THROWS(hotp(kSeed, 1, 9));
}

TEST_CASE("a code is accepted one step either side of now and refused further off") {
    std::int64_t now = 1111111111;  // step 37037037
    CHECK(totp_match(kSeed, totp(kSeed, now), now) == totp_step(now));
    CHECK(totp_match(kSeed, totp(kSeed, now - 30), now) == totp_step(now) - 1);
    CHECK(totp_match(kSeed, totp(kSeed, now + 30), now) == totp_step(now) + 1);
    CHECK_FALSE(totp_match(kSeed, totp(kSeed, now - 60), now));
    CHECK_FALSE(totp_match(kSeed, totp(kSeed, now + 60), now));
    CHECK_FALSE(totp_match(kSeed, totp(kSeed, now, 8), now));  // 8 digits where 6 are asked
    CHECK_FALSE(totp_match(kSeed, "", now));
    CHECK_FALSE(totp_match("another key 12345678", totp(kSeed, now), now));
}

TEST_CASE("base32 round-trips and reads the RFC 4648 test vectors") {
    CHECK(base32_encode("") == "");
    CHECK(base32_encode("f") == "MY");
    CHECK(base32_encode("foobar") == "MZXW6YTBOI");
    CHECK(base32_encode(kSeed) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    CHECK(base32_decode("MZXW6YTBOI======") == std::optional<std::string>("foobar"));
    CHECK(base32_decode("mzxw 6ytb oi") == std::optional<std::string>("foobar"));
    CHECK_FALSE(base32_decode("MZXW1"));  // 1 is not in the alphabet
    std::string raw("\x00\xff\x10 binary\x7f", 11);
    CHECK(base32_decode(base32_encode(raw)) == std::optional<std::string>(raw));
}

TEST_CASE("the otpauth URL names issuer, account and secret as authenticator apps read them") {
    CHECK(otpauth_url("My Shop", "ann@example.com", "JBSWY3DPEHPK3PXP") ==
          "otpauth://totp/My%20Shop:ann%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=My%20Shop&algorithm=SHA1&digits=6&period=30");
}
