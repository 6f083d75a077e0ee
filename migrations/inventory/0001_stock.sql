CREATE TABLE inventory.warehouses (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO inventory.warehouses (code, name, created_at) VALUES ('main', 'Main warehouse', '1970-01-01T00:00:00.000Z');

CREATE TABLE inventory.levels (
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL REFERENCES warehouses (code),
    on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
    low_stock_threshold BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (sku, warehouse)
);

-- status: active (holding stock) -> committed (sold) | released (expired or cancelled)
CREATE TABLE inventory.reservations (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('active', 'committed', 'released', 'returned')),
    expires_ms BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inventory.reservations_reference ON reservations (reference);
CREATE INDEX inventory.reservations_sku_status ON reservations (sku, status);
CREATE INDEX inventory.reservations_status_expiry ON reservations (status, expires_ms);

CREATE TABLE inventory.movements (
    id TEXT PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX inventory.movements_sku ON movements (sku, created_at);
