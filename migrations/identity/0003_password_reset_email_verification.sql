-- Email verification, and one-time tokens for password reset and email verification: only their
-- SHA-256 is stored; each is single use and expires.
ALTER TABLE identity.users ADD COLUMN email_verified BIGINT NOT NULL DEFAULT 0;
CREATE TABLE identity.one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    expires_ms BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX identity.one_time_tokens_user ON one_time_tokens (user_id, purpose);
