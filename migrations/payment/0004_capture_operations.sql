-- Authorize now, capture later; voids and partial refunds. A capture, void or refund is written
-- `pending` before the provider is called (its id is the provider's idempotency key) and settled
-- after, so a crash in between is finished on restart with the same key: never a second capture
-- or refund at the provider.
ALTER TABLE payment.intents ADD COLUMN capture_method TEXT NOT NULL DEFAULT 'automatic';
ALTER TABLE payment.intents ADD COLUMN amount_captured BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payment.intents ADD COLUMN provider_ref TEXT NOT NULL DEFAULT '';
UPDATE payment.intents SET amount_captured = amount WHERE status = 'succeeded';
-- Before this, a 3-D Secure payment could never be completed: such intents were abandoned.
UPDATE payment.intents SET status = 'failed', failure_code = 'authentication_abandoned',
    failure_message = 'The card authentication was never completed.' WHERE status = 'requires_action';

-- A payment waiting for its 3-D Secure step holds the order too: one live payment per order.
DROP INDEX payment.intents_one_live_per_order;
CREATE UNIQUE INDEX payment.intents_one_live_per_order ON intents (order_id)
    WHERE status IN ('processing', 'requires_action', 'requires_capture', 'succeeded');

CREATE TABLE payment.operations (
    id TEXT PRIMARY KEY,  -- cap_… / vd_… / ref_…: also the provider's idempotency key
    intent_id TEXT NOT NULL REFERENCES intents (id),
    kind TEXT NOT NULL CHECK (kind IN ('capture', 'void', 'refund')),
    amount BIGINT NOT NULL CHECK (amount >= 0),
    reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_code TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    settled_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payment.operations_intent ON operations (intent_id, id);
CREATE INDEX payment.operations_status ON operations (status, id);
-- Never a double capture: one capture or void per authorization, unless it failed.
CREATE UNIQUE INDEX payment.operations_one_settlement ON operations (intent_id)
    WHERE kind IN ('capture', 'void') AND status <> 'failed';

INSERT INTO payment.operations (id, intent_id, kind, amount, reason, status, created_at, settled_at)
    SELECT id, intent_id, 'refund', amount, reason, status, created_at, created_at FROM payment.refunds;
DROP TABLE payment.refunds;

-- The sandbox provider's own books, as a remote provider keeps them on its side: its charges and
-- every operation by idempotency key (a repeated key answers the first call and does nothing).
CREATE TABLE payment.sandbox_charges (
    id TEXT PRIMARY KEY,  -- sbx_…: the provider's reference
    idempotency_key TEXT NOT NULL UNIQUE,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    capture_method TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_captured BIGINT NOT NULL DEFAULT 0,
    amount_refunded BIGINT NOT NULL DEFAULT 0,
    failure_code TEXT NOT NULL DEFAULT '',
    failure_message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE payment.sandbox_operations (
    idempotency_key TEXT PRIMARY KEY,
    charge_id TEXT NOT NULL REFERENCES sandbox_charges (id),
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,
    failure_code TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX payment.sandbox_operations_charge ON sandbox_operations (charge_id, kind);
