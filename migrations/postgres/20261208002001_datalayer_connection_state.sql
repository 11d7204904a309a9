-- What a connection's data says of its data layer: when its last sync failed, and why MyUnisoft
-- refused its webhook subscription (the connection then polls).
ALTER TABLE datalayer_connections ADD COLUMN last_error_at BIGINT;
ALTER TABLE datalayer_connections ADD COLUMN webhook_refused TEXT;
