CREATE TABLE payment.refunds (
    id TEXT PRIMARY KEY,
    intent_id TEXT NOT NULL REFERENCES intents (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    created_at TEXT NOT NULL
);
CREATE INDEX payment.refunds_intent ON refunds (intent_id);
ALTER TABLE payment.intents ADD COLUMN amount_refunded BIGINT NOT NULL DEFAULT 0;
