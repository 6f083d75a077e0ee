// Thin HTTP handlers: the typed declarations of the outbound webhook routes -> WebhookService.
#include "platform/api.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"
#include "webhook_events.hpp"
#include "webhook_service.hpp"

namespace shop::notification {
using namespace shop::http;
using api::None;

namespace {

using EventTypes = api::List<api::Text<1, 100>, 1, 50>;

struct WebhookCreate {
    api::Text<1, 2048> url;
    EventTypes event_types;
    std::optional<api::Text<0, 500>> description;
    std::optional<bool> enabled;
};
SHOP_API_STRUCT(WebhookCreate, url, event_types, description, enabled)

struct WebhookPatch {
    std::optional<api::Text<1, 2048>> url;
    std::optional<EventTypes> event_types;
    std::optional<api::Text<0, 500>> description;
    std::optional<bool> enabled;
};
SHOP_API_STRUCT(WebhookPatch, url, event_types, description, enabled)

struct WebhookEndpointReply {
    api::Id<"whk"> id;
    std::string url;
    std::vector<std::string> event_types;
    std::optional<std::string> description;
    bool enabled = true;
    api::Timestamp created_at;
    api::Timestamp updated_at;
    std::optional<std::string> disabled_reason;  ///< why the shop (or an admin) disabled it
};
SHOP_API_STRUCT(WebhookEndpointReply, id, url, event_types, description, enabled, created_at, updated_at, disabled_reason)

/// The reply of create and rotate-secret: the endpoint with its signing secret.
struct WebhookEndpointWithSecret {
    api::Id<"whk"> id;
    std::string url;
    std::vector<std::string> event_types;
    std::optional<std::string> description;
    bool enabled = true;
    api::Timestamp created_at;
    api::Timestamp updated_at;
    std::optional<std::string> disabled_reason;
    std::string secret;  ///< `whsec_...`: signs every delivery (Shop-Signature); shown only here
};
SHOP_API_STRUCT(WebhookEndpointWithSecret, id, url, event_types, description, enabled, created_at, updated_at, disabled_reason, secret)

struct PageQuery {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(PageQuery, limit, cursor)

struct WebhookEndpointPage {
    std::vector<WebhookEndpointReply> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(WebhookEndpointPage, data, next_cursor)

struct WebhookAttemptReply {
    std::int64_t attempt = 0;
    api::Timestamp at;
    api::Nullable<std::int64_t> http_status;  ///< null: no answer (timeout, connection error)
    std::string error;                        ///< "" when the receiver answered 2xx
    std::int64_t duration_ms = 0;
};
SHOP_API_STRUCT(WebhookAttemptReply, attempt, at, http_status, error, duration_ms)

struct WebhookDeliveryReply {
    api::Id<"whd"> id;
    api::Id<"whk"> endpoint_id;
    api::Id<"evt"> event_id;
    std::string event_type;
    api::OneOf<"pending", "succeeded", "failed"> status;
    std::int64_t attempts = 0;
    api::Timestamp created_at;
    api::Nullable<api::Timestamp> next_attempt_at;  ///< when a pending delivery is tried next
    std::vector<WebhookAttemptReply> attempt_log;   ///< every attempt, oldest first
};
SHOP_API_STRUCT(WebhookDeliveryReply, id, endpoint_id, event_id, event_type, status, attempts, created_at, next_attempt_at, attempt_log)

struct WebhookDeliveryPage {
    std::vector<WebhookDeliveryReply> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(WebhookDeliveryPage, data, next_cursor)

struct WebhookEventType {
    std::string type;
    std::string source;  ///< the publishing module
};
SHOP_API_STRUCT(WebhookEventType, type, source)

struct WebhookEventTypeList {
    std::vector<WebhookEventType> data;
};
SHOP_API_STRUCT(WebhookEventTypeList, data)

template <class Reply>
Reply endpoint_reply(const WebhookEndpoint& e) {
    Reply r;
    r.id = api::of<api::Id<"whk">>(e.id);
    r.url = e.url;
    r.event_types = e.event_types;
    if (!e.description.empty()) r.description = e.description;
    r.enabled = e.enabled;
    r.created_at = api::of<api::Timestamp>(e.created_at);
    r.updated_at = api::of<api::Timestamp>(e.updated_at);
    if (!e.disabled_reason.empty()) r.disabled_reason = e.disabled_reason;
    if constexpr (std::is_same_v<Reply, WebhookEndpointWithSecret>) r.secret = e.secret;
    return r;
}

WebhookDeliveryReply delivery_reply(const WebhookDelivery& d) {
    WebhookDeliveryReply r{api::of<api::Id<"whd">>(d.id), api::of<api::Id<"whk">>(d.endpoint_id), api::of<api::Id<"evt">>(d.event_id),
                           d.event_type, api::of<decltype(WebhookDeliveryReply::status)>(d.status), d.attempts,
                           api::of<api::Timestamp>(d.created_at), {}, {}};
    if (!d.next_attempt_at.empty()) r.next_attempt_at = api::of<api::Timestamp>(d.next_attempt_at);
    for (auto& a : d.attempt_log) {
        WebhookAttemptReply out{a.attempt, api::of<api::Timestamp>(a.at), {}, a.error, a.duration_ms};
        if (a.http_status) out.http_status = a.http_status;
        r.attempt_log.push_back(std::move(out));
    }
    return r;
}

WebhookInput input_of(const std::optional<api::Text<1, 2048>>& url, const std::optional<EventTypes>& types,
                      const std::optional<api::Text<0, 500>>& description, std::optional<bool> enabled) {
    WebhookInput in;
    if (url) in.url = url->value;
    if (types) {
        in.event_types.emplace();
        for (auto& t : *types) in.event_types->push_back(t.value);
    }
    if (description) in.description = description->value;
    in.enabled = enabled;
    return in;
}

// The reply recorded for an Idempotency-Key retry, without the secret: Tx::reply never stores
// secrets (they would sit in idempotency_keys in clear for a day). The route's replay adds the
// endpoint's secret back from where it is kept anyway to sign deliveries, so a retried create or
// rotation shows the secret the admin needs, exactly as the first reply did (or the newer one if
// it was rotated since); an endpoint deleted since is 404.
void record_without_secret(db::Tx& tx, const WebhookEndpoint& e) {
    auto stored = api::write_value(endpoint_reply<WebhookEndpointReply>(e));
    tx.reply(stored);
}

std::function<Response(Request&, const boost::json::value&)> replay_with_secret(WebhookService& svc, int status) {
    return [&svc, status](Request&, const boost::json::value& stored) {
        boost::json::object reply = stored.as_object();
        std::string id(reply.at("id").as_string());
        auto secret = svc.secret_of(id);
        if (!secret) throw ErrorException(not_found("webhook endpoint '" + id + "' made by this request has been deleted since"));
        reply["secret"] = *secret;
        return Response::json(status, reply);
    };
}

template <class Page, class Rows, class F>
Page page_of(Rows rows, int limit, F convert) {
    Page page;
    bool more = static_cast<int>(rows.size()) > limit;
    if (more) rows.resize(limit);
    for (auto& row : rows) page.data.push_back(convert(row));
    if (more && !page.data.empty()) page.next_cursor = api::of<api::Cursor>(page.data.back().id.value);
    return page;
}

}  // namespace

void register_webhook_routes(Router& router, WebhookService& svc) {
    api::add<None, None, WebhookEventTypeList>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/webhooks/event-types", .id = "listWebhookEventTypes",
         .summary = "The event types a webhook endpoint can subscribe to", .tag = "notification", .access = Access::admin},
        [](Request&, None&, None&) {
            WebhookEventTypeList out;
            for (auto& e : published_events()) out.data.push_back({std::string(e.type), std::string(e.source)});
            return out;
        });

