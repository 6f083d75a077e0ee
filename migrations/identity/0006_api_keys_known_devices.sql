-- API keys: a user's long-lived credential for scripts and integrations, limited to its scopes
-- (space-separated) and never more than its owner's role. Only the key's SHA-256 is kept; `prefix`
-- (the key's first characters) lets its owner tell keys apart.
CREATE TABLE identity.api_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    last_used_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX identity.api_keys_user ON api_keys (user_id);
-- Devices that signed in to an account with its password (a cookie holds the token; only its
-- SHA-256 is kept): login throttling lets the right password through from them.
CREATE TABLE identity.known_devices (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX identity.known_devices_user ON known_devices (user_id);
