-- The indexed terms, for typo tolerance: a table of the published documents' lexemes with a
-- trigram index (pg_trgm, installed into this module's schema). Byte order (COLLATE "C") makes
-- prefix lookups indexable whatever the database's collation.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA search;
CREATE TABLE search.terms (term TEXT COLLATE "C" PRIMARY KEY);
CREATE INDEX terms_trigrams ON search.terms USING gin (term search.gin_trgm_ops);
INSERT INTO search.terms (term)
    SELECT DISTINCT unnest(tsvector_to_array(document)) FROM search.documents WHERE status = 'published'
    ON CONFLICT DO NOTHING;
