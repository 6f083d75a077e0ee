#pragma once
// One webhook attempt over HTTP(S) with libcurl: a POST of a JSON body with the given headers,
// no redirects followed, within a timeout.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace shop::notification {

struct WebhookPost {
    std::string url;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds timeout{10000};
};

struct WebhookOutcome {
    long http_status = 0;         ///< 0: no answer (connection error, timeout)
    std::string error;            ///< "" when the receiver answered 2xx
    std::int64_t duration_ms = 0;
    bool ok() const noexcept { return error.empty(); }
};

/// Sends `p` and says how it went: a 2xx answer is success; another status (with the start of the
/// receiver's reply), a timeout or a connection error is a failure. Never throws for the network.
WebhookOutcome post_webhook(const WebhookPost& p);

}  // namespace shop::notification
