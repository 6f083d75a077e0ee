-- A cart's coupon (upper case, '' = none); merged_into: the customer cart a guest cart went into
-- (the guest cart is then closed, status 'converted' with order_id ''); expiry reads updated_at.
ALTER TABLE cart.carts ADD COLUMN coupon_code TEXT NOT NULL DEFAULT '';
ALTER TABLE cart.carts ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';
CREATE INDEX cart.carts_idle ON carts (status, updated_at);
