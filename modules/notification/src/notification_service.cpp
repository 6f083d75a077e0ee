#include "notification_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <span>

#include "domain/delivery.hpp"
#include "domain/templates.hpp"
#include "platform/audit.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"

namespace shop::notification {

namespace {
constexpr int kBatch = 50;
}  // namespace


std::vector<MessageSummary> NotificationService::messages(const std::string& status, const std::string& before, int limit) {
    std::vector<MessageSummary> out;
    std::string cursor = before.empty() ? "~" : before;  // '~' sorts after every id
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, template_key, channel, recipient, subject, status, created_at, attempts, error, next_attempt_ms "
                                 "FROM notification.messages WHERE id < ? AND (? = '' OR status = ?) ORDER BY id DESC LIMIT ?",
                                 cursor, status, status, limit)) {
            MessageSummary m{row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.str(5), row.str(6), row.i64(7), row.str(8)};
            if (m.status == "queued") m.next_attempt_at = iso8601(row.i64(9));
            out.push_back(std::move(m));
        }
        for (auto& m : out)
            for (auto& row : r.query("SELECT attempt, at, outcome, error FROM notification.attempts WHERE message_id = ? ORDER BY attempt", m.id))
                m.attempt_log.push_back({row.i64(0), row.str(1), row.str(2), row.str(3)});
    });
    return out;
}

namespace {

// The template in force for (kind, channel, locale): the admin's for the locale, else the admin's
// in English, else the built-in one.
template <class Sql>
TemplateInput template_in_force(Sql& q, const domain::Kind& k, const std::string& channel, const std::string& locale) {
    for (const std::string& l : {locale, std::string("en")}) {
        auto row = q.one("SELECT subject, body, html FROM notification.templates WHERE key = ? AND channel = ? AND locale = ?", k.key, channel, l);
        if (row) return {channel, l, row->str(0), row->str(1), row->str(2)};
    }
    for (auto& b : k.builtin)
        if (b.channel == channel) return {channel, b.locale, b.subject, b.body, ""};
    throw std::runtime_error("no " + channel + " template for '" + k.key + "'");
}

Rendered render_with(const TemplateInput& t, const domain::Values& values) {
    Rendered r{domain::render(t.subject, values, domain::Escape::none), domain::render(t.body, values, domain::Escape::none), ""};
    // Line breaks in a value cannot make the subject a second header line.
    for (auto& c : r.subject)
        if (c == '\r' || c == '\n') c = ' ';
    r.html = t.html.empty() ? domain::html_of_text(r.text) : domain::render(t.html, values, domain::Escape::html);
    return r;
}

}  // namespace

bool NotificationService::send_templated(db::Tx& tx, const std::string& event_id, const std::string& key, const std::string& to,
                                         const domain::Values& values, const std::string& locale, const std::string& unsubscribe_url,
                                         const std::string& unsubscribe_page) {
    if (tx.count("SELECT COUNT(*) FROM notification.messages WHERE event_id = ? AND template_key = ?", event_id, key)) return false;
    const domain::Kind* kind = domain::find_kind(key);
    if (!kind) throw std::runtime_error("no notification kind '" + key + "'");
    Rendered r = render_with(template_in_force(tx, *kind, "email", locale), values);
    if (!unsubscribe_page.empty()) {
        r.text += "\n--\nTo stop these emails: " + unsubscribe_page + "\n";
        r.html += "<p style=\"color:#666;font-size:small\">To stop these emails: <a href=\"" + domain::html_escape(unsubscribe_page) +
                  "\">unsubscribe</a></p>";
    }
    std::string id = new_id("msg");
    tx.exec("INSERT INTO notification.messages (id, event_id, template_key, channel, recipient, subject, body, html, status, created_at, "
            "unsubscribe_url) VALUES (?, ?, ?, 'email', ?, ?, ?, ?, 'queued', ?, ?)",
            id, event_id, key, to, r.subject, r.text, r.html, now_iso8601(), unsubscribe_url);
    // Delivered by the sender once this transaction commits (never if it rolls back).
    tx.after_commit([this] { wake(); });
    log_.debug("mail queued", {{"template", key}, {"message_id", id}, {"correlation_id", tx.ctx().correlation_id}});
    return true;
}

