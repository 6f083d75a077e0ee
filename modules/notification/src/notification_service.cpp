#include "notification_service.hpp"

#include <fmt/format.h>

#include "domain/templates.hpp"
#include "platform/db.hpp"

namespace shop::notification {

namespace {
constexpr int kMaxAttempts = 6;
constexpr std::int64_t kBackoffBaseMs = 1000;
constexpr int kBatch = 50;
}  // namespace

NotificationService::~NotificationService() { stop(); }

std::vector<MessageSummary> NotificationService::messages(const std::string& status, const std::string& before, int limit) {
    std::vector<MessageSummary> out;
    std::string cursor = before.empty() ? "~" : before;  // '~' sorts after every id
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, template_key, recipient, subject, status, created_at, attempts, error FROM notification.messages "
                                 "WHERE id < ? AND (? = '' OR status = ?) ORDER BY id DESC LIMIT ?",
                                 cursor, status, status, limit))
            out.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.str(5), row.i64(6), row.str(7)});
    });
    return out;
}

void NotificationService::send_templated(db::Tx& tx, const std::string& event_id, const std::string& key, const std::string& to,
                                         std::map<std::string, std::string, std::less<>> vars) {
    if (tx.count("SELECT COUNT(*) FROM notification.messages WHERE event_id = ? AND template_key = ?", event_id, key)) return;
    auto tpl = tx.one("SELECT subject, body FROM notification.templates WHERE key = ? AND channel = 'email' AND locale = 'en'", key);
    if (!tpl) throw std::runtime_error("no email template '" + key + "'");
    std::string id = new_id("msg");
    tx.exec("INSERT INTO notification.messages (id, event_id, template_key, channel, recipient, subject, body, status, created_at) "
            "VALUES (?, ?, ?, 'email', ?, ?, ?, 'queued', ?)",
            id, event_id, key, to, domain::render(tpl->str(0), vars), domain::render(tpl->str(1), vars), now_iso8601());
    // Delivered by the sender once this transaction commits (never if it rolls back).
    tx.after_commit([this] { wake(); });
    log_.debug("mail queued", {{"template", key}, {"message_id", id}, {"correlation_id", tx.ctx().correlation_id}});
}

void NotificationService::wake() {
    {
        std::lock_guard lock(mu_);
        woken_ = true;
    }
    cv_.notify_one();
}

void NotificationService::start() {
    std::lock_guard lock(mu_);
    if (worker_.joinable()) return;
    stopping_ = false;
    worker_ = std::thread([this] {
        std::unique_lock lock(mu_);
        while (!stopping_) {
            lock.unlock();
            int sent = 0;
            try {
                sent = deliver_due();
            } catch (const std::exception& e) {
                log_.error("mail delivery pass failed", {{"error", e.what()}});
            }
            lock.lock();
            if (sent > 0 || stopping_) continue;
            cv_.wait_for(lock, std::chrono::seconds(1), [&] { return woken_ || stopping_; });
            woken_ = false;
        }
    });
}

void NotificationService::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();  // the message being sent is finished and recorded first
}

int NotificationService::deliver_due() {
    struct Due {
        std::string id, event_id, key, to, subject, body;
        std::int64_t attempts;
    };
    std::vector<Due> due;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, event_id, template_key, recipient, subject, body, attempts FROM notification.messages "
                                 "WHERE status = 'queued' AND next_attempt_ms <= ? ORDER BY id LIMIT ?",
                                 now_ms(), kBatch))
            due.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.str(5), row.i64(6)});
    });
    struct Outcome {
        const Due* due;
        std::string location, error;
    };
    std::vector<Outcome> outcomes;
    for (auto& d : due) {
        {
            std::lock_guard lock(mu_);
            if (stopping_) break;
        }
        MailMessage m;
        m.id = d.event_id + "-" + d.key;  // stable: a resend after a crash overwrites, never duplicates
        m.from = from_;
        m.to = d.to;
        m.subject = d.subject;
        m.body = d.body;
        try {
            outcomes.push_back({&d, sender_->send(m), ""});
        } catch (const std::exception& e) {
            outcomes.push_back({&d, "", e.what()});
        }
    }
    if (outcomes.empty()) return 0;
    try {
        sender_->sync();
    } catch (const std::exception& e) {
        // Not durable: nothing of this pass counts as sent; it is all sent again later.
        for (auto& o : outcomes)
            if (o.error.empty()) o.error = e.what();
    }
    // One transaction records the whole pass: a crash before it only means sending again, which
    // the stable message names make harmless.
    int sent = 0;
    Ctx ctx = Ctx::system("notification.sender");
    db_.write("notification", ctx, [&](db::Tx& tx) {
        sent = 0;
        std::string at = now_iso8601();
        for (auto& o : outcomes) {
            std::int64_t attempts = o.due->attempts + 1;
            if (o.error.empty()) {
                tx.exec("UPDATE notification.messages SET status = 'sent', attempts = ?, location = ?, error = '', sent_at = ? WHERE id = ?",
                        attempts, o.location, at, o.due->id);
                ++sent;
                continue;
            }
            bool give_up = attempts >= kMaxAttempts;
            std::int64_t next = now_ms() + (kBackoffBaseMs << std::min<std::int64_t>(attempts - 1, 16));
            tx.exec("UPDATE notification.messages SET status = ?, attempts = ?, next_attempt_ms = ?, error = ? WHERE id = ?",
                    give_up ? "failed" : "queued", attempts, next, o.error, o.due->id);
        }
    });
    for (auto& o : outcomes) {
        if (o.error.empty()) {
            log_.info("mail sent", {{"template", o.due->key}, {"message_id", o.due->id}});
            continue;
        }
        std::int64_t attempts = o.due->attempts + 1;
        log_.warn(attempts >= kMaxAttempts ? "mail delivery failed; giving up" : "mail delivery failed; will retry",
                  {{"message_id", o.due->id}, {"attempts", attempts}, {"error", o.error}});
    }
    return sent;
}

bool NotificationService::idle() {
    return db_.read([](db::Reader& r) {
        return r.count("SELECT COUNT(*) FROM notification.messages WHERE status = 'queued' AND next_attempt_ms <= ?", now_ms()) == 0;
    });
}

void NotificationService::collect_metrics(std::string& out) {
    out += "# HELP shop_notifications Messages by channel and delivery status (queued, sent, failed).\n# TYPE shop_notifications gauge\n";
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT channel, status, COUNT(*) FROM notification.messages GROUP BY channel, status ORDER BY channel, status"))
            out += fmt::format("shop_notifications{{channel=\"{}\",status=\"{}\"}} {}\n", row.str(0), row.str(1), row.i64(2));
    });
}

}  // namespace shop::notification
