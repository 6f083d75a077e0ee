#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace shop {

/// A prefixed, time-ordered public id: `<prefix>_` + 26 Crockford base32 characters
/// (48-bit millisecond timestamp + 80 random bits, monotonic within a process).
/// Lexicographic order of ids of one prefix is creation order. Thread-safe.
std::string new_id(std::string_view prefix);

/// True when `id` has the form new_id(prefix) produces.
bool is_id(std::string_view id, std::string_view prefix) noexcept;

/// Milliseconds since the Unix epoch.
std::int64_t now_ms() noexcept;

/// RFC 3339 UTC timestamp with milliseconds (`2026-11-21T08:39:32.123Z`).
std::string iso8601(std::int64_t epoch_ms);
inline std::string now_iso8601() { return iso8601(now_ms()); }

}  // namespace shop
