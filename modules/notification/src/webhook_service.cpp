#include "webhook_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "domain/webhooks.hpp"
#include "platform/audit.hpp"
#include "platform/bus.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "webhook_events.hpp"
#include "webhook_sender.hpp"

namespace shop::notification {

namespace json = boost::json;

namespace {

constexpr int kBatch = 20;
constexpr std::int64_t kLeaseMarginMs = 30000;  // beyond the timeout: a sender still recording its attempt keeps the lease

std::string new_secret() { return "whsec_" + crypto::random_token(32); }

std::string types_json(const std::vector<std::string>& types) {
    json::array a;
    for (auto& t : types) a.push_back(json::value(t));
    return json::serialize(a);
}

std::vector<std::string> types_of(const std::string& text) {
    std::vector<std::string> out;
    json::value parsed = json::parse(text);
    for (auto& v : parsed.as_array()) out.emplace_back(v.as_string());
    return out;
}

constexpr const char* kEndpointColumns = "id, url, event_types, description, enabled, created_at, updated_at, disabled_reason";

WebhookEndpoint endpoint_of(const db::Row& row) {
    return {row.str(0), row.str(1), types_of(row.str(2)), row.str(3), row.boolean(4), row.str(5), row.str(6), row.str(7), ""};
}

std::optional<WebhookEndpoint> load_endpoint(db::Sql& q, const std::string& id) {
    auto row = q.one(fmt::format("SELECT {} FROM notification.webhook_endpoints WHERE id = ?", kEndpointColumns), id);
    if (!row) return std::nullopt;
    return endpoint_of(*row);
}

Error no_endpoint(const std::string& id) { return not_found("no webhook endpoint '" + id + "'"); }

// The problems of an admin's input, each naming its field; `creating` requires url and event_types.
std::vector<FieldError> input_errors(const WebhookInput& in, bool creating) {
    std::vector<FieldError> errors;
    if (in.url) {
        if (auto why = domain::webhook_url_problem(*in.url)) errors.push_back({"url", *why});
    } else if (creating) {
        errors.push_back({"url", "is required"});
    }
    if (in.event_types) {
        const auto& types = *in.event_types;
        for (std::size_t i = 0; i < types.size(); ++i) {
            std::string field = fmt::format("event_types[{}]", i);
            if (types[i] != "*" && !is_published_event(types[i]))
                errors.push_back({field, "is not an event type the shop publishes (GET /api/v1/admin/webhooks/event-types lists them; \"*\" is every type)"});
            else if (std::find(types.begin(), types.begin() + static_cast<std::ptrdiff_t>(i), types[i]) != types.begin() + static_cast<std::ptrdiff_t>(i))
                errors.push_back({field, "is listed twice"});
        }
    } else if (creating) {
        errors.push_back({"event_types", "is required"});
    }
    return errors;
}

WebhookDelivery delivery_of(const db::Row& row) {
    WebhookDelivery d{row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.i64(5), row.str(6), "", {}};
    if (d.status == "pending") d.next_attempt_at = iso8601(std::max(row.i64(7), row.i64(8)));
    return d;
}

constexpr const char* kDeliveryColumns =
    "id, endpoint_id, event_id, event_type, status, attempts, created_at, next_attempt_ms, leased_until_ms";

void load_attempts(db::Sql& q, WebhookDelivery& d) {
    for (auto& row : q.query("SELECT attempt, at, http_status, error, duration_ms FROM notification.webhook_attempts WHERE delivery_id = ? "
                             "ORDER BY attempt",
                             d.id))
        d.attempt_log.push_back({row.i64(0), row.str(1), row.i64(2), row.str(3), row.i64(4)});
}

}  // namespace


Result<WebhookEndpoint> WebhookService::create(const Ctx& ctx, const WebhookInput& in,
                                               const std::function<void(db::Tx&, const WebhookEndpoint&)>& record_reply) {
    if (auto errors = input_errors(in, true); !errors.empty()) return Error(errc::validation_failed, "the webhook endpoint cannot be used", errors);
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<WebhookEndpoint> {
        std::string now = now_iso8601();
        WebhookEndpoint e{new_id("whk"), *in.url, *in.event_types, in.description.value_or(""), in.enabled.value_or(true), now, now, "", new_secret()};
        tx.exec("INSERT INTO notification.webhook_endpoints (id, url, event_types, description, enabled, secret, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                e.id, e.url, types_json(e.event_types), e.description, e.enabled, e.secret, now, now);
        audit::record(tx, "notification.webhook.created", e.id,
                      {{"url", e.url}, {"event_types", json::parse(types_json(e.event_types))}, {"enabled", e.enabled}});
        record_reply(tx, e);
        return e;
    });
}

std::vector<WebhookEndpoint> WebhookService::list(const std::string& before, int limit) {
    std::string cursor = before.empty() ? "~" : before;  // '~' sorts after every id
    return db_.read([&](db::Reader& r) {
        std::vector<WebhookEndpoint> out;
        for (auto& row : r.query(fmt::format("SELECT {} FROM notification.webhook_endpoints WHERE id < ? ORDER BY id DESC LIMIT ?", kEndpointColumns),
                                 cursor, limit))
            out.push_back(endpoint_of(row));
        return out;
    });
}

Result<WebhookEndpoint> WebhookService::get(const std::string& id) {
    auto e = db_.read([&](db::Reader& r) { return load_endpoint(r, id); });
    if (!e) return no_endpoint(id);
    return *e;
}

Result<WebhookEndpoint> WebhookService::update(const Ctx& ctx, const std::string& id, const WebhookInput& in) {
    if (auto errors = input_errors(in, false); !errors.empty()) return Error(errc::validation_failed, "the webhook endpoint cannot be used", errors);
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<WebhookEndpoint> {
        auto e = load_endpoint(tx, id);
        if (!e) return no_endpoint(id);
        json::array changed;
        if (in.url && *in.url != e->url) {
            e->url = *in.url;
            changed.push_back("url");
        }
        if (in.event_types && *in.event_types != e->event_types) {
            e->event_types = *in.event_types;
            changed.push_back("event_types");
        }
        if (in.description && *in.description != e->description) {
            e->description = *in.description;
            changed.push_back("description");
        }
        if (in.enabled && *in.enabled != e->enabled) {
            e->enabled = *in.enabled;
            e->disabled_reason = e->enabled ? "" : "disabled by an admin";
            changed.push_back("enabled");
        }
        if (changed.empty()) return *e;
        e->updated_at = now_iso8601();
        tx.exec("UPDATE notification.webhook_endpoints SET url = ?, event_types = ?, description = ?, enabled = ?, disabled_reason = ?, "
                "updated_at = ? WHERE id = ?",
                e->url, types_json(e->event_types), e->description, e->enabled, e->disabled_reason, e->updated_at, id);
        // Enabled again: the disabling rule counts only failures from now on.
        if (in.enabled && *in.enabled && std::find(changed.begin(), changed.end(), json::value("enabled")) != changed.end())
            tx.exec("UPDATE notification.webhook_endpoints SET last_good_ms = ? WHERE id = ?", now_ms(), id);
        audit::record(tx, "notification.webhook.updated", id, {{"fields", changed}, {"enabled", e->enabled}});
        if (e->enabled) tx.after_commit([this] { wake(); });  // deliveries held while it was disabled are due
        return *e;
    });
}

