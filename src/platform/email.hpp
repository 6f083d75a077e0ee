#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace shop {

/// The address lower-cased and trimmed if it is a plausible mailbox: one '@', a dot in the
/// domain, at most 254 bytes, and no whitespace, control or header-breaking characters — so it
/// is safe to put in a mail header.
std::optional<std::string> normalize_email(std::string_view email);

}  // namespace shop
