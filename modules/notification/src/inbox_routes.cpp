// The account's side of notifications: the in-app inbox, preferences per category and channel, and
// the one-click unsubscribe link of non-transactional mail.
#include "inbox.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::notification {
using namespace shop::http;

namespace {

struct InboxQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
    std::optional<bool> unread;  ///< only the unread ones
};
SHOP_API_STRUCT(InboxQuery, limit, cursor, unread)

struct InboxEntry {
    api::Id<"ntf"> id;
    std::string kind;   ///< the notification kind (template key): `order_shipped`
    std::string title;
    std::string body;
    std::string link;   ///< where it leads in the storefront (`/#/order/ord_…`), "" for none
    api::Timestamp created_at;
    api::Nullable<api::Timestamp> read_at;  ///< null while unread
};
SHOP_API_STRUCT(InboxEntry, id, kind, title, body, link, created_at, read_at)

struct InboxReply {
    std::vector<InboxEntry> data;
    std::int64_t unread_count = 0;  ///< of all the account's entries
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(InboxReply, data, unread_count, next_cursor)

struct ReadAllReply {
    std::int64_t marked = 0;  ///< entries that were unread
    std::int64_t unread_count = 0;
};
SHOP_API_STRUCT(ReadAllReply, marked, unread_count)

using Category = api::OneOf<"account", "orders", "reviews", "stock", "marketing">;
using Channel = api::OneOf<"email", "in_app", "sms", "push">;

struct PreferenceOut {
    Category category;
    Channel channel;
    bool enabled = true;
    bool locked = false;  ///< transactional email (orders, account): always sent
};
SHOP_API_STRUCT(PreferenceOut, category, channel, enabled, locked)

struct PreferencesReply {
    std::vector<PreferenceOut> preferences;
};
SHOP_API_STRUCT(PreferencesReply, preferences)

struct PreferenceIn {
    Category category;
    Channel channel;
    bool enabled = true;
};
SHOP_API_STRUCT(PreferenceIn, category, channel, enabled)

struct PreferencesRequest {
    api::List<PreferenceIn, 1, 20> preferences;
};
SHOP_API_STRUCT(PreferencesRequest, preferences)

struct UnsubscribeQuery {
    api::Text<1, 600> token;
};
SHOP_API_STRUCT(UnsubscribeQuery, token)

struct UnsubscribeReply {
    Category category;
    Channel channel;
    bool enabled = false;
};
SHOP_API_STRUCT(UnsubscribeReply, category, channel, enabled)

/// An E.164 number: `+`, then 7 to 15 digits, the first not 0.
struct SmsNumber {
    std::string value;
    static api::json::object schema(api::Schemas&) {
        return {{"type", "string"}, {"pattern", "^\\+[1-9][0-9]{6,14}$"}, {"examples", api::json::array{"+15551234567"}}};
    }
    bool read(const api::json::value& v, const std::string& path, api::Reader& r) {
        if (!v.is_string()) {
            r.fail(path, "must be a string");
            return false;
        }
        std::string s(v.as_string());
        bool ok = s.size() >= 8 && s.size() <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9';
        for (std::size_t i = 1; ok && i < s.size(); ++i) ok = s[i] >= '0' && s[i] <= '9';
        if (!ok) {
            r.fail(path, "must be an international number in E.164 form: + and 7 to 15 digits (+15551234567)");
            return false;
        }
        value = std::move(s);
        return true;
    }
    api::json::value write() const { return api::json::value(value); }
};

struct ContactsBody {
    api::Nullable<SmsNumber> sms_number;                       ///< null: no SMS
    api::List<api::Text<1, 4096>, 0, 10> push_tokens;          ///< this account's devices
};
SHOP_API_STRUCT(ContactsBody, sms_number, push_tokens)

struct ContactsReply {
    api::Nullable<std::string> sms_number;
    std::vector<std::string> push_tokens;
};
SHOP_API_STRUCT(ContactsReply, sms_number, push_tokens)

ContactsReply contacts_reply(const Contacts& c) {
    ContactsReply out;
    if (!c.sms_number.empty()) out.sms_number = c.sms_number;
    out.push_tokens = c.push_tokens;
    return out;
}

InboxEntry entry_of(const InboxItem& i) {
    InboxEntry e{api::of<api::Id<"ntf">>(i.id), i.kind, i.title, i.body, i.link, api::of<api::Timestamp>(i.created_at), {}};
    if (!i.read_at.empty()) e.read_at = api::of<api::Timestamp>(i.read_at);
    return e;
}

PreferencesReply preferences_reply(const std::vector<Preference>& prefs) {
    PreferencesReply out;
    for (auto& p : prefs) out.preferences.push_back({api::of<Category>(p.category), api::of<Channel>(p.channel), p.enabled, p.locked});
    return out;
}

}  // namespace