bool NotificationService::notify(db::Tx& tx, const std::string& event_id, const std::string& key, const Recipient& to,
                                 const domain::Values& values, const std::string& link) {
    const domain::Kind* kind = domain::find_kind(key);
    if (!kind) throw std::runtime_error("no notification kind '" + key + "'");
    std::string subject = inbox_.subject_of(tx, to);
    std::string locale = inbox_.locale_of(tx, subject);
    if (locale.empty()) locale = "en";
    // Marketing mail only with the account's consent (identity's profile), and never to an address
    // that is no account.
    bool allowed = kind->category != "marketing" || inbox_.consents_to_marketing(tx, subject);
    bool mailed = false;
    if (!to.email.empty() && allowed && (kind->transactional || inbox_.wants(tx, subject, kind->category, "email")))
        mailed = send_templated(tx, event_id, key, to.email, values, locale,
                                kind->transactional ? "" : inbox_.unsubscribe_url(subject, kind->category),
                                kind->transactional ? "" : inbox_.unsubscribe_page(subject, kind->category));
    if (!to.user_id.empty() && domain::sends_on(*kind, "in_app") && inbox_.wants(tx, subject, kind->category, "in_app")) {
        Rendered r = render_with(template_in_force(tx, *kind, "in_app", "en"), values);
        inbox_.add(tx, to.user_id, event_id, key, r.subject, r.text, link);
    }
    // SMS and push: only where the shop has a provider and the account gave a number or a device.
    bool sms = domain::sends_on(*kind, "sms") && senders_.count("sms");
    bool push = domain::sends_on(*kind, "push") && senders_.count("push");
    if (to.user_id.empty() || !(sms || push)) return mailed;
    Contacts c = inbox_.contacts(tx, to.user_id);
    if (sms && !c.sms_number.empty() && inbox_.wants(tx, subject, kind->category, "sms"))
        queue_message(tx, event_id + "/sms", *kind, "sms", c.sms_number, values);
    if (push && inbox_.wants(tx, subject, kind->category, "push"))
        for (auto& token : c.push_tokens)
            queue_message(tx, event_id + "/push/" + crypto::sha256_hex(token).substr(0, 16), *kind, "push", token, values);
    return mailed;
}

Result<Campaign> NotificationService::send_campaign(const Ctx& ctx, const std::string& title, const std::string& message,
                                                    const std::string& shop_name) {
    domain::Values base{{{"name", ""}, {"title", title}, {"message", message}, {"shop_name", shop_name}}, {}};
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<Campaign> {
        Campaign c{new_id("cmp"), title, message, 0, now_iso8601()};
        for (auto& [user_id, email, name] : inbox_.marketing_audience(tx)) {
            domain::Values v = base;
            v.vars["name"] = name;
            if (notify(tx, c.id + ":" + user_id, "newsletter", {user_id, email}, v)) ++c.recipients;
        }
        tx.exec("INSERT INTO notification.campaigns (id, title, message, recipients, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)", c.id,
                title, message, c.recipients, ctx.user_id(), c.created_at);
        audit::record(tx, "notification.campaign.sent", c.id, {{"title", title}, {"recipients", c.recipients}});
        tx.reply(boost::json::object{{"id", c.id}, {"title", title}, {"recipients", c.recipients}, {"created_at", c.created_at}});
        return c;
    });
}

void NotificationService::queue_message(db::Tx& tx, const std::string& event_key, const domain::Kind& kind, const std::string& channel,
                                        const std::string& to, const domain::Values& values) {
    if (tx.count("SELECT COUNT(*) FROM notification.messages WHERE event_id = ? AND template_key = ?", event_key, kind.key)) return;
    Rendered r = render_with(template_in_force(tx, kind, channel, "en"), values);
    tx.exec("INSERT INTO notification.messages (id, event_id, template_key, channel, recipient, subject, body, html, status, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '', 'queued', ?)",
            new_id("msg"), event_key, kind.key, channel, to, r.subject, r.text, now_iso8601());
    tx.after_commit([this] { wake(); });
}

namespace {
TemplateView view_of(db::Sql& r, const domain::Kind& k) {
    TemplateView v{&k, {}};
    std::set<std::pair<std::string, std::string>> saved;
    for (auto& row : r.query("SELECT channel, locale, subject, body, html, updated_at FROM notification.templates WHERE key = ? ORDER BY channel, locale",
                             k.key)) {
        v.variants.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), true, row.str(5)});
        saved.insert({row.str(0), row.str(1)});
    }
    for (auto& b : k.builtin)
        if (!saved.count({b.channel, b.locale})) v.variants.push_back({b.channel, b.locale, b.subject, b.body, "", false, ""});
    return v;
}
}  // namespace

std::vector<TemplateView> NotificationService::templates() {
    return db_.read([](db::Reader& r) {
        std::vector<TemplateView> out;
        for (auto& k : domain::kinds()) out.push_back(view_of(r, k));
        return out;
    });
}

