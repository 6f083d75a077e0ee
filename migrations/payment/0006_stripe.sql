-- Stripe: where a customer completes 3-D Secure (Stripe's redirect), and every webhook event
-- handled, by Stripe's event id: an event delivered again (Stripe retries, an attacker replays a
-- captured one) is acknowledged and has no effect.
ALTER TABLE payment.intents ADD COLUMN next_action_url TEXT NOT NULL DEFAULT '';
CREATE INDEX payment.intents_provider_ref ON intents (provider, provider_ref);
CREATE TABLE payment.stripe_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    payment_id TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL
);
