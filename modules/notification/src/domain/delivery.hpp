#pragma once
// When a failed delivery is tried again: pure rules, no I/O.
#include <cstdint>
#include <optional>

namespace shop::notification::domain {

struct RetryPolicy {
    std::int64_t max_attempts = 8;   ///< attempts in all, the first included
    std::int64_t base_ms = 30000;    ///< the wait after the first failure; doubled after each further one
    std::int64_t max_delay_ms = 3600000;
};

/// The wait before the next attempt after the `attempts`-th attempt failed (exponential backoff,
/// capped), or nullopt when the message is to fail now: the failure was permanent or the attempts
/// are used up.
std::optional<std::int64_t> retry_delay(const RetryPolicy& p, std::int64_t attempts, bool permanent);

}  // namespace shop::notification::domain
