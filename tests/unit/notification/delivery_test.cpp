#include <doctest/doctest.h>

#include "notification/src/domain/delivery.hpp"

using shop::notification::domain::retry_delay;
using shop::notification::domain::RetryPolicy;

TEST_CASE("a transient failure waits twice as long after each attempt, up to the cap, then gives up") {
    RetryPolicy p{.max_attempts = 6, .base_ms = 1000, .max_delay_ms = 5000};
    struct Row {
        std::int64_t attempts;
        std::optional<std::int64_t> delay;
    };
    for (auto row : {Row{1, 1000}, Row{2, 2000}, Row{3, 4000}, Row{4, 5000}, Row{5, 5000}, Row{6, std::nullopt}, Row{7, std::nullopt}}) {
        auto attempts = row.attempts;  // not a structured binding: clang 14 cannot capture one (CAPTURE)
        auto delay = row.delay;
        CAPTURE(attempts);
        CHECK(retry_delay(p, attempts, false) == delay);
    }
}

TEST_CASE("a permanent failure is never retried") {
    RetryPolicy p{.max_attempts = 6, .base_ms = 1000, .max_delay_ms = 5000};
    CHECK(retry_delay(p, 1, true) == std::nullopt);
}

TEST_CASE("the backoff does not overflow after many attempts") {
    RetryPolicy p{.max_attempts = 1000, .base_ms = 30000, .max_delay_ms = 3600000};
    CHECK(retry_delay(p, 999, false) == 3600000);
}
