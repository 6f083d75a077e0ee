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
    std::string status;  ///< sent | failed
    std::string created_at;
};

/// The service face of notification. Thread-safe.
class NotificationApi {
public:
    virtual ~NotificationApi() = default;
    /// Messages, newest first, optionally only those in `status`.
    virtual std::vector<MessageSummary> messages(const std::string& status, int limit) = 0;
};

}  // namespace shop::notification
