-- Warehouses get a priority: the allocation rule's tie-breaker and where backordered units wait.
ALTER TABLE inventory.warehouses ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;

-- Per-SKU settings: backorders. A SKU without a row is not backorderable.
CREATE TABLE inventory.skus (
    sku TEXT PRIMARY KEY,
    backorderable BIGINT NOT NULL DEFAULT 0,
    backorder_limit BIGINT NOT NULL DEFAULT 0 CHECK (backorder_limit >= 0),
    updated_at TEXT NOT NULL
);

-- A reservation row holding units beyond the stock of its warehouse (a backorder). Once paid it
-- never expires (expires_ms is then the largest BIGINT) and is filled when stock arrives.
ALTER TABLE inventory.reservations ADD COLUMN backorder BIGINT NOT NULL DEFAULT 0;

-- Who made a movement: the user id of the request, or "system".
ALTER TABLE inventory.movements ADD COLUMN actor TEXT NOT NULL DEFAULT 'system';
CREATE INDEX inventory.movements_id ON movements (id);
CREATE INDEX inventory.movements_sku_id ON movements (sku, id);
CREATE INDEX inventory.movements_warehouse_id ON movements (warehouse, id);