    api::add<None, PageQuery, WebhookEndpointPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/webhooks", .id = "listWebhooks", .summary = "Webhook endpoints, newest first",
         .description = "Never shows secrets.", .tag = "notification", .access = Access::admin, .blocking = true},
        [&svc](Request&, None&, PageQuery& q) {
            int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            return page_of<WebhookEndpointPage>(svc.list(q.cursor ? q.cursor->value : "", limit + 1), limit,
                                                [](const WebhookEndpoint& e) { return endpoint_reply<WebhookEndpointReply>(e); });
        });

    api::Operation create{
        .method = Method::post, .path = "/api/v1/admin/webhooks", .id = "createWebhook",
        .summary = "Register a webhook endpoint (its signing secret is shown once, here)",
        .description = "`url`: an absolute http or https URL (422 naming `url` otherwise). `event_types`: versioned event type names the "
                       "shop publishes (`GET /api/v1/admin/webhooks/event-types`) or `*` for all; an unknown name is 422 naming "
                       "`event_types[i]`. Each matching event is POSTed as `{id, type, created_at, data}` with `Shop-Webhook-Id` and "
                       "`Shop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`. The `secret` is in "
                       "this reply and a rotation's only; a retry with the same Idempotency-Key shows it again (404 if the endpoint "
                       "was deleted meanwhile).",
        .tag = "notification", .access = Access::admin, .status = 201, .errors = {404}, .idempotency_schema = "notification"};
    create.replay = replay_with_secret(svc, 201);
    api::add<WebhookCreate, None, WebhookEndpointWithSecret>(router, create, [&svc](Request& req, WebhookCreate& b, None&) {
        auto in = input_of(b.url, b.event_types, b.description, b.enabled);
        return endpoint_reply<WebhookEndpointWithSecret>(unwrap(svc.create(req.ctx(), in, record_without_secret)));
    });

