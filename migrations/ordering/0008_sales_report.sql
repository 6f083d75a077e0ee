-- The sales report: a read model ordering keeps from its own events (confirmed orders and
-- refunds), per UTC day and currency, and per product.
CREATE TABLE ordering.sales_daily (
    day TEXT NOT NULL,
    currency TEXT NOT NULL,
    orders BIGINT NOT NULL DEFAULT 0,
    revenue BIGINT NOT NULL DEFAULT 0,
    refunded BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, currency)
);
CREATE TABLE ordering.sales_products (
    day TEXT NOT NULL,
    currency TEXT NOT NULL,
    sku TEXT NOT NULL,
    product_id TEXT NOT NULL,
    title TEXT NOT NULL,
    quantity BIGINT NOT NULL DEFAULT 0,
    revenue BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, currency, sku)
);
