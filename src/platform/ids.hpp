#pragma once
#include <cstdint>
#include <optional>
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

/// Epoch milliseconds of an RFC 3339 date-time (`2026-12-01T09:30:00Z`, `...T09:30:00.5+01:00`);
/// nullopt when `text` is not one (or names a day that does not exist).
std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept;

}  // namespace shop