Result<void> WebhookService::remove(const Ctx& ctx, const std::string& id) {
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<void> {
        auto e = load_endpoint(tx, id);
        if (!e) return no_endpoint(id);
        tx.exec("DELETE FROM notification.webhook_attempts WHERE delivery_id IN (SELECT id FROM notification.webhook_deliveries WHERE endpoint_id = ?)",
                id);
        std::int64_t deliveries = tx.exec("DELETE FROM notification.webhook_deliveries WHERE endpoint_id = ?", id);
        tx.exec("DELETE FROM notification.webhook_endpoints WHERE id = ?", id);
        audit::record(tx, "notification.webhook.deleted", id, {{"url", e->url}, {"deliveries", deliveries}});
        return {};
    });
}

Result<WebhookEndpoint> WebhookService::rotate_secret(const Ctx& ctx, const std::string& id,
                                                      const std::function<void(db::Tx&, const WebhookEndpoint&)>& record_reply) {
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<WebhookEndpoint> {
        auto e = load_endpoint(tx, id);
        if (!e) return no_endpoint(id);
        e->secret = new_secret();
        e->updated_at = now_iso8601();
        tx.exec("UPDATE notification.webhook_endpoints SET secret = ?, updated_at = ? WHERE id = ?", e->secret, e->updated_at, id);
        audit::record(tx, "notification.webhook.secret_rotated", id);
        record_reply(tx, *e);
        return *e;
    });
}

