-- Search runs on an index in memory (0004): SQLite's FTS5 table and its term list go.
DROP TABLE search.products_terms;
DROP TABLE search.products_fts;
