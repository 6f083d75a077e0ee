-- The token signing keys come from a key file or the environment now, never from the database.
-- A key an older version kept here is moved into the key file on the next start (or, when keys
-- are configured, retired) and then deleted; this table is only where it waits for that. Its new
-- name makes any code still reading it as the live key set fail loudly.
ALTER TABLE identity.signing_keys RENAME TO legacy_signing_keys;
