-- Order numbers come from a counter (Tx::next_number) instead of MAX(number) + 1, which concurrent
-- checkouts on PostgreSQL would compute alike. SQLite: a one-row table.
CREATE TABLE ordering.order_numbers (value BIGINT NOT NULL);
INSERT INTO ordering.order_numbers (value) SELECT COALESCE(MAX(number), 1000) FROM ordering.orders;
