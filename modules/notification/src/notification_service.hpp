#pragma once
#include <map>
#include <memory>

#include "mail_sender.hpp"
#include "notification/api.hpp"
#include "platform/log.hpp"

namespace shop::db {
class Database;
class Tx;
}

namespace shop::notification {

class NotificationService final : public NotificationApi {
public:
    NotificationService(db::Database& db, Logger& log, std::unique_ptr<MailSender> sender, std::string from)
        : db_(db), log_(log), sender_(std::move(sender)), from_(std::move(from)) {}

    std::vector<MessageSummary> messages(const std::string& status, int limit) override;

    /// Renders template `key` with `vars` and mails it to `to`, exactly once per (event, template):
    /// the message row is written in the handler's transaction and the file name is derived from
    /// the event id, so a redelivered event neither duplicates the row nor the mail.
    void send_templated(db::Tx& tx, const std::string& event_id, const std::string& key, const std::string& to,
                        std::map<std::string, std::string, std::less<>> vars);

private:
    db::Database& db_;
    Logger& log_;
    std::unique_ptr<MailSender> sender_;
    std::string from_;
};

}  // namespace shop::notification
