-- Sandbox tokens are self-contained and signed (nothing is written to make one): the key that
-- signs them, made once per database.
DROP TABLE payment.sandbox_tokens;
CREATE TABLE payment.sandbox_key (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    key TEXT NOT NULL
);
