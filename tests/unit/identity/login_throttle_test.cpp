#include <doctest/doctest.h>

#include "identity/src/domain/login_throttle.hpp"

using shop::identity::domain::LoginThrottle;
using shop::identity::domain::ThrottlePolicy;

namespace {
constexpr std::int64_t kT0 = 1'700'000'000'000;  // ms
ThrottlePolicy policy() { return ThrottlePolicy{3, 900, 3600, 10, 900}; }
}  // namespace

TEST_CASE("the wait grows by doubling after the free failures, up to the cap") {
    LoginThrottle t(policy());
    CHECK(t.delay_after(0) == 0);
    CHECK(t.delay_after(2) == 0);
    CHECK(t.delay_after(3) == 1);
    CHECK(t.delay_after(4) == 2);
    CHECK(t.delay_after(5) == 4);
    CHECK(t.delay_after(12) == 512);
    CHECK(t.delay_after(13) == 900);
    CHECK(t.delay_after(1000) == 900);
}

TEST_CASE("failures of one account from one address hold back only that pair") {
    LoginThrottle t(policy());
    for (int i = 0; i < 3; ++i) {
        CHECK(t.wait_s("ann", "10.0.0.1", false, kT0) == 0);
        t.failed("ann", "10.0.0.1", "10.0.0.1", false, kT0);
    }
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0) == 1);
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0 + 999) == 1);
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0 + 1000) == 0);
    CHECK(t.wait_s("ann", "10.0.0.2", false, kT0) == 0);  // another address
    CHECK(t.wait_s("bob", "10.0.0.1", false, kT0) == 0);  // another account
    CHECK(t.wait_s("ann", "device:abc", true, kT0) == 0);  // the owner's known device
    t.failed("ann", "10.0.0.1", "10.0.0.1", false, kT0 + 1000);
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0 + 1000) == 2);
    t.succeeded("ann", "10.0.0.1");
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0 + 1000) == 0);
}

TEST_CASE("failures are forgotten after a quiet hour") {
    LoginThrottle t(policy());
    for (int i = 0; i < 6; ++i) t.failed("ann", "10.0.0.1", "10.0.0.1", false, kT0);
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0) == 8);
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0 + 3600 * 1000) == 0);
    t.failed("ann", "10.0.0.1", "10.0.0.1", false, kT0 + 3600 * 1000);
    CHECK(t.wait_s("ann", "10.0.0.1", false, kT0 + 3600 * 1000) == 0);  // counting starts again
}

TEST_CASE("one address guessing across accounts meets the per-address cap - known devices do not") {
    LoginThrottle t(policy());
    for (int i = 0; i < 10; ++i) t.failed("user" + std::to_string(i), "10.0.0.9", "10.0.0.9", false, kT0 + i);
    CHECK(t.wait_s("fresh-account", "10.0.0.9", false, kT0 + 10) == 900);
    CHECK(t.wait_s("fresh-account", "10.0.0.9", false, kT0 + 600 * 1000) == 300);
    CHECK(t.wait_s("fresh-account", "10.0.0.9", false, kT0 + 900 * 1000) == 0);
    CHECK(t.wait_s("owner", "device:xyz", true, kT0 + 10) == 0);
    CHECK(t.wait_s("fresh-account", "10.0.0.10", false, kT0 + 10) == 0);
    // Failures from a known device count against that device only.
    for (int i = 0; i < 20; ++i) t.failed("owner", "device:xyz", "10.0.0.11", true, kT0);
    CHECK(t.wait_s("other", "10.0.0.11", false, kT0) == 0);
    CHECK(t.wait_s("owner", "device:xyz", true, kT0) == 900);
}
