-- Typed attributes (defined once for the store), the values products carry, product images, SEO
-- fields, slugs a product had before (still found by them, never given to another product), and
-- the products ever ordered (learned from ordering's events: such a product is archived, never
-- removed).
CREATE TABLE catalog.attributes (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('text', 'number', 'boolean', 'option')),
    options TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE catalog.product_attributes (
    product_id TEXT NOT NULL REFERENCES products (id),
    attribute_id TEXT NOT NULL REFERENCES attributes (id),
    text_value TEXT,
    number_value REAL,
    PRIMARY KEY (product_id, attribute_id)
);
CREATE INDEX catalog.product_attributes_text ON product_attributes (attribute_id, text_value, product_id);
CREATE INDEX catalog.product_attributes_number ON product_attributes (attribute_id, number_value, product_id);

CREATE TABLE catalog.product_images (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    url TEXT NOT NULL,
    alt TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX catalog.product_images_product ON product_images (product_id, position, id);

ALTER TABLE catalog.products ADD COLUMN meta_title TEXT NOT NULL DEFAULT '';
ALTER TABLE catalog.products ADD COLUMN meta_description TEXT NOT NULL DEFAULT '';

CREATE TABLE catalog.retired_slugs (
    slug TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id)
);
CREATE INDEX catalog.retired_slugs_product ON retired_slugs (product_id);

CREATE TABLE catalog.ordered_products (
    product_id TEXT PRIMARY KEY,
    first_order_id TEXT NOT NULL,
    ordered_at TEXT NOT NULL
);
