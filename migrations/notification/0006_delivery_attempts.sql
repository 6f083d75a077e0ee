-- Every delivery attempt of a message, kept: when it ran, how it ended and what the provider said,
-- so an admin sees why a message is late or failed. `failed` = a transient failure (retried with
-- backoff), `rejected` = the provider refused the message for good (not retried).
CREATE TABLE notification.attempts (
    message_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'failed', 'rejected')),
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (message_id, attempt)
);
