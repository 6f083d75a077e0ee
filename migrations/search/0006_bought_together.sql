-- "Bought together": for each product, how many paid orders also held each other product (from
-- ordering's order_confirmed events). Both directions are stored, so a product's row list is one
-- index range.
CREATE TABLE search.bought_together (
    product_id TEXT NOT NULL,
    other_id TEXT NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (product_id, other_id)
);
