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

struct Message {
    api::Id<"msg"> id;
    std::string template_key;
    std::string recipient;
    std::string subject;
    api::OneOf<"queued", "sent", "failed"> status;
    std::int64_t attempts = 0;
    std::string error;  ///< the last delivery error ("" when none)
    api::Timestamp created_at;
};
SHOP_API_STRUCT(Message, id, template_key, recipient, subject, status, attempts, error, created_at)

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
         .summary = "Messages, newest first, with their delivery state", .tag = "notification", .access = Access::admin, .blocking = true},
        [&svc](Request&, api::None&, MessageQuery& q) {
            int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            auto rows = svc.messages(q.status ? q.status->value : "", q.cursor ? q.cursor->value : "", limit + 1);
            MessagePage page;
            bool more = static_cast<int>(rows.size()) > limit;
            if (more) rows.resize(limit);
            for (auto& m : rows)
                page.data.push_back({api::of<api::Id<"msg">>(m.id), m.template_key, m.recipient, m.subject,
                                     api::of<decltype(Message::status)>(m.status), m.attempts, m.error, api::of<api::Timestamp>(m.created_at)});
            if (more && !page.data.empty()) page.next_cursor = api::of<api::Cursor>(page.data.back().id.value);
            return page;
        });
}

}  // namespace shop::notification