void register_inbox_routes(Router& router, Inbox& inbox) {
    api::add<api::None, InboxQuery, InboxReply>(
        router,
        {.method = Method::get, .path = "/api/v1/me/notifications", .id = "listMyNotifications", .summary = "The account's in-app notifications",
         .description = "Newest first; `unread=true` lists only the unread ones. `unread_count` counts every unread entry.",
         .tag = "notification", .access = Access::user},
        [&inbox](Request& req, api::None&, InboxQuery& q) {
            int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            auto page = inbox.list(req.ctx().user_id(), q.cursor ? q.cursor->value : "", limit, q.unread.value_or(false));
            InboxReply out;
            for (auto& i : page.items) out.data.push_back(entry_of(i));
            out.unread_count = page.unread;
            if (!page.next.empty()) out.next_cursor = api::of<api::Cursor>(page.next);
            return out;
        });

    api::add<api::None, api::None, InboxEntry>(
        router,
        {.method = Method::post, .path = "/api/v1/me/notifications/{id}/read", .id = "readMyNotification", .summary = "Mark a notification read",
         .description = "Marking a read entry again changes nothing (the request is idempotent by itself). Another account's entry is 404.",
         .tag = "notification", .access = Access::user, .errors = {404}},
        [&inbox](Request& req, api::None&, api::None&) {
            return entry_of(unwrap(inbox.mark_read(req.ctx(), req.ctx().user_id(), std::string(req.param("id")))));
        });

    api::add<api::None, api::None, ReadAllReply>(
        router,
        {.method = Method::post, .path = "/api/v1/me/notifications/read-all", .id = "readAllMyNotifications",
         .summary = "Mark every notification read", .description = "Idempotent by itself: a second call marks nothing.",
         .tag = "notification", .access = Access::user},
        [&inbox](Request& req, api::None&, api::None&) { return ReadAllReply{inbox.mark_all_read(req.ctx(), req.ctx().user_id()), 0}; });

    api::add<api::None, api::None, PreferencesReply>(
        router,
        {.method = Method::get, .path = "/api/v1/me/notification-preferences", .id = "getMyNotificationPreferences",
         .summary = "What the account is notified of, per category and channel",
         .description = "Every category and channel the account can be notified on (admins also `stock`), on unless switched off. "
                        "`locked`: transactional email (orders, account) is always sent.",
         .tag = "notification", .access = Access::user},
        [&inbox](Request& req, api::None&, api::None&) {
            return preferences_reply(inbox.preferences(req.ctx().user_id(), req.ctx().is_admin()));
        });

    api::add<PreferencesRequest, api::None, PreferencesReply>(
        router,
        {.method = Method::put, .path = "/api/v1/me/notification-preferences", .id = "putMyNotificationPreferences",
         .summary = "Switch notifications on or off per category and channel",
         .description = "Each entry sets one (category, channel); the others stay. Switching off a locked one (transactional email) "
                        "is 422 naming `preferences[i].enabled`; a category not sent on that channel 422 naming `preferences[i].channel`.",
         .tag = "notification", .access = Access::user},
        [&inbox](Request& req, PreferencesRequest& b, api::None&) {
            std::vector<PreferenceChange> changes;
            for (auto& p : b.preferences.items) changes.push_back({p.category.value, p.channel.value, p.enabled});
            return preferences_reply(unwrap(inbox.set_preferences(req.ctx(), req.ctx().user_id(), req.ctx().is_admin(), changes)));
        });

    api::add<api::None, api::None, ContactsReply>(
        router,
        {.method = Method::get, .path = "/api/v1/me/notification-contacts", .id = "getMyNotificationContacts",
         .summary = "Where the account gets SMS and push notifications", .tag = "notification", .access = Access::user},
        [&inbox](Request& req, api::None&, api::None&) { return contacts_reply(inbox.contacts_of(req.ctx().user_id())); });

    api::add<ContactsBody, api::None, ContactsReply>(
        router,
        {.method = Method::put, .path = "/api/v1/me/notification-contacts", .id = "putMyNotificationContacts",
         .summary = "Set the account's SMS number and push tokens",
         .description = "Replaces both: `sms_number` (E.164, null for none) and `push_tokens` (the account's devices, at most 10). "
                        "Order updates go to them when the shop has an SMS or push provider and the account's preferences allow.",
         .tag = "notification", .access = Access::user},
        [&inbox](Request& req, ContactsBody& b, api::None&) {
            Contacts c;
            if (b.sms_number.value) c.sms_number = b.sms_number.value->value;
            for (auto& t : b.push_tokens.items) c.push_tokens.push_back(t.value);
            return contacts_reply(unwrap(inbox.set_contacts(req.ctx(), req.ctx().user_id(), c)));
        });

    api::add<api::None, UnsubscribeQuery, UnsubscribeReply>(
        router,
        {.method = Method::post, .path = "/api/v1/notifications/unsubscribe", .id = "unsubscribe",
         .summary = "One-click unsubscribe (RFC 8058) from a category of non-transactional mail",
         .description = "The URL of a mail's `List-Unsubscribe` header (mail clients POST `List-Unsubscribe=One-Click` to it) and of "
                        "the storefront's unsubscribe page. `token` is signed by the shop and names the recipient and the category; "
                        "the body is ignored. A token this shop did not sign is 422 naming `token`.",
         .tag = "notification", .idempotency_schema = "notification", .body_optional = true,
         .body_types = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}},
        [&inbox](Request& req, api::None&, UnsubscribeQuery& q) {
            auto done = unwrap(inbox.unsubscribe(req.ctx(), q.token.value));
            return UnsubscribeReply{api::of<Category>(done.category), api::of<Channel>(done.channel), false};
        });
}

}  // namespace shop::notification
