-- Reviews (one per product per customer, moderated before they count) and the purchases that make
-- a review verified, learned from ordering's events (confirmed orders; a cancelled one is removed).
CREATE TABLE catalog.reviews (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    customer_id TEXT NOT NULL,
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    verified_purchase BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (product_id, customer_id)
);
CREATE INDEX catalog.reviews_product_status ON reviews (product_id, status, id);
CREATE INDEX catalog.reviews_status ON reviews (status, id);

CREATE TABLE catalog.purchases (
    order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX catalog.purchases_customer ON purchases (customer_id, product_id);
