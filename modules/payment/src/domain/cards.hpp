#pragma once
// Pure card rules: Luhn, brand, and what the sandbox does with Stripe's test numbers. No I/O.
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
/// The outcome key stored with a token: 4000000000000002 -> "card_declined", and so on.
std::string sandbox_outcome_key(std::string_view digits);

}  // namespace shop::payment::domain
