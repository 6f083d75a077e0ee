-- Marketing mail: only to accounts that gave marketing consent (from identity.profile_changed),
-- in the account's locale; each campaign an admin sends is kept.
ALTER TABLE notification.recipients ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE notification.recipients ADD COLUMN marketing_consent BIGINT NOT NULL DEFAULT 0;
CREATE TABLE notification.campaigns (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
