-- The product list's sort keys and its price filter.
-- title_key: the title with ASCII letters lower-cased (what `sort=title` orders by).
-- rating_sum/rating_count: of the approved reviews; rating_key: their average in thousandths.
ALTER TABLE catalog.products ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
UPDATE catalog.products SET title_key = LOWER(title);
ALTER TABLE catalog.products ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE catalog.products ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE catalog.products ADD COLUMN rating_key BIGINT NOT NULL DEFAULT 0;
CREATE INDEX catalog.products_status_created ON products (status, created_at, id);
CREATE INDEX catalog.products_status_title ON products (status, title_key, id);
CREATE INDEX catalog.products_status_rating ON products (status, rating_key, id);

-- A product's "from" price per currency: the lowest of its variants' prices there. Kept with the
-- product's prices in the same transaction; what min_price/max_price and sort=price read.
CREATE TABLE catalog.list_prices (
    product_id TEXT NOT NULL REFERENCES products (id),
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (product_id, currency)
);
CREATE INDEX catalog.list_prices_currency ON list_prices (currency, amount, product_id);
INSERT INTO catalog.list_prices (product_id, currency, amount)
    SELECT v.product_id, pr.currency, MIN(pr.amount) FROM catalog.prices pr JOIN catalog.variants v ON v.id = pr.variant_id
    GROUP BY v.product_id, pr.currency;
