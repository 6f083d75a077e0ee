-- Fulfilment: what was shipped, in which parcel, and when it arrived; and the payment facts
-- ordering learns from payment's events (ordering never asks payment), for the order's history.
CREATE TABLE ordering.shipments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    carrier TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('shipped', 'delivered')),
    shipped_at TEXT NOT NULL,
    delivered_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ordering.shipments_order ON shipments (order_id, id);

CREATE TABLE ordering.shipment_lines (
    shipment_id TEXT NOT NULL REFERENCES shipments (id),
    line_id TEXT NOT NULL REFERENCES order_lines (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, line_id)
);
CREATE INDEX ordering.shipment_lines_line ON shipment_lines (line_id);

CREATE TABLE ordering.payment_facts (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('authorized', 'failed', 'refunded')),
    amount BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX ordering.payment_facts_order ON payment_facts (order_id, id);
