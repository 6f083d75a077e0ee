#pragma once
// The SMS and push channels: one HTTP POST per message to a provider (Twilio-style form posts,
// FCM-style JSON), its body made from a Mustache template of `to`, `subject` and `text` escaped for
// the body's content type. Sent with libcurl.
#include <chrono>
#include <string>

#include "sender.hpp"

namespace shop::notification {

struct HttpProviderSettings {
    std::string channel;        ///< sms | push (for messages)
    std::string url;            ///< http(s) endpoint
    std::string authorization;  ///< the whole Authorization header value ("" = none): "Basic …", "Bearer …"
    std::string body;           ///< Mustache template of the request body: {{to}}, {{subject}}, {{text}}
    std::string content_type;   ///< application/json | application/x-www-form-urlencoded
    std::chrono::milliseconds timeout{10000};
};

class HttpProviderSender final : public Sender {
public:
    /// Throws std::invalid_argument naming the setting when the URL, content type or body template
    /// cannot be used.
    explicit HttpProviderSender(HttpProviderSettings s);
    /// A 2xx answer is sent (returns "HTTP <status> <reply, shortened>"); a 4xx other than 408 and
    /// 429 is a refusal (DeliveryError, permanent); anything else (5xx, 408, 429, a timeout, no
    /// connection) is a transient failure.
    std::string send(const Outgoing& m) override;

private:
    HttpProviderSettings s_;
};

}  // namespace shop::notification
