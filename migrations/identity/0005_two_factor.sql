-- TOTP two-factor sign-in (RFC 6238). The secret must be kept to compute codes; a factor counts
-- only once enabled with a valid code. `last_step` is the newest time step used: each code is good
-- once. Recovery codes are stored as SHA-256 only and are single use.
CREATE TABLE identity.totp_factors (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    secret TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 0,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE identity.recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    used BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX identity.recovery_codes_user ON recovery_codes (user_id);
