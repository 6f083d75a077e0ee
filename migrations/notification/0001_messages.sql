CREATE TABLE notification.templates (
    key TEXT NOT NULL,
    channel TEXT NOT NULL,
    locale TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (key, channel, locale)
);

INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('order_confirmation', 'email', 'en', 'Your order #{{order_number}} is confirmed',
'Hello,

thank you for your order #{{order_number}}. We have received your payment and are preparing your parcel.

{{lines}}

Subtotal: {{subtotal}}
Shipping: {{shipping}}
Tax:      {{tax}}
Total:    {{total}}

Order reference: {{order_id}}

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');

INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('order_cancelled', 'email', 'en', 'Your order #{{order_number}} was cancelled',
'Hello,

your order #{{order_number}} was cancelled ({{reason}}). Any reserved items have been released and
nothing was charged for it.

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');

CREATE TABLE notification.messages (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    template_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    location TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (event_id, template_key)
);
CREATE INDEX notification.messages_status ON messages (status, id);
