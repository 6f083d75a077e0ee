#pragma once
// A webhook receiver for tests (tests/support/webhook_receiver.py, Python's http.server) as a
// child process: it keeps every POST with whether its Shop-Signature verifies (Python's hmac, with
// the secret given for its path), and answers as told: ok (204), fail (500) or slow (a delay).
#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace shop::test {

class WebhookReceiver {
public:
    WebhookReceiver();
    ~WebhookReceiver();
    std::uint16_t port() const { return port_; }
    /// The URL of `path` on this receiver.
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    /// The secret that deliveries to `path` must be signed with.
    void set_secret(const std::string& path, const std::string& secret);
    /// How the next requests are answered: "ok", "fail", or "slow <ms>".
    void set_mode(const std::string& mode);
    /// The requests received so far, oldest first: {path, headers (lower-case), body, answered, mode, signature_valid}.
    std::vector<boost::json::object> requests() const;

private:
    std::filesystem::path dir_;
    std::unique_ptr<ChildProcess> process_;
    std::uint16_t port_ = 0;
    boost::json::object secrets_;
};

}  // namespace shop::test
