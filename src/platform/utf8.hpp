#pragma once
// UTF-8 well-formedness: what JSON text must be (RFC 8259), checked where bytes from outside
// (a path, a query parameter, a CSV cell) could otherwise reach a reply.
#include <string>
#include <string_view>

namespace shop {

/// Whether `s` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
/// U+10FFFF, no truncated sequence.
bool valid_utf8(std::string_view s) noexcept;

/// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string replace_invalid_utf8(std::string_view s);

}  // namespace shop
