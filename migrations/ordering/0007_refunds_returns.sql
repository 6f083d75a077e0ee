-- Refunds and returns. Payment facts learn captures and voids (the table is rebuilt: SQLite
-- cannot change a CHECK); an order's captured total is the sum of its `captured` facts, so the
-- facts of orders captured with their authorization gain one.
CREATE TABLE ordering.payment_facts_new (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('authorized', 'captured', 'voided', 'failed', 'refunded')),
    amount BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
INSERT INTO ordering.payment_facts_new (id, order_id, payment_id, kind, amount, currency, detail, at)
    SELECT id, order_id, payment_id, kind, amount, currency, detail, at FROM ordering.payment_facts;
INSERT INTO ordering.payment_facts_new (id, order_id, payment_id, kind, amount, currency, detail, at)
    SELECT id || 'c', order_id, payment_id, 'captured', amount, currency, 'captured with the authorization', at
    FROM ordering.payment_facts WHERE kind = 'authorized' AND detail = 'authorized and captured';
DROP TABLE ordering.payment_facts;
ALTER TABLE ordering.payment_facts_new RENAME TO payment_facts;
CREATE INDEX ordering.payment_facts_order ON payment_facts (order_id, id);

-- Money an admin (or a received return) sends back; `id` is also payment's refund id.
CREATE TABLE ordering.refunds (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    return_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_code TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    settled_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ordering.refunds_order ON refunds (order_id, id);

-- Units sent back to stock, per order line (never more than were ordered).
CREATE TABLE ordering.restocks (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    line_id TEXT NOT NULL REFERENCES order_lines (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    source TEXT NOT NULL,  -- ref_… or ret_…
    at TEXT NOT NULL
);
CREATE INDEX ordering.restocks_order ON restocks (order_id, line_id);

CREATE TABLE ordering.returns (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'received')),
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    restocked BIGINT NOT NULL DEFAULT 0,
    refund_id TEXT NOT NULL DEFAULT '',
    refund_amount BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    decided_at TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ordering.returns_order ON returns (order_id, id);
CREATE INDEX ordering.returns_status ON returns (status, id);

CREATE TABLE ordering.return_lines (
    return_id TEXT NOT NULL REFERENCES returns (id),
    line_id TEXT NOT NULL REFERENCES order_lines (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (return_id, line_id)
);
CREATE INDEX ordering.return_lines_line ON return_lines (line_id);
