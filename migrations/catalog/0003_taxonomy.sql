-- Categories (a tree), brands, collections (manual lists) and what links products to them.
CREATE TABLE catalog.categories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    parent_id TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX catalog.categories_parent ON categories (parent_id, position);

CREATE TABLE catalog.brands (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE catalog.collections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE catalog.collection_products (
    collection_id TEXT NOT NULL REFERENCES collections (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (collection_id, product_id)
);
CREATE INDEX catalog.collection_products_product ON collection_products (product_id, collection_id);

CREATE TABLE catalog.product_categories (
    product_id TEXT NOT NULL REFERENCES products (id),
    category_id TEXT NOT NULL REFERENCES categories (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (product_id, category_id)
);
CREATE INDEX catalog.product_categories_category ON product_categories (category_id, product_id);

ALTER TABLE catalog.products ADD COLUMN brand_id TEXT NOT NULL DEFAULT '';
CREATE INDEX catalog.products_brand ON products (brand_id, status, id);
