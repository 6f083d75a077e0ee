-- Rates for converting base-currency prices into currencies without an explicit price:
-- 1 unit of `base` = `rate` units of `currency` (a decimal string, never a float).
CREATE TABLE catalog.fx_rates (
    currency TEXT PRIMARY KEY,
    base TEXT NOT NULL,
    rate TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
