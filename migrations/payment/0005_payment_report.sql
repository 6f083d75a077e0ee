-- The payments report: a read model payment keeps from its own events, per day, provider and
-- currency (the day is the event's UTC date).
CREATE TABLE payment.report_daily (
    day TEXT NOT NULL,
    provider TEXT NOT NULL,
    currency TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    succeeded BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    authorized_amount BIGINT NOT NULL DEFAULT 0,
    captured_amount BIGINT NOT NULL DEFAULT 0,
    refunds BIGINT NOT NULL DEFAULT 0,
    refunded_amount BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, provider, currency)
);
