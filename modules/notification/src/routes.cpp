// Thin HTTP handlers: the typed declarations of notification's routes -> the service.
#include "notification_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

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

}  // namespace

void register_notification_routes(Router& router, NotificationService& svc) {
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
}

}  // namespace shop::notification
