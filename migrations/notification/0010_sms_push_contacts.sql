-- Where an account gets SMS and push notifications: a mobile number (E.164) and the push tokens of
-- its devices (FCM registration tokens or the like), given by the account itself.
CREATE TABLE notification.contacts (
    user_id TEXT PRIMARY KEY,
    sms_number TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE notification.push_tokens (
    user_id TEXT NOT NULL,
    token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, token)
);
