-- Order numbers come from a counter (Tx::next_number) instead of MAX(number) + 1, which concurrent
-- checkouts would compute alike. PostgreSQL: a sequence (no row lock held until commit).
CREATE SEQUENCE ordering.order_numbers;
SELECT setval('ordering.order_numbers', COALESCE((SELECT MAX(number) FROM ordering.orders), 1000));
