#include <doctest/doctest.h>

#include "identity/src/domain/credentials.hpp"

#include <optional>
#include <string>

using shop::identity::domain::normalize_email;
using shop::identity::domain::password_weakness;

namespace {

// An address of exactly `length` bytes at example.com.
std::string email_of_length(std::size_t length) {
    const std::string domain = "@example.com";
    return std::string(length - domain.size(), 'a') + domain;
}

}  // namespace

TEST_CASE("an email is trimmed and lower-cased") {
    CHECK(normalize_email("  Alice.Smith@Example.COM \t\n") == std::optional<std::string>("alice.smith@example.com"));
    CHECK(normalize_email("bob@shop.example") == std::optional<std::string>("bob@shop.example"));
    CHECK(normalize_email("a@b.c") == std::optional<std::string>("a@b.c"));
}

TEST_CASE("an email without exactly one @ is rejected") {
    CHECK_FALSE(normalize_email("alice.example.com"));
    CHECK_FALSE(normalize_email("alice@@example.com"));
    CHECK_FALSE(normalize_email("alice@bob@example.com"));
    CHECK_FALSE(normalize_email("@example.com"));
}

TEST_CASE("an email whose domain has no inner dot is rejected") {
    CHECK_FALSE(normalize_email("alice@localhost"));
    CHECK_FALSE(normalize_email("alice@.com"));
    CHECK_FALSE(normalize_email("alice@example."));
    CHECK_FALSE(normalize_email("alice@"));
}

TEST_CASE("an email with spaces or list punctuation inside is rejected") {
    CHECK_FALSE(normalize_email("al ice@example.com"));
    CHECK_FALSE(normalize_email("alice@exa\tmple.com"));
    CHECK_FALSE(normalize_email("<alice@example.com>"));
    CHECK_FALSE(normalize_email("alice@example.com,bob@example.com"));
    CHECK_FALSE(normalize_email("alice@example.com;bob@example.com"));
}

TEST_CASE("an empty or blank email is rejected") {
    CHECK_FALSE(normalize_email(""));
    CHECK_FALSE(normalize_email("   "));
    CHECK_FALSE(normalize_email("a@"));
}

TEST_CASE("an email may be at most 254 bytes long, not counting surrounding spaces") {
    const std::string longest = email_of_length(254);
    REQUIRE(longest.size() == 254);
    CHECK(normalize_email(longest) == std::optional<std::string>(longest));
    CHECK(normalize_email("  " + longest + "  ") == std::optional<std::string>(longest));
    CHECK_FALSE(normalize_email(email_of_length(255)));
}

TEST_CASE("a long password with varied characters is accepted") {
    CHECK(password_weakness("correct horse battery staple", "alice@example.com") == std::nullopt);
    CHECK(password_weakness("abcdefghij", "alice@example.com") == std::nullopt);
}

TEST_CASE("a password must be between 10 and 128 bytes") {
    CHECK(password_weakness("abcdefghi", "alice@example.com") ==
          std::optional<std::string>("must be at least 10 characters"));
    CHECK(password_weakness("", "alice@example.com") == std::optional<std::string>("must be at least 10 characters"));

    std::string longest;
    while (longest.size() < 128) longest += "abcdefgh";
    REQUIRE(longest.size() == 128);
    CHECK(password_weakness(longest, "alice@example.com") == std::nullopt);
    CHECK(password_weakness(longest + "x", "alice@example.com") ==
          std::optional<std::string>("must be at most 128 characters"));
}

TEST_CASE("a well-known password is rejected whatever its case") {
    CHECK(password_weakness("password123", "alice@example.com") ==
          std::optional<std::string>("is a well-known password"));
    CHECK(password_weakness("PassWord123", "alice@example.com") ==
          std::optional<std::string>("is a well-known password"));
    CHECK(password_weakness("QWERTYUIOP", "alice@example.com") ==
          std::optional<std::string>("is a well-known password"));
    CHECK(password_weakness("1q2w3e4r5t", "") == std::optional<std::string>("is a well-known password"));
}

TEST_CASE("a password equal to the email or its local part is rejected") {
    const std::string mine = "must not be your email address";
    SUBCASE("the whole address") {
        CHECK(password_weakness("alice.smith@example.com", "alice.smith@example.com") ==
              std::optional<std::string>(mine));
    }
    SUBCASE("the whole address in another case") {
        CHECK(password_weakness("Alice.Smith@Example.com", "alice.smith@example.com") ==
              std::optional<std::string>(mine));
    }
    SUBCASE("the local part") {
        CHECK(password_weakness("alice.smith", "alice.smith@example.com") == std::optional<std::string>(mine));
        CHECK(password_weakness("ALICE.SMITH", "alice.smith@example.com") == std::optional<std::string>(mine));
    }
    SUBCASE("a password that merely contains the local part is fine") {
        CHECK(password_weakness("alice.smith-rocks", "alice.smith@example.com") == std::nullopt);
    }
    SUBCASE("the local part of someone else's address is fine") {
        CHECK(password_weakness("alice.smith", "bob.jones@example.com") == std::nullopt);
    }
}

TEST_CASE("a password needs at least 5 different characters, case-insensitively") {
    const std::string few = "must contain at least 5 different characters";
    CHECK(password_weakness("aaaaaaaaaaaa", "alice@example.com") == std::optional<std::string>(few));
    CHECK(password_weakness("abcdabcdabcd", "alice@example.com") == std::optional<std::string>(few));
    CHECK(password_weakness("aAbBcCdDaAbB", "alice@example.com") == std::optional<std::string>(few));
    CHECK(password_weakness("abcdeabcdeab", "alice@example.com") == std::nullopt);
}
