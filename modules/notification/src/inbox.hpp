#pragma once
// The in-app channel (each account's inbox), the recipients' preferences per category and channel,
// and signed one-click unsubscribe links. Also the little the handlers need to reach an account:
// its email (from identity's events) and the account an order belongs to (from order_placed).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/context.hpp"
#include "platform/error.hpp"

namespace shop::db {
class Database;
class Sql;
class Tx;
}  // namespace shop::db

namespace shop::notification {

/// Who a notification is for: an account, an address, or both.
struct Recipient {
    std::string user_id;  ///< "" for an address that is no account (a guest, an admin recipient)
    std::string email;    ///< "" when unknown (an account registered before recipients were kept)
};

struct InboxItem {
    std::string id, kind, title, body, link, created_at, read_at;  ///< read_at "" while unread
};

struct InboxPage {
    std::vector<InboxItem> items;
    std::int64_t unread = 0;
    std::string next;  ///< the id to continue after, "" on the last page
};

struct Preference {
    std::string category, channel;
    bool enabled = true;
    bool locked = false;  ///< transactional email: always on
};

struct PreferenceChange {
    std::string category, channel;
    bool enabled = true;
};

/// Where an account gets SMS and push notifications.
struct Contacts {
    std::string sms_number;               ///< E.164 (+15551234567), "" for none
    std::vector<std::string> push_tokens;  ///< its devices' push tokens
};

/// What an unsubscribe link switched off.
struct Unsubscribed {
    std::string category;
    std::string channel = "email";
};

class Inbox {
public:
    Inbox(db::Database& db, std::string public_url) : db_(db), public_url_(std::move(public_url)) {}
    /// Reads the link key, making it on the first start of the first instance.
    void start();

    // ---- in a handler's transaction ----
    void remember_user(db::Tx& tx, const std::string& user_id, const std::string& email, const std::string& name);
    /// Keeps the account's profile: its locale, and whether it consents to marketing mail.
    void remember_profile(db::Tx& tx, const std::string& user_id, const std::string& email, const std::string& name, const std::string& locale,
                          bool marketing_consent);
    /// Whether `subject` (an account) gave marketing consent (an address that is no account: no).
    bool consents_to_marketing(db::Sql& sql, const std::string& subject);
    /// The account's locale ("" when unknown).
    std::string locale_of(db::Sql& sql, const std::string& user_id);
    /// Accounts that consented to marketing mail: (user id, email, name).
    std::vector<std::array<std::string, 3>> marketing_audience(db::Sql& sql);
    void remember_order(db::Tx& tx, const std::string& order_id, const std::string& customer_id);
    /// The account of an order ("" for a guest's or an unknown order).
    std::string customer_of_order(db::Sql& sql, const std::string& order_id);
    /// The email of an account ("" when unknown).
    std::string email_of(db::Sql& sql, const std::string& user_id);
    /// The name of an account ("" when unknown).
    std::string name_of(db::Sql& sql, const std::string& user_id);
    /// Whose preferences apply: the account, else the account with that email, else `email:<address>`.
    std::string subject_of(db::Sql& sql, const Recipient& r);
    /// Whether `subject` wants `category` on `channel` (no row: yes).
    bool wants(db::Sql& sql, const std::string& subject, const std::string& category, const std::string& channel);
    /// Adds an entry to the account's inbox, once per (event, kind, user).
    void add(db::Tx& tx, const std::string& user_id, const std::string& event_id, const std::string& kind, const std::string& title,
             const std::string& body, const std::string& link);
    /// The one-click unsubscribe endpoint (List-Unsubscribe, RFC 8058) and the page a person opens.
    std::string unsubscribe_url(const std::string& subject, const std::string& category) const;
    std::string unsubscribe_page(const std::string& subject, const std::string& category) const;

    /// The account's SMS number and push tokens.
    Contacts contacts(db::Sql& sql, const std::string& user_id);

    // ---- the routes ----
    /// The account's SMS number and push tokens, read on their own.
    Contacts contacts_of(const std::string& user_id);
    /// Replaces the account's contacts (validated by the route).
    Result<Contacts> set_contacts(const Ctx& ctx, const std::string& user_id, const Contacts& c);
    /// The account's entries, newest first, after the entry `after` ("" = from the newest).
    InboxPage list(const std::string& user_id, const std::string& after, int limit, bool unread_only);
    /// Marks one entry read (not_found for another account's).
    Result<InboxItem> mark_read(const Ctx& ctx, const std::string& user_id, const std::string& id);
    /// Marks every entry read; returns how many were unread.
    std::int64_t mark_all_read(const Ctx& ctx, const std::string& user_id);
    std::vector<Preference> preferences(const std::string& user_id, bool admin);
    /// Applies the changes in one transaction; a locked slot switched off or an unknown slot is a
    /// validation error naming `preferences[i]...`.
    Result<std::vector<Preference>> set_preferences(const Ctx& ctx, const std::string& user_id, bool admin,
                                                   const std::vector<PreferenceChange>& changes);
    /// Switches off what a link's token names (validation error naming `token` when it is not one
    /// this shop signed).
    Result<Unsubscribed> unsubscribe(const Ctx& ctx, const std::string& token);

private:
    std::string token(const std::string& subject, const std::string& category) const;

    db::Database& db_;
    std::string public_url_;
    std::string key_;  ///< signs unsubscribe tokens; set by start()
};

}  // namespace shop::notification
