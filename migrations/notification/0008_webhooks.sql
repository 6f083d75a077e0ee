-- Outbound webhooks: endpoints an admin registers, and one delivery per (event, endpoint), queued
-- by the bus handler's transaction and sent by the module's webhook sender after the commit.
--
-- `secret` is kept as issued: the shop needs it to sign every delivery (HMAC-SHA256), so it cannot
-- be stored as a hash; it is never returned by a GET and never logged. `event_types` is a JSON
-- array of versioned event type names or "*". `enabled` is 0/1. An endpoint the sender disables
-- keeps why in `disabled_reason`. `last_good_ms` (0: never) is when an attempt to it last
-- succeeded or an admin enabled it again: the disabling rule disables the endpoint when a
-- delivery fails for good and `last_good_ms` is older than that delivery's first attempt.
CREATE TABLE notification.webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled BIGINT NOT NULL DEFAULT 1,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    disabled_reason TEXT NOT NULL DEFAULT '',
    last_good_ms BIGINT NOT NULL DEFAULT 0
);

-- `body` is the exact JSON POSTed (made once when queued, so every attempt sends the same bytes).
-- `next_attempt_ms` of a pending delivery is when it is due. A sender that takes a delivery sets
-- `leased_until_ms` past its timeout, so two instances (PostgreSQL) never send it at once, and a
-- crash mid-send only delays it until the lease ends. `first_attempt_ms` (0: none yet) is when the
-- delivery was first tried.
CREATE TABLE notification.webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL DEFAULT 0,
    first_attempt_ms BIGINT NOT NULL DEFAULT 0,
    leased_until_ms BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX notification.webhook_deliveries_due ON webhook_deliveries (status, next_attempt_ms);
CREATE INDEX notification.webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

-- Every attempt of a delivery: when, the HTTP status (0: no answer), the error ("" on success) and
-- how long it took.
CREATE TABLE notification.webhook_attempts (
    delivery_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    at TEXT NOT NULL,
    http_status BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (delivery_id, attempt)
);
