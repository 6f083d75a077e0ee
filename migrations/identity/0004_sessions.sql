-- A session is a refresh-token family: the device that signed in (user agent, client address),
-- when, and when it was last used. Access tokens name their session (`sid`); revoking the session
-- (sign-out, refresh-token reuse, a password change, a disabled account) stops its access tokens
-- too, not only its refresh tokens.
CREATE TABLE identity.sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    user_agent TEXT NOT NULL DEFAULT '',
    client_address TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX identity.sessions_user ON sessions (user_id, revoked);
-- The families that exist already become sessions, so their refresh tokens keep working.
INSERT INTO identity.sessions (id, user_id, user_agent, client_address, created_at, last_used_at, revoked)
SELECT family_id, MIN(user_id), MAX(user_agent), '', MIN(created_at), MAX(created_at), MIN(revoked)
FROM identity.refresh_tokens GROUP BY family_id;
