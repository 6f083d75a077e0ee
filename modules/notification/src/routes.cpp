// Thin HTTP handlers: the typed declarations of notification's routes -> the service.
#include "notification_service.hpp"
#include "platform/api.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"

#include <cctype>

namespace shop::notification {
using namespace shop::http;

namespace {

struct MessageQuery {
    std::optional<api::OneOf<"queued", "sent", "failed">> status;
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(MessageQuery, status, limit, cursor)

struct DeliveryAttempt {
    std::int64_t attempt = 0;
    api::Timestamp at;
    api::OneOf<"sent", "failed", "rejected"> outcome;  ///< failed: transient, retried; rejected: refused for good
    std::string error;                                  ///< the provider's or transport's words ("" when sent)
};
SHOP_API_STRUCT(DeliveryAttempt, attempt, at, outcome, error)

struct Message {
    api::Id<"msg"> id;
    std::string template_key;
    std::string channel;
    std::string recipient;
    std::string subject;
    api::OneOf<"queued", "sent", "failed"> status;
    std::int64_t attempts = 0;
    std::string error;  ///< the last delivery error ("" when none)
    api::Timestamp created_at;
    api::Nullable<api::Timestamp> next_attempt_at;  ///< when a queued message is tried next
    std::vector<DeliveryAttempt> attempt_log;       ///< every attempt, oldest first
};
SHOP_API_STRUCT(Message, id, template_key, channel, recipient, subject, status, attempts, error, created_at, next_attempt_at, attempt_log)

struct MessagePage {
    std::vector<Message> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(MessagePage, data, next_cursor)

using Channel = api::OneOf<"email", "in_app", "sms", "push">;

struct TemplateOut {
    Channel channel;
    std::string locale;
    std::string subject;
    std::string body;
    std::string html;  ///< "" = the HTML alternative is made from the text
    bool customized = false;  ///< saved by an admin; false = the built-in template
    api::Nullable<api::Timestamp> updated_at;
};
SHOP_API_STRUCT(TemplateOut, channel, locale, subject, body, html, customized, updated_at)

struct NotificationTemplate {
    std::string key;
    std::string event;  ///< the event that sends it
    api::OneOf<"customer", "admins"> recipient;
    std::string category;
    bool transactional = true;
    std::vector<std::string> variables;
    std::map<std::string, std::vector<std::string>> lists;  ///< loop sections and the fields of their items
    std::vector<TemplateOut> templates;
};
SHOP_API_STRUCT(NotificationTemplate, key, event, recipient, category, transactional, variables, lists, templates)

struct TemplateList {
    std::vector<NotificationTemplate> data;
};
SHOP_API_STRUCT(TemplateList, data)

struct TemplateCreate {
    api::Text<1, 64> key;
    Channel channel;
    api::Text<2, 35> locale;
    api::Text<1, 300> subject;
    api::Text<1, 20000> body;
    std::optional<api::Text<0, 100000>> html;
};
SHOP_API_STRUCT(TemplateCreate, key, channel, locale, subject, body, html)

struct TemplateUpdate {
    Channel channel;
    api::Text<2, 35> locale;
    api::Text<1, 300> subject;
    api::Text<1, 20000> body;
    std::optional<api::Text<0, 100000>> html;
};
SHOP_API_STRUCT(TemplateUpdate, channel, locale, subject, body, html)

struct PreviewRequest {
    std::optional<Channel> channel;
    std::optional<api::Text<2, 35>> locale;
    std::optional<api::Text<1, 300>> subject;
    std::optional<api::Text<1, 20000>> body;
    std::optional<api::Text<0, 100000>> html;
};
SHOP_API_STRUCT(PreviewRequest, channel, locale, subject, body, html)

struct PreviewReply {
    std::string subject;
    std::string text;
    std::string html;
};
SHOP_API_STRUCT(PreviewReply, subject, text, html)

NotificationTemplate template_reply(const TemplateView& v) {
    NotificationTemplate out{v.kind->key, v.kind->event, api::of<decltype(NotificationTemplate::recipient)>(v.kind->recipient), v.kind->category,
                             v.kind->transactional, v.kind->schema.vars, {}, {}};
    for (auto& [list, fields] : v.kind->schema.lists) out.lists[list] = fields;
    for (auto& t : v.variants) {
        TemplateOut o{api::of<Channel>(t.channel), t.locale, t.subject, t.body, t.html, t.customized, {}};
        if (!t.updated_at.empty()) o.updated_at = api::of<api::Timestamp>(t.updated_at);
        out.templates.push_back(std::move(o));
    }
    return out;
}

// A BCP 47-shaped tag (letters, digits, '-'): 422 naming `locale` otherwise.
std::string locale_of(const std::string& tag) {
    bool ok = !tag.empty() && tag.front() != '-' && tag.back() != '-';
    for (char c : tag) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
    if (!ok) throw ErrorException(validation("locale", "must be a language tag such as en or de-CH"));
    return tag;
}

struct CampaignRequest {
    api::Text<1, 200> title;       ///< the subject
    api::Text<1, 20000> message;   ///< the text, after "Hello <name>,"
};
SHOP_API_STRUCT(CampaignRequest, title, message)

struct CampaignReply {
    api::Id<"cmp"> id;
    std::string title;
    std::int64_t recipients = 0;  ///< mails queued: accounts that consented and did not unsubscribe
    api::Timestamp created_at;
};
SHOP_API_STRUCT(CampaignReply, id, title, recipients, created_at)

}  // namespace

void register_notification_routes(Router& router, NotificationService& svc) {
    api::add<CampaignRequest, api::None, CampaignReply>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/notifications/campaigns", .id = "sendCampaign",
         .summary = "Send a marketing mail to every account that consented",
         .description = "Queues the `newsletter` template (`{{title}}`, `{{message}}`, `{{name}}`) for each account with marketing "
                        "consent (PATCH /me `marketing_consent`) that did not switch marketing mail off; each mail carries a one-click "
                        "unsubscribe link. No consent, no mail.",
         .tag = "notification", .access = Access::admin, .status = 201, .idempotency_schema = "notification", .blocking = true},
        [&svc](Request& req, CampaignRequest& b, api::None&) {
            // "shop": the shop name every notification signs with (module.cpp).
            auto c = unwrap(svc.send_campaign(req.ctx(), b.title.value, b.message.value, "shop"));
            return CampaignReply{api::of<api::Id<"cmp">>(c.id), c.title, c.recipients, api::of<api::Timestamp>(c.created_at)};
        });

