#include "notification_service.hpp"

#include <fmt/format.h>

#include "domain/templates.hpp"
#include "platform/db.hpp"

namespace shop::notification {

std::vector<MessageSummary> NotificationService::messages(const std::string& status, int limit) {
    std::vector<MessageSummary> out;
    db_.read([&](soci::session& s) {
        soci::rowset<soci::row> rs = (s.prepare << "SELECT id, template_key, recipient, subject, status, created_at "
                                                   "FROM notification.messages WHERE (:st = '' OR status = :st) "
                                                   "ORDER BY id DESC LIMIT :n",
                                      soci::use(status, "st"), soci::use(limit, "n"));
        for (auto& r : rs)
            out.push_back({db::col_str(r, 0), db::col_str(r, 1), db::col_str(r, 2), db::col_str(r, 3), db::col_str(r, 4),
                           db::col_str(r, 5)});
    });
    return out;
}

void NotificationService::send_templated(db::Tx& tx, const std::string& event_id, const std::string& key, const std::string& to,
                                         std::map<std::string, std::string, std::less<>> vars) {
    auto& s = tx.sql();
    int already = 0;
    s << "SELECT COUNT(*) FROM notification.messages WHERE event_id = :e AND template_key = :k", soci::into(already),
        soci::use(event_id), soci::use(key);
    if (already) return;
    std::string subject_t, body_t;
    soci::indicator ind = soci::i_null;
    s << "SELECT subject, body FROM notification.templates WHERE key = :k AND channel = 'email' AND locale = 'en'",
        soci::into(subject_t, ind), soci::into(body_t), soci::use(key);
    if (ind != soci::i_ok) throw std::runtime_error("no email template '" + key + "'");
    MailMessage m;
    m.id = event_id + "-" + key;
    m.from = from_;
    m.to = to;
    m.subject = domain::render(subject_t, vars);
    m.body = domain::render(body_t, vars);
    std::string location = sender_->send(m);  // throws -> the event is retried, then parked
    std::string id = new_id("msg"), status = "sent", channel = "email", at = now_iso8601();
    s << "INSERT INTO notification.messages (id, event_id, template_key, channel, recipient, subject, body, status, location, "
         "created_at) VALUES (:id, :e, :k, :ch, :r, :s, :b, :st, :loc, :at)",
        soci::use(id), soci::use(event_id), soci::use(key), soci::use(channel), soci::use(to), soci::use(m.subject),
        soci::use(m.body), soci::use(status), soci::use(location), soci::use(at);
    log_.info("mail sent", {{"template", key}, {"message_id", id}, {"correlation_id", tx.ctx().correlation_id}});
}

}  // namespace shop::notification
