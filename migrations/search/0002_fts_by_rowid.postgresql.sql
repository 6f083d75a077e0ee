-- PostgreSQL: nothing to do; 0001 already keys the documents by doc_id and indexes them in place.
SELECT 1;
