-- Browser sign-ins: the HttpOnly cookie `shop_session` holds a random token; only its SHA-256 is
-- kept. Each belongs to a session (sessions.id), so signing that session out, a password change or
-- a disabled account ends the browser's sign-in exactly as it ends the session's access tokens.
CREATE TABLE identity.web_sessions (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX identity.web_sessions_session ON web_sessions (session_id);
