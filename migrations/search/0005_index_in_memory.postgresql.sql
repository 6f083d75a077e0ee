-- Search runs on an index in memory (0004): the tsvector column (with its GIN index) and the
-- term list go. pg_trgm stays installed: dropping an extension is not this module's to decide.
DROP TABLE search.terms;
ALTER TABLE search.documents DROP COLUMN document;
