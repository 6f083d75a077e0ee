-- What filters, facets, sorts and hits need, kept from catalog and inventory events. Queries run on
-- an index in memory built from these tables (modules/search/src/domain/index.hpp), the same on
-- both databases; 0005 drops the database's own full-text index.
ALTER TABLE search.documents ADD COLUMN brand_id TEXT NOT NULL DEFAULT '';
ALTER TABLE search.documents ADD COLUMN category_ids TEXT NOT NULL DEFAULT '[]';  -- JSON array, as placed
ALTER TABLE search.documents ADD COLUMN image_url TEXT NOT NULL DEFAULT '';
ALTER TABLE search.documents ADD COLUMN rating_average DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE search.documents ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE search.documents ADD COLUMN skus TEXT NOT NULL DEFAULT '[]';          -- JSON array

CREATE TABLE search.stock (
    sku TEXT PRIMARY KEY,
    in_stock BIGINT NOT NULL
);
CREATE TABLE search.categories (
    category_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    parent_id TEXT NOT NULL
);
CREATE TABLE search.brands (
    brand_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL
);
CREATE TABLE search.collections (
    collection_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    product_ids TEXT NOT NULL  -- JSON array, in the collection's order
);
-- Bumped by every change of the tables above: an instance rebuilds its index when it differs from
-- the revision the index was built from (changes handled by another instance included).
CREATE TABLE search.state (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO search.state (name, value) VALUES ('revision', 1);