Result<TemplateView> NotificationService::template_of(const std::string& key) {
    const domain::Kind* k = domain::find_kind(key);
    if (!k) return not_found("no notification template '" + key + "'");
    return db_.read([&](db::Reader& r) { return view_of(r, *k); });
}

namespace {
std::vector<FieldError> template_errors(const domain::Kind& k, const TemplateInput& in) {
    std::vector<FieldError> errors;
    if (in.subject.find_first_of("\r\n") != std::string::npos) errors.push_back({"subject", "must be one line"});
    for (auto [field, text] : {std::pair{"subject", &in.subject}, std::pair{"body", &in.body}, std::pair{"html", &in.html}})
        if (auto why = domain::template_problem(*text, k.schema)) errors.push_back({field, *why});
    return errors;
}
}  // namespace

Result<TemplateView> NotificationService::save_template(const Ctx& ctx, const std::string& key, const TemplateInput& in, bool create,
                                                        const std::function<void(db::Tx&, const TemplateView&)>& record_reply) {
    const domain::Kind* k = domain::find_kind(key);
    if (!k) return create ? validation("key", "no notification kind '" + key + "'") : not_found("no notification template '" + key + "'");
    if (!domain::sends_on(*k, in.channel)) return validation("channel", "'" + key + "' is not sent on " + in.channel);
    if (auto errors = template_errors(*k, in); !errors.empty()) return Error(errc::validation_failed, "the template cannot be used", errors);
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<TemplateView> {
        bool exists = tx.count("SELECT COUNT(*) FROM notification.templates WHERE key = ? AND channel = ? AND locale = ?", key, in.channel, in.locale);
        if (create && exists)
            return Error(errc::conflict, "a " + in.channel + " template of '" + key + "' in locale " + in.locale + " exists: PUT changes it",
                         {{"locale", "has a template already"}});
        if (exists)
            tx.exec("UPDATE notification.templates SET subject = ?, body = ?, html = ?, updated_at = ? WHERE key = ? AND channel = ? AND locale = ?",
                    in.subject, in.body, in.html, now_iso8601(), key, in.channel, in.locale);
        else
            tx.exec("INSERT INTO notification.templates (key, channel, locale, subject, body, html, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", key,
                    in.channel, in.locale, in.subject, in.body, in.html, now_iso8601());
        TemplateView v = view_of(tx, *k);
        record_reply(tx, v);  // in the same transaction: an Idempotency-Key retry is answered from it
        return v;
    });
}

Result<Rendered> NotificationService::preview(const std::string& key, const TemplateInput& in) {
    const domain::Kind* k = domain::find_kind(key);
    if (!k) return not_found("no notification template '" + key + "'");
    if (!domain::sends_on(*k, in.channel)) return validation("channel", "'" + key + "' is not sent on " + in.channel);
    TemplateInput t = db_.read([&](db::Reader& r) { return template_in_force(r, *k, in.channel, in.locale); });
    if (!in.subject.empty()) t.subject = in.subject;
    if (!in.body.empty()) t.body = in.body;
    if (!in.html.empty()) t.html = in.html;
    if (auto errors = template_errors(*k, t); !errors.empty()) return Error(errc::validation_failed, "the template cannot be used", errors);
    return render_with(t, domain::sample_values(k->schema, k->samples, 2));
}

