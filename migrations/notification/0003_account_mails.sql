INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('password_reset', 'email', 'en', 'Reset your {{shop_name}} password',
'Hello {{name}},

someone (hopefully you) asked to reset the password of your {{shop_name}} account. Choose a new
one here within {{valid_minutes}} minutes:

{{link}}

The link works once. If you did not ask for this, ignore this mail: your password stays as it is.

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');

INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('email_verification', 'email', 'en', 'Confirm your email for {{shop_name}}',
'Hello {{name}},

please confirm that this is your email address:

{{link}}

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');

INSERT INTO notification.templates (key, channel, locale, subject, body, updated_at) VALUES
('password_changed', 'email', 'en', 'Your {{shop_name}} password was changed',
'Hello {{name}},

the password of your {{shop_name}} account was just changed, and every other session was signed
out. If this was not you, reset your password at once.

— {{shop_name}}
', '1970-01-01T00:00:00.000Z');

UPDATE notification.templates SET body = 'Hello,

your order #{{order_number}} was cancelled ({{reason}}). Any reserved items have been released, and
any payment taken for it is refunded in full.

— {{shop_name}}
' WHERE key = 'order_cancelled' AND channel = 'email' AND locale = 'en';
