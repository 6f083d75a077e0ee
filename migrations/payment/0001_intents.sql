-- Sandbox card tokens. The card number is never stored: only what a receipt shows and the
-- outcome the sandbox will give (derived from the test number when the token is made).
CREATE TABLE payment.sandbox_tokens (
    token TEXT PRIMARY KEY,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month BIGINT NOT NULL,
    exp_year BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE payment.intents (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requires_payment_method', 'requires_action', 'processing', 'requires_capture',
                                           'succeeded', 'failed', 'canceled')),
    provider TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    card_brand TEXT NOT NULL DEFAULT '',
    card_last4 TEXT NOT NULL DEFAULT '',
    failure_code TEXT NOT NULL DEFAULT '',
    failure_message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX payment.intents_order ON intents (order_id, id);
-- Never a double charge: at most one intent per order may be in flight or paid.
CREATE UNIQUE INDEX payment.intents_one_live_per_order ON intents (order_id)
    WHERE status IN ('processing', 'requires_capture', 'succeeded');

CREATE TABLE payment.attempts (
    id TEXT PRIMARY KEY,
    intent_id TEXT NOT NULL REFERENCES intents (id),
    outcome TEXT NOT NULL,
    failure_code TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX payment.attempts_intent ON attempts (intent_id);
