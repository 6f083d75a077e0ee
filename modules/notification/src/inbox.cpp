#include "inbox.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "domain/kinds.hpp"
#include "platform/audit.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"

namespace shop::notification {
namespace json = boost::json;

namespace {
constexpr const char* kColumns = "id, kind, title, body, link, created_at, read_at";

InboxItem item_of(const db::Row& r) {
    return {r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5), r.str(6)};
}
}  // namespace

void Inbox::start() {
    auto ctx = Ctx::system("notification.link_key");
    auto key = db_.write("notification", ctx, [&](db::Tx& tx) -> Result<std::string> {
        if (auto row = tx.one("SELECT secret FROM notification.link_key WHERE id = 1")) return row->str(0);
        std::string secret = crypto::random_token(32);
        tx.exec("INSERT INTO notification.link_key (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", secret);
        // Another instance may have made it first: its key is the one.
        return tx.one("SELECT secret FROM notification.link_key WHERE id = 1")->str(0);
    });
    if (!key) throw std::runtime_error("notification: cannot read the link key: " + key.error().detail);
    key_ = *key;
}

void Inbox::remember_user(db::Tx& tx, const std::string& user_id, const std::string& email, const std::string& name) {
    tx.exec("INSERT INTO notification.recipients (user_id, email, name, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, updated_at = excluded.updated_at",
            user_id, email, name, now_iso8601());
}

void Inbox::remember_profile(db::Tx& tx, const std::string& user_id, const std::string& email, const std::string& name, const std::string& locale,
                             bool marketing_consent) {
    tx.exec("INSERT INTO notification.recipients (user_id, email, name, updated_at, locale, marketing_consent) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, updated_at = excluded.updated_at, "
            "locale = excluded.locale, marketing_consent = excluded.marketing_consent",
            user_id, email, name, now_iso8601(), locale, static_cast<std::int64_t>(marketing_consent ? 1 : 0));
}

bool Inbox::consents_to_marketing(db::Sql& sql, const std::string& subject) {
    auto row = sql.one("SELECT marketing_consent FROM notification.recipients WHERE user_id = ?", subject);
    return row && row->i64(0) != 0;
}

std::string Inbox::locale_of(db::Sql& sql, const std::string& user_id) {
    auto row = sql.one("SELECT locale FROM notification.recipients WHERE user_id = ?", user_id);
    return row ? row->str(0) : "";
}

std::vector<std::array<std::string, 3>> Inbox::marketing_audience(db::Sql& sql) {
    std::vector<std::array<std::string, 3>> out;
    for (auto& row : sql.query("SELECT user_id, email, name FROM notification.recipients WHERE marketing_consent = 1 AND email <> '' ORDER BY user_id"))
        out.push_back({row.str(0), row.str(1), row.str(2)});
    return out;
}

void Inbox::remember_order(db::Tx& tx, const std::string& order_id, const std::string& customer_id) {
    if (customer_id.empty()) return;
    tx.exec("INSERT INTO notification.order_customers (order_id, customer_id) VALUES (?, ?) ON CONFLICT (order_id) DO NOTHING", order_id,
            customer_id);
}

std::string Inbox::customer_of_order(db::Sql& sql, const std::string& order_id) {
    auto row = sql.one("SELECT customer_id FROM notification.order_customers WHERE order_id = ?", order_id);
    return row ? row->str(0) : "";
}

std::string Inbox::email_of(db::Sql& sql, const std::string& user_id) {
    auto row = sql.one("SELECT email FROM notification.recipients WHERE user_id = ?", user_id);
    return row ? row->str(0) : "";
}

std::string Inbox::name_of(db::Sql& sql, const std::string& user_id) {
    auto row = sql.one("SELECT name FROM notification.recipients WHERE user_id = ?", user_id);
    return row ? row->str(0) : "";
}

std::string Inbox::subject_of(db::Sql& sql, const Recipient& r) {
    if (!r.user_id.empty()) return r.user_id;
    if (auto row = sql.one("SELECT user_id FROM notification.recipients WHERE email = ? ORDER BY updated_at DESC", r.email)) return row->str(0);
    return "email:" + r.email;
}

bool Inbox::wants(db::Sql& sql, const std::string& subject, const std::string& category, const std::string& channel) {
    auto row = sql.one("SELECT enabled FROM notification.preferences WHERE subject = ? AND category = ? AND channel = ?", subject, category,
                       channel);
    return !row || row->i64(0) != 0;
}

