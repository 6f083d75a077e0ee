#pragma once
#include <functional>
#include <map>
#include <memory>

#include "domain/delivery.hpp"
#include "domain/kinds.hpp"
#include "inbox.hpp"
#include "platform/context.hpp"
#include "platform/error.hpp"
#include "queue_worker.hpp"
#include "sender.hpp"
#include "notification/api.hpp"
#include "platform/log.hpp"

namespace shop::db {
class Database;
class Tx;
}

namespace shop::notification {

/// One template of a kind as it is in force: the admin's, or the built-in one.
struct TemplateVariant {
    std::string channel, locale, subject, body, html;
    bool customized = false;  ///< saved by an admin (else built in)
    std::string updated_at;   ///< "" for a built-in template
};

struct TemplateView {
    const domain::Kind* kind = nullptr;
    std::vector<TemplateVariant> variants;
};

/// A template as an admin saves it.
struct TemplateInput {
    std::string channel, locale, subject, body, html;
};

/// A marketing mail an admin sent to every account that consented.
struct Campaign {
    std::string id, title, message;
    std::int64_t recipients = 0;  ///< mails queued (consented, not unsubscribed)
    std::string created_at;
};

/// A rendered message.
struct Rendered {
    std::string subject, text, html;
};

class NotificationService final : public NotificationApi {
public:
    /// `senders`: the sender of each channel ("email", ...) the module delivers through.
    NotificationService(db::Database& db, Logger& log, std::map<std::string, std::unique_ptr<Sender>, std::less<>> senders,
                        domain::RetryPolicy retry, Inbox& inbox)
        : db_(db), log_(log), senders_(std::move(senders)), retry_(retry), inbox_(inbox) {}

    std::vector<MessageSummary> messages(const std::string& status, const std::string& before, int limit) override;

    /// Renders template `key` with `vars` and queues it for `to`, exactly once per (event,
    /// template): the message row is written in the handler's transaction, and the sender delivers
    /// it after the commit under a name derived from the event id, so neither a redelivered event
    /// nor a resend after a crash duplicates the mail.
    /// `unsubscribe_url` (one-click, List-Unsubscribe) and `unsubscribe_page` (a link in the text)
    /// for a mail that is not transactional.
    /// Returns whether it queued the mail now (false: queued before for this event).
    bool send_templated(db::Tx& tx, const std::string& event_id, const std::string& key, const std::string& to, const domain::Values& values,
                        const std::string& locale = "en", const std::string& unsubscribe_url = "", const std::string& unsubscribe_page = "");

    /// Notifies `to` of an event on every channel its kind is sent on and the recipient wants:
    /// email (a transactional kind always; otherwise unless switched off, with an unsubscribe
    /// link) and the account's in-app inbox (`link`: where the entry leads), exactly once per
    /// (event, kind, channel), in the handler's transaction.
    /// Returns whether a mail was queued now.
    bool notify(db::Tx& tx, const std::string& event_id, const std::string& key, const Recipient& to, const domain::Values& values,
                const std::string& link = "");
    Inbox& inbox() { return inbox_; }
    /// Queues the `newsletter` mail with `title` and `message` for every account that gave
    /// marketing consent and did not unsubscribe, in one transaction (its reply recorded).
    Result<Campaign> send_campaign(const Ctx& ctx, const std::string& title, const std::string& message, const std::string& shop_name);

    /// Every kind with its templates in force; one kind's (not_found for an unknown key).
    std::vector<TemplateView> templates();
    Result<TemplateView> template_of(const std::string& key);
    /// Saves a template of `key` for its channel and locale: `create` fails with a conflict when the
    /// admin already saved one there; a template that does not parse or names an unknown variable
    /// is a validation error naming `subject`, `body` or `html`.
    /// `record_reply` runs in the saving transaction with the result (Tx::reply for Idempotency-Key).
    Result<TemplateView> save_template(const Ctx& ctx, const std::string& key, const TemplateInput& in, bool create,
                                       const std::function<void(db::Tx&, const TemplateView&)>& record_reply);
    /// Renders `in` (or, for fields left empty, the template in force) with the kind's sample values.
    Result<Rendered> preview(const std::string& key, const TemplateInput& in);

    /// Starts / stops the sender thread (stop finishes the message being sent).
    void start() { worker_.start(); }
    void stop() { worker_.stop(); }
    /// Sends the queued messages that are due, each through its channel's sender, and records
    /// each attempt; a transient failure is retried with exponential backoff (the retry policy),
    /// a refusal fails the message at once. Returns how many were sent.
    int deliver_due();
    /// True when no queued message is due.
    bool idle();
    /// Messages by channel and delivery status, and attempts by outcome (Prometheus text).
    void collect_metrics(std::string& out);

private:
    /// Queues kind's `channel` template rendered with `values` for `to`, once per (event_key, kind).
    void queue_message(db::Tx& tx, const std::string& event_key, const domain::Kind& kind, const std::string& channel, const std::string& to,
                       const domain::Values& values);
    void wake() { worker_.wake(); }
    /// When the earliest queued message is due (epoch ms; a second from now when none is queued).
    std::int64_t next_due_ms();

    db::Database& db_;
    Logger& log_;
    std::map<std::string, std::unique_ptr<Sender>, std::less<>> senders_;
    domain::RetryPolicy retry_;
    Inbox& inbox_;
    QueueWorker worker_{"delivery", log_, [this] { return deliver_due(); }, [this] { return next_due_ms(); }};  ///< last: stopped first
};

}  // namespace shop::notification
