#pragma once
// Pure rules for credentials: what a valid email and an acceptable password are.
#include <optional>
#include <string>
#include <string_view>

namespace shop::identity::domain {

/// Lower-cased, trimmed email if it is plausible (one @, a dot in the domain, <= 254 bytes).
std::optional<std::string> normalize_email(std::string_view email);

/// Why a password is not acceptable, or nullopt when it is: 10..128 bytes, not a well-known
/// password, not the email or its local part, at least 5 distinct characters.
std::optional<std::string> password_weakness(std::string_view password, std::string_view email);

}  // namespace shop::identity::domain
