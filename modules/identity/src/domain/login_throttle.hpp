#pragma once
// Login throttling without a lockout anyone can trigger. Pure: the caller passes the time.
//
// - Per (account, where): `where` is the client address, or the known device the request comes
//   from. The first `free_failures` failures cost nothing; each further one doubles the wait
//   before the next try (1 s, 2 s, 4 s, ... up to `max_delay_s`). A success, or a quiet
//   `reset_after_s`, forgets them. Someone guessing from elsewhere slows only their own
//   (account, address) pair: the owner signing in from a known device is not held up.
// - Per address across accounts: at most `address_failures` failures in `address_window_s`, so
//   one address cannot spread its guesses over many accounts. A known device is exempt (its
//   address may be shared with the guesser, behind one NAT).
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shop::identity::domain {

struct ThrottlePolicy {
    int free_failures = 3;
    std::int64_t max_delay_s = 900;
    std::int64_t reset_after_s = 3600;
    int address_failures = 30;
    std::int64_t address_window_s = 900;
};

/// Thread-safe; memory stays bounded (expired entries are dropped as the table grows).
class LoginThrottle {
public:
    explicit LoginThrottle(ThrottlePolicy policy) : policy_(policy) {}

    /// Seconds to wait before `account` may try again from `where` (0 = now). `known_device`:
    /// `where` names a device that signed in to this account before (the address cap is skipped).
    std::int64_t wait_s(const std::string& account, const std::string& where, bool known_device, std::int64_t now_ms) const;
    /// A wrong password (or second factor) for `account` from `where`, sent from `address`.
    void failed(const std::string& account, const std::string& where, const std::string& address, bool known_device, std::int64_t now_ms);
    /// A sign-in succeeded: the failures of (account, where) are forgotten.
    void succeeded(const std::string& account, const std::string& where);

    /// The wait after `failures` consecutive failures (pure, for tests and docs).
    std::int64_t delay_after(int failures) const noexcept;

private:
    struct Pair {
        int failures = 0;
        std::int64_t last_ms = 0;
    };
    struct Address {
        int failures = 0;
        std::int64_t window_start_ms = 0;
    };
    void prune(std::int64_t now_ms);

    ThrottlePolicy policy_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Pair> pairs_;        // account + '\n' + where
    std::unordered_map<std::string, Address> addresses_;
};

}  // namespace shop::identity::domain
