CREATE TABLE search.documents (
    product_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    prices TEXT NOT NULL,          -- JSON [{"amount", "currency"}]: lowest variant price per currency
    source_updated_at TEXT NOT NULL
);

CREATE VIRTUAL TABLE search.products_fts USING fts5(
    product_id UNINDEXED,
    title,
    description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