std::optional<std::string> WebhookService::secret_of(const std::string& id) {
    return db_.read([&](db::Reader& r) -> std::optional<std::string> {
        auto row = r.one("SELECT secret FROM notification.webhook_endpoints WHERE id = ?", id);
        if (!row) return std::nullopt;
        return row->str(0);
    });
}

Result<std::vector<WebhookDelivery>> WebhookService::deliveries(const std::string& endpoint_id, const std::string& before, int limit) {
    std::string cursor = before.empty() ? "~" : before;
    return db_.read([&](db::Reader& r) -> Result<std::vector<WebhookDelivery>> {
        if (!r.count("SELECT COUNT(*) FROM notification.webhook_endpoints WHERE id = ?", endpoint_id)) return no_endpoint(endpoint_id);
        std::vector<WebhookDelivery> out;
        for (auto& row : r.query(fmt::format("SELECT {} FROM notification.webhook_deliveries WHERE endpoint_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                                             kDeliveryColumns),
                                 endpoint_id, cursor, limit))
            out.push_back(delivery_of(row));
        for (auto& d : out) load_attempts(r, d);
        return out;
    });
}

Result<WebhookDelivery> WebhookService::redeliver(const Ctx& ctx, const std::string& endpoint_id, const std::string& delivery_id,
                                                  const std::function<void(db::Tx&, const WebhookDelivery&)>& record_reply) {
    return db_.write("notification", ctx, [&](db::Tx& tx) -> Result<WebhookDelivery> {
        auto e = load_endpoint(tx, endpoint_id);
        if (!e) return no_endpoint(endpoint_id);
        auto row = tx.one(fmt::format("SELECT {} FROM notification.webhook_deliveries WHERE id = ? AND endpoint_id = ?", kDeliveryColumns),
                          delivery_id, endpoint_id);
        if (!row) return not_found("no delivery '" + delivery_id + "' of webhook endpoint '" + endpoint_id + "'");
        if (!e->enabled) return conflict("the endpoint is disabled (" + e->disabled_reason + "): enable it (PATCH enabled: true) first");
        std::int64_t now = now_ms();
        if (row->i64(8) > now) return conflict("an attempt of this delivery is under way; ask again when it is recorded");
        std::string previous = row->str(4);
        tx.exec("UPDATE notification.webhook_deliveries SET status = 'pending', next_attempt_ms = ? WHERE id = ?", now, delivery_id);
        auto d = delivery_of(*tx.one(fmt::format("SELECT {} FROM notification.webhook_deliveries WHERE id = ?", kDeliveryColumns), delivery_id));
        load_attempts(tx, d);
        audit::record(tx, "notification.webhook.redelivered", delivery_id, {{"endpoint_id", endpoint_id}, {"previous_status", previous}});
        record_reply(tx, d);
        tx.after_commit([this] { wake(); });
        return d;
    });
}

void WebhookService::enqueue(db::Tx& tx, const json::value& data, const bus::EventMeta& meta) {
    std::vector<std::string> endpoints;
    // Only endpoints that existed when the event was published: a consumer catching up after the
    // endpoint was registered does not send it the history before.
    for (auto& row : tx.query("SELECT id, event_types FROM notification.webhook_endpoints WHERE enabled = 1 AND created_at <= ? ORDER BY id",
                              meta.created_at))
        if (domain::subscribed(types_of(row.str(1)), meta.type)) endpoints.push_back(row.str(0));
    if (endpoints.empty()) return;
    json::value sent = data;
    if (auto withheld = withheld_member(meta.type); !withheld.empty() && sent.is_object()) sent.as_object().erase(withheld);
    std::string body = json::serialize(json::object{{"id", meta.id}, {"type", meta.type}, {"created_at", meta.created_at}, {"data", std::move(sent)}});
    std::string now = now_iso8601();
    int queued = 0;
    for (auto& endpoint : endpoints)
        // (endpoint_id, event_id) is unique: a redelivered event finds its delivery there and adds none.
        queued += static_cast<int>(tx.exec("INSERT INTO notification.webhook_deliveries (id, endpoint_id, event_id, event_type, body, status, "
                                           "next_attempt_ms, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) "
                                           "ON CONFLICT (endpoint_id, event_id) DO NOTHING",
                                           new_id("whd"), endpoint, meta.id, meta.type, body, now_ms(), now));
    if (queued) tx.after_commit([this] { wake(); });  // sent once this transaction commits (never if it rolls back)
}

int WebhookService::deliver_due() {
    struct Due {
        std::string id, endpoint_id, event_id, url, secret, body;
        std::int64_t attempts = 0, next_attempt_ms = 0, first_attempt_ms = 0;
    };
    std::vector<Due> due;
    std::int64_t now = now_ms();
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT d.id, d.endpoint_id, d.event_id, e.url, e.secret, d.body, d.attempts, d.next_attempt_ms, d.first_attempt_ms "
                                 "FROM notification.webhook_deliveries d JOIN notification.webhook_endpoints e ON e.id = d.endpoint_id "
                                 "WHERE d.status = 'pending' AND d.next_attempt_ms <= ? AND d.leased_until_ms <= ? AND e.enabled = 1 "
                                 "ORDER BY d.next_attempt_ms, d.id LIMIT ?",
                                 now, now, kBatch))
            due.push_back({row.str(0), row.str(1), row.str(2), row.str(3), row.str(4), row.str(5), row.i64(6), row.i64(7), row.i64(8)});
    });
    if (due.empty()) return 0;
    // Take them: only what this instance leased is sent by it.
    std::int64_t lease = now + settings_.timeout.count() + kLeaseMarginMs;
    Ctx ctx = Ctx::system("notification.webhook_sender");
    std::vector<Due> taken;
    db_.write("notification", ctx, [&](db::Tx& tx) {
        taken.clear();
        for (auto& d : due)
            if (tx.exec("UPDATE notification.webhook_deliveries SET leased_until_ms = ? WHERE id = ? AND status = 'pending' AND leased_until_ms <= ? "
                        "AND next_attempt_ms = ? AND attempts = ?",
                        lease, d.id, now, d.next_attempt_ms, d.attempts))
                taken.push_back(d);
    });
    int attempted = 0;
    for (auto& d : taken) {
        if (worker_.stopping()) break;
        std::int64_t at_ms = now_ms();
        std::string at = iso8601(at_ms);
        std::int64_t unix_seconds = at_ms / 1000;
        WebhookPost post{d.url, d.body,
                         {{"Content-Type", "application/json"},
                          {"Shop-Webhook-Id", d.id},  // the delivery: the same on every attempt, for the receiver's deduplication
                          {"Shop-Signature", domain::signature_header(d.secret, unix_seconds, d.body)}},
                         settings_.timeout};
        WebhookOutcome o = post_webhook(post);
        ++attempted;
        std::int64_t attempt = d.attempts + 1;
        std::int64_t first = d.first_attempt_ms ? d.first_attempt_ms : at_ms;
        auto delay = o.ok() ? std::nullopt : domain::webhook_retry_delay(settings_.retry, attempt);
        std::string status = o.ok() ? "succeeded" : delay ? "pending" : "failed";
        std::string disabled_reason;
        db_.write("notification", ctx, [&](db::Tx& tx) {
            disabled_reason.clear();
            // The endpoint (and its deliveries) may have been deleted while this attempt ran.
            if (!tx.exec("UPDATE notification.webhook_deliveries SET status = ?, attempts = ?, next_attempt_ms = ?, first_attempt_ms = ?, "
                         "leased_until_ms = 0 WHERE id = ?",
                         status, attempt, delay ? now_ms() + *delay : d.next_attempt_ms, first, d.id))
                return;
            tx.exec("INSERT INTO notification.webhook_attempts (delivery_id, attempt, at, http_status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                    d.id, attempt, at, static_cast<std::int64_t>(o.http_status), o.error, o.duration_ms);
            if (o.ok()) {
                tx.exec("UPDATE notification.webhook_endpoints SET last_good_ms = ? WHERE id = ? AND last_good_ms < ?", at_ms, d.endpoint_id, at_ms);
                return;
            }
            if (status != "failed") return;
            auto endpoint = tx.one("SELECT enabled, last_good_ms FROM notification.webhook_endpoints WHERE id = ?", d.endpoint_id);
            if (!endpoint || !endpoint->boolean(0) || !domain::disables_endpoint(endpoint->i64(1), first)) return;
            disabled_reason = fmt::format("delivery {} failed after {} attempts and no attempt to this endpoint has succeeded since {}; last error: {}",
                                          d.id, attempt, iso8601(first), o.error);
            tx.exec("UPDATE notification.webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?", disabled_reason,
                    now_iso8601(), d.endpoint_id);
            audit::record(tx, audit::Actor{"system", "notification.webhook_sender"}, "notification.webhook.disabled", d.endpoint_id,
                          {{"delivery_id", d.id}, {"attempts", attempt}, {"last_error", o.error}});
        });
        if (o.ok())
            log_.info("webhook delivered", {{"delivery_id", d.id}, {"endpoint_id", d.endpoint_id}, {"attempt", attempt}, {"http_status", o.http_status}});
        else
            log_.warn(status == "pending" ? "webhook delivery failed; will retry" : "webhook delivery failed; giving up",
                      {{"delivery_id", d.id}, {"endpoint_id", d.endpoint_id}, {"attempt", attempt}, {"error", o.error}});
        if (!disabled_reason.empty()) log_.warn("webhook endpoint disabled", {{"endpoint_id", d.endpoint_id}, {"reason", disabled_reason}});
    }
    return attempted;
}

