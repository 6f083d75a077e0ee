#pragma once
// Pure card rules: Luhn, brand, and what the sandbox does with Stripe's test numbers. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shop::payment::domain {

/// Digits of a card number with spaces and dashes removed, if it is 12..19 digits.
std::optional<std::string> card_digits(std::string_view number);
bool luhn_valid(std::string_view digits) noexcept;
/// visa | mastercard | amex | discover | unknown
std::string card_brand(std::string_view digits);

/// What the sandbox provider answers for a test card, as Stripe's test numbers do.
struct SandboxOutcome {
    std::string status;        ///< succeeded | failed | requires_action
    std::string failure_code;  ///< card_declined | insufficient_funds (failed only)
    std::string message;
};
SandboxOutcome sandbox_outcome(std::string_view outcome_key);
/// The outcome key carried by a token: 4000000000000002 -> "card_declined", and so on.
std::string sandbox_outcome_key(std::string_view digits);

/// What a sandbox token stands for: what a receipt shows and the outcome the sandbox will give.
/// Never the card number.
struct SandboxCard {
    std::string brand;
    std::string last4;
    std::int64_t exp_month = 0;
    std::int64_t exp_year = 0;
    std::string outcome;  ///< a sandbox_outcome_key
};
/// A self-contained token for `card`, signed with `key` (HMAC-SHA256): nothing is stored to make
/// it, and only this key opens it. `nonce` makes every token of one card different.
std::string seal_sandbox_token(const SandboxCard& card, std::string_view key, std::string_view nonce);
/// The card of a token sealed with `key`; nullopt for anything else (forged, altered, malformed).
std::optional<SandboxCard> open_sandbox_token(std::string_view token, std::string_view key);

}  // namespace shop::payment::domain
