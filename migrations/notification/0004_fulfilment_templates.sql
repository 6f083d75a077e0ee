-- Mails for fulfilment: a parcel left (with its carrier and tracking number), the order arrived.
INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('order_shipped', 'email', 'en', 'Your order #{{order_number}} has shipped',
'Hello,

a parcel with your order #{{order_number}} is on its way.

Carrier:         {{carrier}}
Tracking number: {{tracking_number}}

{{lines}}
{{remaining}}

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');

INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('order_delivered', 'email', 'en', 'Your order #{{order_number}} was delivered',
'Hello,

{{message}}

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');
