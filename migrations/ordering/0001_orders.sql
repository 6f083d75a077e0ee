CREATE TABLE ordering.orders (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL DEFAULT '',
    guest_token_hash TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    cart_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending_payment', 'confirmed', 'processing', 'shipped', 'delivered',
                                           'cancelled', 'refunded', 'partially_refunded')),
    currency TEXT NOT NULL,
    subtotal BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    shipping BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    total BIGINT NOT NULL,
    shipping_method TEXT NOT NULL,
    shipping_address TEXT NOT NULL,
    billing_address TEXT NOT NULL,
    idempotency_scope TEXT,
    idempotency_key TEXT,
    payment_id TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (idempotency_scope, idempotency_key)
);
CREATE INDEX ordering.orders_customer ON orders (customer_id, id);
CREATE INDEX ordering.orders_status ON orders (status, id);

CREATE TABLE ordering.order_lines (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    position BIGINT NOT NULL,
    sku TEXT NOT NULL,
    product_id TEXT NOT NULL,
    variant_id TEXT NOT NULL,
    title TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL,
    line_total BIGINT NOT NULL
);
CREATE INDEX ordering.order_lines_order ON order_lines (order_id, position);

CREATE TABLE ordering.status_history (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX ordering.status_history_order ON status_history (order_id, id);

CREATE TABLE ordering.shipping_methods (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    active BIGINT NOT NULL DEFAULT 1
);
INSERT INTO ordering.shipping_methods (code, name, amount) VALUES ('standard', 'Standard (3-5 days)', 500);
INSERT INTO ordering.shipping_methods (code, name, amount) VALUES ('express', 'Express (next day)', 1500);
