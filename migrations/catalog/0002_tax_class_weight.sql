-- A product's tax class (ordering's tax rates are per class) and a variant's shipping weight.
ALTER TABLE catalog.products ADD COLUMN tax_class TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE catalog.variants ADD COLUMN weight_grams BIGINT NOT NULL DEFAULT 0;
