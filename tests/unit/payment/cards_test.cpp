#include <doctest/doctest.h>

#include "payment/src/domain/cards.hpp"

#include <optional>
#include <string>

using shop::payment::domain::card_brand;
using shop::payment::domain::card_digits;
using shop::payment::domain::luhn_valid;
using shop::payment::domain::sandbox_outcome;
using shop::payment::domain::sandbox_outcome_key;
using shop::payment::domain::SandboxOutcome;

TEST_CASE("card digits are read with spaces and dashes removed") {
    CHECK(card_digits("4242424242424242") == std::optional<std::string>("4242424242424242"));
    CHECK(card_digits("4242 4242 4242 4242") == std::optional<std::string>("4242424242424242"));
    CHECK(card_digits("4242-4242-4242-4242") == std::optional<std::string>("4242424242424242"));
    CHECK(card_digits(" 3782 822463 10005 ") == std::optional<std::string>("378282246310005"));
}

TEST_CASE("a card number with anything but digits, spaces and dashes is refused") {
    CHECK_FALSE(card_digits("4242.4242.4242.4242"));
    CHECK_FALSE(card_digits("4242424242424242x"));
    CHECK_FALSE(card_digits("4242\t4242 4242 4242"));
    CHECK_FALSE(card_digits("four two four two"));
    CHECK_FALSE(card_digits("４242424242424242"));  // a full-width 4
}

TEST_CASE("a card number has 12 to 19 digits") {
    CHECK_FALSE(card_digits(""));
    CHECK_FALSE(card_digits("    "));
    CHECK_FALSE(card_digits(std::string(11, '4')));
    CHECK(card_digits(std::string(12, '4')) == std::optional<std::string>(std::string(12, '4')));
    CHECK(card_digits(std::string(19, '4')) == std::optional<std::string>(std::string(19, '4')));
    CHECK_FALSE(card_digits(std::string(20, '4')));
    CHECK_FALSE(card_digits("4242 4242 4"));
}

TEST_CASE("the Luhn check accepts valid numbers") {
    for (const char* n :
         {"4242424242424242", "4000000000000002", "4000000000009995", "4000000000003220", "5555555555554444",
          "2223003122003222", "378282246310005", "6011111111111117", "79927398713"}) {
        CAPTURE(n);
        CHECK(luhn_valid(n));
    }
}

TEST_CASE("the Luhn check rejects a mistyped number") {
    CHECK_FALSE(luhn_valid("4242424242424241"));
    CHECK_FALSE(luhn_valid("4242424242424243"));
    CHECK_FALSE(luhn_valid("4242424242422442"));  // two digits swapped
    CHECK_FALSE(luhn_valid("79927398710"));
    CHECK_FALSE(luhn_valid("378282246310006"));
    CHECK_FALSE(luhn_valid(""));
}

TEST_CASE("the brand is read from the leading digits") {
    SUBCASE("visa") {
        CHECK(card_brand("4242424242424242") == "visa");
        CHECK(card_brand("4000056655665556") == "visa");
    }
    SUBCASE("mastercard 51-55") {
        CHECK(card_brand("5555555555554444") == "mastercard");
        CHECK(card_brand("5105105105105100") == "mastercard");
        CHECK(card_brand("5500000000000004") == "mastercard");
        CHECK(card_brand("5000000000000009") == "unknown");
        CHECK(card_brand("5600000000000003") == "unknown");
    }
    SUBCASE("mastercard 2221-2720") {
        CHECK(card_brand("2223003122003222") == "mastercard");
        CHECK(card_brand("2221000000000009") == "mastercard");
        CHECK(card_brand("2720990000000007") == "mastercard");
        CHECK(card_brand("2220990000000000") == "unknown");
        CHECK(card_brand("2721000000000000") == "unknown");
    }
    SUBCASE("amex") {
        CHECK(card_brand("378282246310005") == "amex");
        CHECK(card_brand("371449635398431") == "amex");
        CHECK(card_brand("340000000000009") == "amex");
        CHECK(card_brand("350000000000000") == "unknown");
    }
    SUBCASE("discover") {
        CHECK(card_brand("6011111111111117") == "discover");
        CHECK(card_brand("6500000000000002") == "discover");
        CHECK(card_brand("6012000000000000") == "unknown");
    }
    SUBCASE("others") {
        CHECK(card_brand("3056930009020004") == "unknown");  // Diners Club
        CHECK(card_brand("3566002020360505") == "unknown");  // JCB
        CHECK(card_brand("1234567890123") == "unknown");
        CHECK(card_brand("5") == "unknown");
        CHECK(card_brand("") == "unknown");
    }
}