int NotificationService::deliver_due() {
    struct Due {
        std::string id, event_id, key, channel, to, subject, body, html;
        std::int64_t attempts;
        std::string unsubscribe_url;
    };
    std::vector<Due> due;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id, event_id, template_key, channel, recipient, subject, body, attempts, html, unsubscribe_url "
                                 "FROM notification.messages WHERE status = 'queued' AND next_attempt_ms <= ? ORDER BY id LIMIT ?",
                                 now_ms(), kBatch))
            due.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.str(5), row.str(6), row.str(8), row.i64(7),
                           row.str(9)});
    });
    struct Outcome {
        const Due* due;
        std::string location, error;
        bool permanent = false;
        std::string at;
        bool recorded = false;
    };
    // Records the outcomes not on record yet as sent, retried or failed, in one transaction;
    // returns how many were sent.
    auto record = [&](std::span<Outcome> batch) {
        int sent = 0;
        if (std::all_of(batch.begin(), batch.end(), [](const Outcome& o) { return o.recorded; })) return sent;
        Ctx ctx = Ctx::system("notification.sender");
        db_.write("notification", ctx, [&](db::Tx& tx) {
            sent = 0;
            for (auto& o : batch) {
                if (o.recorded) continue;
                std::int64_t attempts = o.due->attempts + 1;
                if (o.error.empty()) {
                    tx.exec("UPDATE notification.messages SET status = 'sent', attempts = ?, location = ?, error = '', sent_at = ? WHERE id = ?",
                            attempts, o.location, o.at, o.due->id);
                    tx.exec("INSERT INTO notification.attempts (message_id, attempt, at, outcome, error) VALUES (?, ?, ?, 'sent', '')", o.due->id,
                            attempts, o.at);
                    ++sent;
                    continue;
                }
                auto delay = domain::retry_delay(retry_, attempts, o.permanent);
                tx.exec("UPDATE notification.messages SET status = ?, attempts = ?, next_attempt_ms = ?, error = ? WHERE id = ?",
                        delay ? "queued" : "failed", attempts, now_ms() + delay.value_or(0), o.error, o.due->id);
                tx.exec("INSERT INTO notification.attempts (message_id, attempt, at, outcome, error) VALUES (?, ?, ?, ?, ?)", o.due->id, attempts,
                        o.at, o.permanent ? "rejected" : "failed", o.error);
            }
        });
        for (auto& o : batch) o.recorded = true;
        return sent;
    };
    std::vector<Outcome> outcomes;
    std::set<Sender*> used;
    int sent = 0;
    for (auto& d : due) {
        if (worker_.stopping()) break;
        Outcome o{&d, "", "", false, now_iso8601()};
        auto sender = senders_.find(d.channel);
        if (sender == senders_.end()) {
            o.error = "no sender is configured for channel " + d.channel;
            o.permanent = true;
            outcomes.push_back(std::move(o));
            continue;
        }
        Outgoing m;
        m.id = d.event_id + "-" + d.key;  // stable: a resend after a crash overwrites a file, and SMTP keeps the Message-ID
        m.recipient = d.to;
        m.subject = d.subject;
        m.text = d.body;
        m.html = d.html.empty() ? domain::html_of_text(d.body) : d.html;  // (queued before HTML was stored)
        m.unsubscribe_url = d.unsubscribe_url;
        bool record_now = false;
        try {
            o.location = sender->second->send(m);
            if (sender->second->resend_is_harmless())
                used.insert(sender->second.get());
            else
                record_now = true;  // taken by the provider: on record now, so a crash later in the pass does not send it again
        } catch (const DeliveryError& e) {
            o.error = e.what();
            o.permanent = e.permanent();
        } catch (const std::exception& e) {
            o.error = e.what();
        }
        if (record_now) sent += record(std::span(&o, 1));
        outcomes.push_back(std::move(o));
    }
    if (outcomes.empty()) return 0;
    for (Sender* s : used) {
        try {
            s->sync();
        } catch (const std::exception& e) {
            // Not durable: nothing this sender delivered in the pass counts as sent; it is sent again later.
            for (auto& o : outcomes)
                if (o.error.empty() && senders_.at(o.due->channel).get() == s) o.error = e.what();
        }
    }
    // One transaction records the rest of the pass: a crash before it only means writing the
    // files again under the same names, or retrying what failed.
    sent += record(outcomes);
    for (auto& o : outcomes) {
        if (o.error.empty()) {
            log_.info("message sent", {{"template", o.due->key}, {"channel", o.due->channel}, {"message_id", o.due->id}});
            continue;
        }
        bool retried = domain::retry_delay(retry_, o.due->attempts + 1, o.permanent).has_value();
        log_.warn(retried ? "message delivery failed; will retry" : "message delivery failed; giving up",
                  {{"message_id", o.due->id}, {"channel", o.due->channel}, {"attempts", o.due->attempts + 1}, {"error", o.error}});
    }
    return sent;
}

std::int64_t NotificationService::next_due_ms() {
    return db_.read([](db::Reader& r) {
        auto row = r.one("SELECT MIN(next_attempt_ms) FROM notification.messages WHERE status = 'queued'");
        return row && !row->is_null(0) ? row->i64(0) : now_ms() + 1000;
    });
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
    out += "# HELP shop_notification_attempts_total Delivery attempts by channel and outcome (sent, failed = retried, rejected).\n"
           "# TYPE shop_notification_attempts_total counter\n";
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT m.channel, a.outcome, COUNT(*) FROM notification.attempts a JOIN notification.messages m ON m.id = a.message_id "
                                 "GROUP BY m.channel, a.outcome ORDER BY m.channel, a.outcome"))
            out += fmt::format("shop_notification_attempts_total{{channel=\"{}\",outcome=\"{}\"}} {}\n", row.str(0), row.str(1), row.i64(2));
    });
}

}  // namespace shop::notification