void Inbox::add(db::Tx& tx, const std::string& user_id, const std::string& event_id, const std::string& kind, const std::string& title,
                const std::string& body, const std::string& link) {
    tx.exec("INSERT INTO notification.inbox (id, user_id, event_id, kind, title, body, link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (event_id, kind, user_id) DO NOTHING",
            new_id("ntf"), user_id, event_id, kind, title, body, link, now_iso8601());
}

std::string Inbox::token(const std::string& subject, const std::string& category) const {
    std::string payload = crypto::base64url_encode(subject + "\n" + category);
    return payload + "." + crypto::hmac_sha256_hex(key_, "unsubscribe\n" + payload);
}

std::string Inbox::unsubscribe_url(const std::string& subject, const std::string& category) const {
    return public_url_ + "/api/v1/notifications/unsubscribe?token=" + token(subject, category);
}

std::string Inbox::unsubscribe_page(const std::string& subject, const std::string& category) const {
    return public_url_ + "/account/unsubscribe?token=" + token(subject, category);
}

Contacts Inbox::contacts(db::Sql& sql, const std::string& user_id) {
    Contacts c;
    if (auto row = sql.one("SELECT sms_number FROM notification.contacts WHERE user_id = ?", user_id)) c.sms_number = row->str(0);
    for (auto& row : sql.query("SELECT token FROM notification.push_tokens WHERE user_id = ? ORDER BY created_at, token", user_id))
        c.push_tokens.push_back(row.str(0));
    return c;
}

Contacts Inbox::contacts_of(const std::string& user_id) {
    return db_.read([&](db::Reader& r) { return contacts(r, user_id); });
}

Result<Contacts> Inbox::set_contacts(const Ctx& ctx, const std::string& user_id, const Contacts& c) {
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<Contacts> {
        auto now = now_iso8601();
        tx.exec("INSERT INTO notification.contacts (user_id, sms_number, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET sms_number = excluded.sms_number, updated_at = excluded.updated_at",
                user_id, c.sms_number, now);
        tx.exec("DELETE FROM notification.push_tokens WHERE user_id = ?", user_id);
        for (auto& t : c.push_tokens)
            tx.exec("INSERT INTO notification.push_tokens (user_id, token, created_at) VALUES (?, ?, ?) ON CONFLICT (user_id, token) DO NOTHING",
                    user_id, t, now);
        // The number and tokens are personal data: the audit entry says that they changed, not what they are.
        audit::record(tx, "notification.contacts.changed", user_id,
                      {{"sms", !c.sms_number.empty()}, {"push_tokens", static_cast<std::int64_t>(c.push_tokens.size())}});
        return contacts(tx, user_id);
    });
}

InboxPage Inbox::list(const std::string& user_id, const std::string& after, int limit, bool unread_only) {
    InboxPage page;
    db_.read([&](db::Reader& r) {
        std::string where = "user_id = ?";
        std::vector<db::Param> params{db::Param(user_id)};
        if (unread_only) where += " AND read_at = ''";
        if (!after.empty()) {
            where += " AND id < ?";
            params.emplace_back(after);
        }
        params.emplace_back(static_cast<std::int64_t>(limit + 1));
        for (auto& row : r.query_params(fmt::format("SELECT {} FROM notification.inbox WHERE {} ORDER BY id DESC LIMIT ?", kColumns, where), params))
            page.items.push_back(item_of(row));
        page.unread = r.count("SELECT COUNT(*) FROM notification.inbox WHERE user_id = ? AND read_at = ''", user_id);
    });
    if (static_cast<int>(page.items.size()) > limit) {
        page.items.resize(static_cast<std::size_t>(limit));
        page.next = page.items.back().id;
    }
    return page;
}

Result<InboxItem> Inbox::mark_read(const Ctx& ctx, const std::string& user_id, const std::string& id) {
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<InboxItem> {
        // Another account's entry is not found, never forbidden: it does not exist for this caller.
        auto row = tx.one(fmt::format("SELECT {} FROM notification.inbox WHERE id = ? AND user_id = ?", kColumns), id, user_id);
        if (!row) return not_found(fmt::format("no notification '{}'", id));
        auto item = item_of(*row);
        if (item.read_at.empty()) {
            item.read_at = now_iso8601();
            tx.exec("UPDATE notification.inbox SET read_at = ? WHERE id = ?", item.read_at, id);
        }
        return item;
    });
}