    api::add<None, None, WebhookEndpointReply>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/webhooks/{id}", .id = "getWebhook", .summary = "A webhook endpoint (without its secret)",
         .tag = "notification", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, None&, None&) { return endpoint_reply<WebhookEndpointReply>(unwrap(svc.get(std::string(req.param("id"))))); });

    api::add<WebhookPatch, None, WebhookEndpointReply>(
        router,
        {.method = Method::patch, .path = "/api/v1/admin/webhooks/{id}", .id = "updateWebhook",
         .summary = "Change a webhook endpoint's url, event types, description, or enable/disable it",
         .description = "Validated like POST. `enabled: true` re-enables an endpoint the shop disabled (its held deliveries go out) "
                        "and clears `disabled_reason`.",
         .tag = "notification", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, WebhookPatch& b, None&) {
            auto in = input_of(b.url, b.event_types, b.description, b.enabled);
            return endpoint_reply<WebhookEndpointReply>(unwrap(svc.update(req.ctx(), std::string(req.param("id")), in)));
        });

    api::add<None, None, api::NoContent>(
        router,
        {.method = Method::delete_, .path = "/api/v1/admin/webhooks/{id}", .id = "deleteWebhook",
         .summary = "Delete a webhook endpoint with its delivery log", .tag = "notification", .access = Access::admin, .status = 204,
         .errors = {404}},
        [&svc](Request& req, None&, None&) { unwrap(svc.remove(req.ctx(), std::string(req.param("id")))); });

    api::Operation rotate{.method = Method::post, .path = "/api/v1/admin/webhooks/{id}/rotate-secret", .id = "rotateWebhookSecret",
                          .summary = "Replace a webhook endpoint's signing secret (the new one is shown once, here)",
                          .description = "Deliveries from now on are signed with the new secret only.",
                          .tag = "notification", .access = Access::admin, .errors = {404}, .idempotency_schema = "notification"};
    rotate.replay = replay_with_secret(svc, 200);
    api::add<None, None, WebhookEndpointWithSecret>(router, rotate, [&svc](Request& req, None&, None&) {
        return endpoint_reply<WebhookEndpointWithSecret>(unwrap(svc.rotate_secret(req.ctx(), std::string(req.param("id")), record_without_secret)));
    });

    api::add<None, PageQuery, WebhookDeliveryPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/webhooks/{id}/deliveries", .id = "listWebhookDeliveries",
         .summary = "A webhook endpoint's deliveries, newest first, with every attempt",
         .description = "`status`: `pending` (waiting for its next attempt), `succeeded` (a 2xx answer), `failed` (every attempt "
                        "failed). Each attempt: `at`, `http_status` (null: no answer), `error`, `duration_ms`.",
         .tag = "notification", .access = Access::admin, .errors = {404}, .blocking = true},
        [&svc](Request& req, None&, PageQuery& q) {
            int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            auto rows = unwrap(svc.deliveries(std::string(req.param("id")), q.cursor ? q.cursor->value : "", limit + 1));
            return page_of<WebhookDeliveryPage>(std::move(rows), limit, delivery_reply);
        });

    api::add<None, None, WebhookDeliveryReply>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver", .id = "redeliverWebhook",
         .summary = "Queue a fresh attempt of a delivery now",
         .description = "A failed delivery gets one more attempt; a pending one is tried now instead of after its wait; a succeeded "
                        "one is sent again (same `Shop-Webhook-Id`). 409 when the endpoint is disabled or an attempt is under way.",
         .tag = "notification", .access = Access::admin, .status = 202, .errors = {404, 409}, .idempotency_schema = "notification"},
        [&svc](Request& req, None&, None&) {
            return delivery_reply(unwrap(svc.redeliver(req.ctx(), std::string(req.param("id")), std::string(req.param("delivery_id")),
                                                       [](db::Tx& tx, const WebhookDelivery& d) { tx.reply(api::write_value(delivery_reply(d))); })));
        });
}

}  // namespace shop::notification
