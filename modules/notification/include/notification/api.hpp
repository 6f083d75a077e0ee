#pragma once
// notification: templates, messages and their delivery through channel senders (email: files or SMTP).
#include <cstdint>
#include <string>
#include <vector>

namespace shop::notification {

/// One delivery attempt of a message.
struct AttemptSummary {
    std::int64_t attempt = 0;  ///< 1, 2, ...
    std::string at;            ///< RFC 3339
    std::string outcome;       ///< sent | failed (transient, retried) | rejected (refused for good)
    std::string error;         ///< the provider's or transport's words ("" when sent)
};

struct MessageSummary {
    std::string id;
    std::string template_key;
    std::string channel;
    std::string recipient;
    std::string subject;
    std::string status;  ///< queued | sent | failed
    std::string created_at;
    std::int64_t attempts = 0;
    std::string error;
    std::string next_attempt_at;  ///< when a queued message is tried next ("" unless queued)
    std::vector<AttemptSummary> attempt_log;
};

/// The service face of notification. Thread-safe.
class NotificationApi {
public:
    virtual ~NotificationApi() = default;
    /// Messages, newest first, older than the message `before` (all when empty), optionally only
    /// those in `status`.
    virtual std::vector<MessageSummary> messages(const std::string& status, const std::string& before, int limit) = 0;
};

}  // namespace shop::notification
