-- One active signing key at a time: instances starting together on one database cannot each make
-- their own (the one that loses the race reads the winner's key).
CREATE UNIQUE INDEX identity.signing_keys_one_active ON signing_keys (active) WHERE active = 1;
