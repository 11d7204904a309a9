-- What activation learned about a connection's token (JSON, not secret): society or firm access,
-- and the folders a firm token reaches.
ALTER TABLE connections ADD COLUMN data TEXT;

-- Leases on numbered upstream slots, shared by every gateway process: the rate governor.
-- bucket = "rate:<token hash>" or "conc:<token hash>:<route>"; a slot is free once held_until
-- (Unix milliseconds) has passed.
CREATE TABLE upstream_slots (
    bucket     TEXT NOT NULL,
    slot       INTEGER NOT NULL,
    held_until BIGINT NOT NULL,
    PRIMARY KEY (bucket, slot)
);
