#include "domain/delivery.hpp"

#include <algorithm>

namespace shop::notification::domain {

std::optional<std::int64_t> retry_delay(const RetryPolicy& p, std::int64_t attempts, bool permanent) {
    if (permanent || attempts >= p.max_attempts) return std::nullopt;
    std::int64_t delay = p.base_ms;
    for (std::int64_t i = 1; i < attempts && delay < p.max_delay_ms; ++i) delay *= 2;
    return std::min(delay, p.max_delay_ms);
}

}  // namespace shop::notification::domain
