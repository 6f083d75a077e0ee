-- Promotions: coupons (a code, stored upper case) and automatic ones (code '').
CREATE TABLE ordering.promotions (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('percent', 'fixed', 'free_shipping')),
    percent BIGINT NOT NULL DEFAULT 0,
    amount BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT '',
    min_subtotal BIGINT NOT NULL DEFAULT 0,
    min_currency TEXT NOT NULL DEFAULT '',
    starts_ms BIGINT NOT NULL DEFAULT 0,
    ends_ms BIGINT NOT NULL DEFAULT 0,
    usage_limit BIGINT NOT NULL DEFAULT 0,
    per_customer_limit BIGINT NOT NULL DEFAULT 0,
    times_used BIGINT NOT NULL DEFAULT 0 CHECK (times_used >= 0),
    product_ids TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ordering.promotions_code ON promotions (code) WHERE code <> '';

-- One row per order carrying a promotion; 'returned' when the order was cancelled or expired.
CREATE TABLE ordering.promotion_usages (
    promotion_id TEXT NOT NULL REFERENCES promotions (id),
    order_id TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'returned')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (promotion_id, order_id)
);
CREATE INDEX ordering.promotion_usages_customer ON promotion_usages (promotion_id, customer_key, status);
CREATE INDEX ordering.promotion_usages_order ON promotion_usages (order_id);

ALTER TABLE ordering.orders ADD COLUMN promotion_code TEXT NOT NULL DEFAULT '';
ALTER TABLE ordering.orders ADD COLUMN prices_include_tax BIGINT NOT NULL DEFAULT 0;

CREATE TABLE ordering.order_tax_lines (
    order_id TEXT NOT NULL REFERENCES orders (id),
    position BIGINT NOT NULL,
    tax_class TEXT NOT NULL,
    rate_bp BIGINT NOT NULL,
    taxable BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (order_id, position)
);

-- Shipping is priced per currency (shipping_methods.amount is no longer read: a bare number
-- was added to EUR and JPY totals alike). countries: space-separated ISO alpha-2, '' = anywhere.
ALTER TABLE ordering.shipping_methods ADD COLUMN countries TEXT NOT NULL DEFAULT '';
ALTER TABLE ordering.shipping_methods ADD COLUMN created_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00.000Z';
CREATE TABLE ordering.shipping_rates (
    method TEXT NOT NULL REFERENCES shipping_methods (code),
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    free_over BIGINT NOT NULL DEFAULT -1,
    PRIMARY KEY (method, currency)
);
-- Optional weight bands of a rate: the lightest band holding the cart's weight gives the price;
-- above every band the rate's flat amount applies.
CREATE TABLE ordering.shipping_bands (
    method TEXT NOT NULL,
    currency TEXT NOT NULL,
    up_to_grams BIGINT NOT NULL CHECK (up_to_grams > 0),
    amount BIGINT NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (method, currency, up_to_grams)
);
INSERT INTO ordering.shipping_rates (method, currency, amount) SELECT code, 'USD', amount FROM ordering.shipping_methods;
INSERT INTO ordering.shipping_rates (method, currency, amount) SELECT code, 'EUR', amount FROM ordering.shipping_methods;
INSERT INTO ordering.shipping_rates (method, currency, amount) SELECT code, 'GBP', amount FROM ordering.shipping_methods;

-- Tax rates in basis points by destination and tax class; region '' = the whole country.
CREATE TABLE ordering.tax_rates (
    id TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    tax_class TEXT NOT NULL DEFAULT 'standard',
    rate_bp BIGINT NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000),
    name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (country, region, tax_class)
);
