#pragma once
// The local fake of Stripe's API (tests/support/fake_stripe.cjs, node) as a child process.
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace shop::test {

class FakeStripe {
public:
    inline static const std::string kSecretKey = "sk_test_shop_fake_key";
    inline static const std::string kWebhookSecret = "whsec_shop_fake_secret";

    /// Starts the fake; `webhook_url` (may be empty) receives the events it emits, signed with
    /// kWebhookSecret by the official `stripe` npm package.
    explicit FakeStripe(const std::string& webhook_url = "");
    ~FakeStripe();
    FakeStripe(const FakeStripe&) = delete;
    FakeStripe& operator=(const FakeStripe&) = delete;

    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

/// A `Stripe-Signature` header for `payload` made by the official `stripe` npm package
/// (`webhooks.generateTestHeaderString`), at `timestamp` (unix seconds; 0 = now).
std::string stripe_npm_signature(const std::string& payload, const std::string& secret, std::int64_t timestamp = 0);

}  // namespace shop::test