std::int64_t Inbox::mark_all_read(const Ctx& ctx, const std::string& user_id) {
    auto n = db_.write("notification", ctx, [&](db::Tx& tx) -> Result<std::int64_t> {
        auto unread = tx.count("SELECT COUNT(*) FROM notification.inbox WHERE user_id = ? AND read_at = ''", user_id);
        tx.exec("UPDATE notification.inbox SET read_at = ? WHERE user_id = ? AND read_at = ''", now_iso8601(), user_id);
        return unread;
    });
    return n ? *n : 0;
}

namespace {
std::vector<Preference> preferences_in(db::Sql& sql, const std::string& subject, bool admin) {
    std::vector<Preference> out;
    auto consent = sql.one("SELECT marketing_consent FROM notification.recipients WHERE user_id = ?", subject);
    bool consents = consent && consent->i64(0) != 0;
    for (auto& slot : domain::preference_slots(admin)) {
        // Marketing is off without the account's consent, whatever was switched.
        bool enabled = slot.category != "marketing" || consents;
        if (!slot.locked)
            if (auto row = sql.one("SELECT enabled FROM notification.preferences WHERE subject = ? AND category = ? AND channel = ?", subject,
                                   slot.category, slot.channel))
                enabled = enabled && row->i64(0) != 0;
        out.push_back({slot.category, slot.channel, enabled, slot.locked});
    }
    return out;
}

void store_preference(db::Tx& tx, const std::string& subject, const std::string& category, const std::string& channel, bool enabled) {
    tx.exec("INSERT INTO notification.preferences (subject, category, channel, enabled, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (subject, category, channel) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
            subject, category, channel, static_cast<std::int64_t>(enabled ? 1 : 0), now_iso8601());
}
}  // namespace

std::vector<Preference> Inbox::preferences(const std::string& user_id, bool admin) {
    return db_.read([&](db::Reader& r) { return preferences_in(r, user_id, admin); });
}

Result<std::vector<Preference>> Inbox::set_preferences(const Ctx& ctx, const std::string& user_id, bool admin,
                                                      const std::vector<PreferenceChange>& changes) {
    auto slots = domain::preference_slots(admin);
    std::vector<FieldError> errors;
    for (std::size_t i = 0; i < changes.size(); ++i) {
        auto* slot = domain::find_slot(slots, changes[i].category, changes[i].channel);
        auto at = fmt::format("preferences[{}]", i);
        if (!slot)
            errors.push_back({at + ".channel", fmt::format("'{}' notifications are not sent on {}", changes[i].category, changes[i].channel)});
        else if (slot->locked && !changes[i].enabled)
            errors.push_back({at + ".enabled", fmt::format("{} about {} is transactional and cannot be switched off", changes[i].channel,
                                                           changes[i].category)});
    }
    if (!errors.empty()) return Error(errc::validation_failed, "these preferences cannot be set", errors);
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<std::vector<Preference>> {
        for (std::size_t i = 0; i < changes.size(); ++i)
            if (changes[i].category == "marketing" && changes[i].enabled && !consents_to_marketing(tx, user_id))
                return validation(fmt::format("preferences[{}].enabled", i),
                                  "marketing mail needs your consent first: set marketing_consent in your profile (PATCH /api/v1/me)");
        json::array changed;
        for (auto& c : changes) {
            store_preference(tx, user_id, c.category, c.channel, c.enabled);
            changed.push_back(json::object{{"category", c.category}, {"channel", c.channel}, {"enabled", c.enabled}});
        }
        audit::record(tx, "notification.preferences.changed", user_id, {{"changes", changed}});
        return preferences_in(tx, user_id, admin);
    });
}

Result<Unsubscribed> Inbox::unsubscribe(const Ctx& ctx, const std::string& token) {
    auto refuse = [] { return validation("token", "is not an unsubscribe link of this shop"); };
    auto dot = token.find('.');
    if (dot == std::string::npos) return refuse();
    std::string payload = token.substr(0, dot), decoded;
    if (!crypto::equal_constant_time(crypto::hmac_sha256_hex(key_, "unsubscribe\n" + payload), token.substr(dot + 1)) ||
        !crypto::base64url_decode(payload, decoded))
        return refuse();
    auto nl = decoded.find('\n');
    if (nl == std::string::npos) return refuse();
    Unsubscribed out{decoded.substr(nl + 1)};
    std::string subject = decoded.substr(0, nl);
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<Unsubscribed> {
        store_preference(tx, subject, out.category, out.channel, false);
        audit::record(tx, "notification.unsubscribed", subject, {{"category", out.category}, {"channel", out.channel}});
        tx.reply(json::object{{"category", out.category}, {"channel", out.channel}, {"enabled", false}});
        return out;
    });
}

}  // namespace shop::notification
