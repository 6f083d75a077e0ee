CREATE TABLE catalog.products (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    vendor_id TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX catalog.products_status_id ON products (status, id);

CREATE TABLE catalog.variants (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    sku TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '{}',
    position BIGINT NOT NULL
);
CREATE INDEX catalog.variants_product ON variants (product_id, position);

CREATE TABLE catalog.prices (
    variant_id TEXT NOT NULL REFERENCES variants (id),
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (variant_id, currency)
);
