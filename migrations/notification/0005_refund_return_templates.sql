-- Mails for refunds (an admin's, or a received return's) and for the steps of a return.
INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('order_refunded', 'email', 'en', 'A refund for your order #{{order_number}}',
'Hello,

we have refunded {{amount}} for your order #{{order_number}}.

Reason:          {{reason}}
Refunded so far: {{total_refunded}}

It appears on your card statement within a few days.

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');

INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('return_updated', 'email', 'en', 'Your return for order #{{order_number}}: {{status}}',
'Hello,

{{message}}
{{note}}

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');
