#pragma once
// Outbound webhooks: endpoints an admin registers, deliveries queued by the bus handlers (one per
// event and endpoint, in the handler's transaction) and a sender thread that POSTs them signed,
// retries failures with backoff, fails a delivery after its last attempt and disables an endpoint
// that answered nothing but failures for a delivery's whole retry span (domain/webhooks.hpp).
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/delivery.hpp"
#include "platform/context.hpp"
#include "platform/error.hpp"
#include "platform/log.hpp"

#include "queue_worker.hpp"

namespace shop::db {
class Database;
class Tx;
}  // namespace shop::db
namespace shop::bus {
struct EventMeta;
}

namespace shop::notification {

struct WebhookSettings {
    domain::RetryPolicy retry{31, 30000, 3600000};
    std::chrono::milliseconds timeout{10000};
};

struct WebhookEndpoint {
    std::string id;
    std::string url;
    std::vector<std::string> event_types;
    std::string description;
    bool enabled = true;
    std::string created_at;
    std::string updated_at;
    std::string disabled_reason;  ///< "" unless disabled
    std::string secret;           ///< filled only where the secret is to be shown (create, rotate)
};

/// What an admin sends: every field optional for an update; create requires url and event_types.
struct WebhookInput {
    std::optional<std::string> url;
    std::optional<std::vector<std::string>> event_types;
    std::optional<std::string> description;
    std::optional<bool> enabled;
};

struct WebhookAttempt {
    std::int64_t attempt = 0;
    std::string at;
    std::int64_t http_status = 0;  ///< 0: no answer
    std::string error;
    std::int64_t duration_ms = 0;
};

struct WebhookDelivery {
    std::string id;
    std::string endpoint_id;
    std::string event_id;
    std::string event_type;
    std::string status;  ///< pending | succeeded | failed
    std::int64_t attempts = 0;
    std::string created_at;
    std::string next_attempt_at;  ///< "" unless pending
    std::vector<WebhookAttempt> attempt_log;
};

class WebhookService {
public:
    WebhookService(db::Database& db, Logger& log, WebhookSettings settings) : db_(db), log_(log), settings_(settings) {}
    WebhookService(const WebhookService&) = delete;
    WebhookService& operator=(const WebhookService&) = delete;

    /// Registers an endpoint with a new secret (returned in the result, only here and on rotation).
    /// An invalid url or an unknown event type is a validation error naming `url` or
    /// `event_types[i]`. `record_reply` runs in the creating transaction (Tx::reply).
    Result<WebhookEndpoint> create(const Ctx& ctx, const WebhookInput& in, const std::function<void(db::Tx&, const WebhookEndpoint&)>& record_reply);
    /// Endpoints, newest first, older than `before` (all when empty); without secrets.
    std::vector<WebhookEndpoint> list(const std::string& before, int limit);
    Result<WebhookEndpoint> get(const std::string& id);
    /// Changes the given fields; enabling clears `disabled_reason`, disabling records that an admin did.
    Result<WebhookEndpoint> update(const Ctx& ctx, const std::string& id, const WebhookInput& in);
    /// Deletes the endpoint with its deliveries and their attempts.
    Result<void> remove(const Ctx& ctx, const std::string& id);
    /// Replaces the secret; the result carries the new one.
    Result<WebhookEndpoint> rotate_secret(const Ctx& ctx, const std::string& id,
                                          const std::function<void(db::Tx&, const WebhookEndpoint&)>& record_reply);
    /// The endpoint's secret as stored (an Idempotency-Key replay of create or rotate shows it again).
    std::optional<std::string> secret_of(const std::string& id);

    /// The endpoint's deliveries, newest first, older than `before`; not_found for an unknown endpoint.
    Result<std::vector<WebhookDelivery>> deliveries(const std::string& endpoint_id, const std::string& before, int limit);
    /// Queues a fresh attempt of a delivery now (a failed one gets one more attempt; a pending one
    /// is tried now instead of after its wait). Conflict when the endpoint is disabled or an
    /// attempt is under way.
    Result<WebhookDelivery> redeliver(const Ctx& ctx, const std::string& endpoint_id, const std::string& delivery_id,
                                      const std::function<void(db::Tx&, const WebhookDelivery&)>& record_reply);

    /// Bus handler: queues a delivery of the event to every enabled endpoint subscribed to its type
    /// that existed when the event was published, at most once per (event, endpoint) however often
    /// the event is delivered to the handler.
    void enqueue(db::Tx& tx, const boost::json::value& data, const bus::EventMeta& meta);

    /// Starts / stops the sender thread (stop finishes the attempt in progress).
    void start() { worker_.start(); }
    void stop() { worker_.stop(); }
    /// Sends the deliveries that are due and records each attempt; returns how many were attempted.
    int deliver_due();
    /// True when no delivery is due.
    bool idle();
    /// shop_webhook_deliveries{status} (Prometheus text).
    void collect_metrics(std::string& out);

private:
    void wake() { worker_.wake(); }
    std::int64_t next_due_ms();

    db::Database& db_;
    Logger& log_;
    WebhookSettings settings_;
    QueueWorker worker_{"webhook delivery", log_, [this] { return deliver_due(); }, [this] { return next_due_ms(); }};  ///< last: stopped first
};

}  // namespace shop::notification
