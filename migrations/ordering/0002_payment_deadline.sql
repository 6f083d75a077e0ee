-- The moment after which an order no longer takes payment: earlier than the stock reservation's
-- expiry, so a payment can never land on stock that was already released.
ALTER TABLE ordering.orders ADD COLUMN payable_until_ms BIGINT NOT NULL DEFAULT 0;
