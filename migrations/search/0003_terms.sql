-- The indexed terms, for typo tolerance: FTS5 lists them itself.
CREATE VIRTUAL TABLE search.products_terms USING fts5vocab(products_fts, 'row');