    api::add<api::None, MessageQuery, MessagePage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/notifications", .id = "listNotifications",
         .summary = "Messages, newest first, with their delivery state and every attempt", .tag = "notification", .access = Access::admin, .blocking = true},
        [&svc](Request&, api::None&, MessageQuery& q) {
            int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            auto rows = svc.messages(q.status ? q.status->value : "", q.cursor ? q.cursor->value : "", limit + 1);
            MessagePage page;
            bool more = static_cast<int>(rows.size()) > limit;
            if (more) rows.resize(limit);
            for (auto& m : rows) {
                Message out{api::of<api::Id<"msg">>(m.id), m.template_key, m.channel, m.recipient, m.subject,
                            api::of<decltype(Message::status)>(m.status), m.attempts, m.error, api::of<api::Timestamp>(m.created_at)};
                if (!m.next_attempt_at.empty()) out.next_attempt_at = api::of<api::Timestamp>(m.next_attempt_at);
                for (auto& a : m.attempt_log)
                    out.attempt_log.push_back({a.attempt, api::of<api::Timestamp>(a.at), api::of<decltype(DeliveryAttempt::outcome)>(a.outcome), a.error});
                page.data.push_back(std::move(out));
            }
            if (more && !page.data.empty()) page.next_cursor = api::of<api::Cursor>(page.data.back().id.value);
            return page;
        });

    api::add<api::None, api::None, TemplateList>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/notification-templates", .id = "listNotificationTemplates",
         .summary = "Every kind of notification: its event, recipient, variables and templates in force",
         .tag = "notification", .access = Access::admin},
        [&svc](Request&, api::None&, api::None&) {
            TemplateList out;
            for (auto& v : svc.templates()) out.data.push_back(template_reply(v));
            return out;
        });
    api::add<api::None, api::None, NotificationTemplate>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/notification-templates/{key}", .id = "getNotificationTemplate",
         .summary = "One kind of notification and its templates", .tag = "notification", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, api::None&, api::None&) { return template_reply(unwrap(svc.template_of(std::string(req.param("key"))))); });
    api::add<TemplateCreate, api::None, NotificationTemplate>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/notification-templates", .id = "createNotificationTemplate",
         .summary = "Save a template of a kind for a channel and locale (Mustache)",
         .description = "`{{name}}` inserts a variable (HTML-escaped in `html`; `{{{name}}}` does not escape), `{{#lines}}...{{/lines}}` "
                        "loops over a list. A template that does not parse, or names a variable the kind does not have, is 422 naming "
                        "`subject`, `body` or `html`; an unknown `key` is 422; a template already saved there is 409 (PUT changes it).",
         .tag = "notification", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "notification"},
        [&svc](Request& req, TemplateCreate& b, api::None&) {
            TemplateInput in{b.channel.value, locale_of(b.locale.value), b.subject.value, b.body.value, b.html ? b.html->value : ""};
            return template_reply(unwrap(svc.save_template(req.ctx(), b.key.value, in, true, [](db::Tx& tx, const TemplateView& v) {
                tx.reply(api::write_value(template_reply(v)));
            })));
        });
    api::add<TemplateUpdate, api::None, NotificationTemplate>(
        router,
        {.method = Method::put, .path = "/api/v1/admin/notification-templates/{key}", .id = "putNotificationTemplate",
         .summary = "Save (create or replace) a template of a kind for a channel and locale",
         .description = "Validated like POST; an unknown key is 404.", .tag = "notification", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, TemplateUpdate& b, api::None&) {
            TemplateInput in{b.channel.value, locale_of(b.locale.value), b.subject.value, b.body.value, b.html ? b.html->value : ""};
            return template_reply(unwrap(svc.save_template(req.ctx(), std::string(req.param("key")), in, false, [](db::Tx&, const TemplateView&) {})));
        });
    api::add<PreviewRequest, api::None, PreviewReply>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/notification-templates/{key}/preview", .id = "previewNotificationTemplate",
         .summary = "Render a template with sample data",
         .description = "Renders the given `subject`, `body` and `html`, or for those left out the template in force for the channel "
                        "(default email) and locale (default en), with the kind's sample values (two items in each list). Changes "
                        "nothing.",
         .tag = "notification", .access = Access::admin, .errors = {404}, .body_optional = true},
        [&svc](Request& req, PreviewRequest& b, api::None&) {
            TemplateInput in{b.channel ? b.channel->value : "email", b.locale ? locale_of(b.locale->value) : "en", b.subject ? b.subject->value : "",
                             b.body ? b.body->value : "", b.html ? b.html->value : ""};
            auto r = unwrap(svc.preview(std::string(req.param("key")), in));
            return PreviewReply{r.subject, r.text, r.html};
        });
}

}  // namespace shop::notification
