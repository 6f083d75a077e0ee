CREATE TABLE cart.carts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'converted')),
    order_id TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cart.carts_customer ON carts (customer_id, status);

CREATE TABLE cart.lines (
    id TEXT PRIMARY KEY,
    cart_id TEXT NOT NULL REFERENCES carts (id),
    sku TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (cart_id, sku)
);
