-- Messages are queued by the event handler's transaction and delivered after it commits by the
-- module's sender, so a slow mail server never holds a database writer and a failed commit never
-- sends anything. Each delivery is retried with backoff, then marked failed.
CREATE TABLE notification.messages_v2 (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    template_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL DEFAULT 0,
    location TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, template_key)
);
INSERT INTO notification.messages_v2 (id, event_id, template_key, channel, recipient, subject, body, status, attempts, location,
                                      error, created_at, sent_at)
    SELECT id, event_id, template_key, channel, recipient, subject, body, status, 1, location, error, created_at, created_at
    FROM notification.messages;
DROP TABLE notification.messages;
ALTER TABLE notification.messages_v2 RENAME TO messages;
CREATE INDEX notification.messages_status ON messages (status, id);
CREATE INDEX notification.messages_due ON messages (status, next_attempt_ms);