TEST_CASE("the sandbox answers Stripe's test card numbers as Stripe does") {
    CHECK(sandbox_outcome_key("4242424242424242") == "succeeded");
    CHECK(sandbox_outcome_key("4000000000000002") == "card_declined");
    CHECK(sandbox_outcome_key("4000000000009995") == "insufficient_funds");
    CHECK(sandbox_outcome_key("4000000000003220") == "requires_action");
    CHECK(sandbox_outcome_key("5555555555554444") == "succeeded");
}

TEST_CASE("a formatted test card number reaches the same sandbox outcome") {
    auto digits = card_digits("4000 0000 0000 0002");
    REQUIRE(digits);
    CHECK(sandbox_outcome_key(*digits) == "card_declined");
    CHECK(sandbox_outcome_key("4000 0000 0000 0002") == "succeeded");  // the key wants bare digits
}

TEST_CASE("each sandbox outcome key maps to a status, a failure code and a message") {
    SUBCASE("card_declined") {
        SandboxOutcome o = sandbox_outcome("card_declined");
        CHECK(o.status == "failed");
        CHECK(o.failure_code == "card_declined");
        CHECK(o.message == "Your card was declined.");
    }
    SUBCASE("insufficient_funds") {
        SandboxOutcome o = sandbox_outcome("insufficient_funds");
        CHECK(o.status == "failed");
        CHECK(o.failure_code == "insufficient_funds");
        CHECK(o.message == "Your card has insufficient funds.");
    }
    SUBCASE("requires_action") {
        SandboxOutcome o = sandbox_outcome("requires_action");
        CHECK(o.status == "requires_action");
        CHECK(o.failure_code == "");
        CHECK_FALSE(o.message.empty());
    }
    SUBCASE("succeeded") {
        SandboxOutcome o = sandbox_outcome("succeeded");
        CHECK(o.status == "succeeded");
        CHECK(o.failure_code == "");
        CHECK(o.message == "");
    }
}

TEST_CASE("every test card number leads to the outcome its key promises") {
    CHECK(sandbox_outcome(sandbox_outcome_key("4242424242424242")).status == "succeeded");
    CHECK(sandbox_outcome(sandbox_outcome_key("4000000000000002")).failure_code == "card_declined");
    CHECK(sandbox_outcome(sandbox_outcome_key("4000000000009995")).failure_code == "insufficient_funds");
    CHECK(sandbox_outcome(sandbox_outcome_key("4000000000003220")).status == "requires_action");
}

TEST_CASE("a sandbox token carries its card's receipt fields and outcome, and only its key opens it") {
    using namespace shop::payment::domain;
    SandboxCard card{"visa", "0002", 12, 2099, "card_declined"};
    auto token = seal_sandbox_token(card, "key-one", "nonce-1");
    CHECK(token.rfind("tok_", 0) == 0);
    CHECK(token.find("4000000000000002") == std::string::npos);
    auto opened = open_sandbox_token(token, "key-one");
    REQUIRE(opened);
    CHECK(opened->brand == "visa");
    CHECK(opened->last4 == "0002");
    CHECK(opened->exp_month == 12);
    CHECK(opened->exp_year == 2099);
    CHECK(opened->outcome == "card_declined");
    CHECK(seal_sandbox_token(card, "key-one", "nonce-2") != token);
    CHECK_FALSE(open_sandbox_token(token, "key-two"));  // another database's key
    // An altered outcome breaks the signature.
    auto forged = seal_sandbox_token(SandboxCard{"visa", "0002", 12, 2099, "succeeded"}, "key-one", "nonce-1");
    auto mixed = forged.substr(0, forged.find('.')) + token.substr(token.find('.'));
    CHECK_FALSE(open_sandbox_token(mixed, "key-one"));
    CHECK_FALSE(open_sandbox_token("tok_garbage", "key-one"));
    CHECK_FALSE(open_sandbox_token("", "key-one"));
}