std::int64_t WebhookService::next_due_ms() {
    return db_.read([](db::Reader& r) {
        auto row = r.one("SELECT MIN(CASE WHEN d.leased_until_ms > d.next_attempt_ms THEN d.leased_until_ms ELSE d.next_attempt_ms END) "
                         "FROM notification.webhook_deliveries d JOIN notification.webhook_endpoints e ON e.id = d.endpoint_id "
                         "WHERE d.status = 'pending' AND e.enabled = 1");
        return row && !row->is_null(0) ? row->i64(0) : now_ms() + 1000;
    });
}

bool WebhookService::idle() {
    std::int64_t now = now_ms();
    return db_.read([&](db::Reader& r) {
        return r.count("SELECT COUNT(*) FROM notification.webhook_deliveries d JOIN notification.webhook_endpoints e ON e.id = d.endpoint_id "
                       "WHERE d.status = 'pending' AND d.next_attempt_ms <= ? AND e.enabled = 1",
                       now) == 0;
    });
}

void WebhookService::collect_metrics(std::string& out) {
    std::map<std::string, std::int64_t> by_status{{"pending", 0}, {"succeeded", 0}, {"failed", 0}};
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT status, COUNT(*) FROM notification.webhook_deliveries GROUP BY status")) by_status[row.str(0)] = row.i64(1);
    });
    out += "# HELP shop_webhook_deliveries Outbound webhook deliveries by status (pending, succeeded, failed).\n"
           "# TYPE shop_webhook_deliveries gauge\n";
    for (auto& [status, n] : by_status) out += fmt::format("shop_webhook_deliveries{{status=\"{}\"}} {}\n", status, n);
}

}  // namespace shop::notification
