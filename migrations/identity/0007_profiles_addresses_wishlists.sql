-- Profiles: a locale (BCP 47) and marketing consent with the time it was given.
ALTER TABLE identity.users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE identity.users ADD COLUMN marketing_consent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE identity.users ADD COLUMN marketing_consent_at TEXT;

-- A customer's address book. At most one default shipping and one default billing address per
-- user (the partial unique indexes); changing a default first writes the user's row, so two
-- concurrent changes conflict instead of both committing.
CREATE TABLE identity.addresses (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    label TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    company TEXT NOT NULL DEFAULT '',
    line1 TEXT NOT NULL,
    line2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    default_shipping BIGINT NOT NULL DEFAULT 0,
    default_billing BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX identity.addresses_user ON addresses (user_id, id);
CREATE UNIQUE INDEX identity.addresses_one_default_shipping ON addresses (user_id) WHERE default_shipping = 1;
CREATE UNIQUE INDEX identity.addresses_one_default_billing ON addresses (user_id) WHERE default_billing = 1;

-- Wishlists: products (catalog ids, checked through the catalog's API when added).
CREATE TABLE identity.wishlist_items (
    user_id TEXT NOT NULL REFERENCES users (id),
    product_id TEXT NOT NULL,
    added_at TEXT NOT NULL,
    seq TEXT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX identity.wishlist_items_order ON wishlist_items (user_id, seq);
