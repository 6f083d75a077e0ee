-- The full-text rows are keyed by the document's numeric id (its rowid), so replacing a product's entry is a
-- rowid lookup instead of a scan of an UNINDEXED column (seeding was quadratic).
CREATE TABLE search.documents_v2 (
    doc_id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    prices TEXT NOT NULL,          -- JSON [{"amount", "currency"}]: lowest variant price per currency
    source_updated_at TEXT NOT NULL
);
INSERT INTO search.documents_v2 (product_id, title, slug, description, status, prices, source_updated_at)
    SELECT product_id, title, slug, description, status, prices, source_updated_at FROM search.documents;
DROP TABLE search.documents;
ALTER TABLE search.documents_v2 RENAME TO documents;

DROP TABLE search.products_fts;
CREATE VIRTUAL TABLE search.products_fts USING fts5(
    title,
    description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO search.products_fts (rowid, title, description)
    SELECT doc_id, title, description FROM search.documents WHERE status = 'published';
