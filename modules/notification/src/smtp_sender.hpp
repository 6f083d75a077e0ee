#pragma once
// The email channel over SMTP (libcurl): STARTTLS when the server offers it on smtp://, TLS from
// the first byte on smtps://, AUTH when a username is configured.
#include <chrono>
#include <string>

#include "sender.hpp"

namespace shop::notification {

struct SmtpSettings {
    std::string url;  ///< smtp://host:port or smtps://host:port
    std::string username;
    std::string password;  ///< never logged, never in an error message
    std::string from;      ///< the From header; its mailbox is the envelope sender
    std::chrono::milliseconds timeout{30000};
};

class SmtpMailSender final : public Sender {
public:
    /// Throws std::invalid_argument when the URL is not smtp:// or smtps://.
    explicit SmtpMailSender(SmtpSettings s);
    /// One SMTP conversation per message. A 5xx reply throws DeliveryError (permanent); a 4xx
    /// reply, a refused connection or a timeout throws DeliveryError (transient).
    std::string send(const Outgoing& m) override;

private:
    SmtpSettings s_;
};

}  // namespace shop::notification
