#pragma once
// notification: templates, messages and their delivery (mail to files by default).
#include <cstdint>
#include <string>
#include <vector>

namespace shop::notification {

struct MessageSummary {
    std::string id;
    std::string template_key;
    std::string recipient;
    std::string subject;
    std::string status;  ///< queued | sent | failed
    std::string created_at;
    std::int64_t attempts = 0;
    std::string error;
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
