-- The in-app channel, preferences and one-click unsubscribe.
-- recipients: who an account is (from identity's events), so a notification about a user id (a
-- review, an order) can be mailed; order_customers: whose account an order is (from
-- ordering.order_placed), for the events that name only the order.
CREATE TABLE notification.recipients (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE INDEX notification.recipients_email ON recipients (email);
CREATE TABLE notification.order_customers (
    order_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL
);
-- The in-app inbox: one entry per (event, kind, user), written in the handler's transaction.
CREATE TABLE notification.inbox (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    read_at TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, kind, user_id)
);
CREATE INDEX notification.inbox_user ON inbox (user_id, id);
-- What a recipient switched off (or on again): by subject (`usr_…`, or `email:<address>` for an
-- address that is no account), category and channel. No row = the default (on).
CREATE TABLE notification.preferences (
    subject TEXT NOT NULL,
    category TEXT NOT NULL,
    channel TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (subject, category, channel)
);
-- The key that signs unsubscribe links, made once by the first instance that starts.
CREATE TABLE notification.link_key (
    id BIGINT PRIMARY KEY,
    secret TEXT NOT NULL
);
-- A non-transactional mail carries its one-click unsubscribe link (List-Unsubscribe).
ALTER TABLE notification.messages ADD COLUMN unsubscribe_url TEXT NOT NULL DEFAULT '';
