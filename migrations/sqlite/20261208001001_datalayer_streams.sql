-- The data layer's streamed sets. A first sync reads a fiscal year of entries as a stream, so a
-- set is no longer replaced from one list held in memory: each record read is stamped with the
-- run that saw it, and what the run did not see is tombstoned at its end.
ALTER TABLE datalayer_records ADD COLUMN seen_at BIGINT;

-- When a write last made the stored FEC stale: a generation begun before it is not switched to.
ALTER TABLE datalayer_connections ADD COLUMN movements_forgotten_at BIGINT NOT NULL DEFAULT 0;

-- The FEC from the store: each fiscal year's validated movements, as FEC lines (JSON), in the
-- order MyUnisoft answered them. A sync writes a year under a new generation and switches the
-- year to it at the end of the stream, so readers see one whole generation or the other.
CREATE TABLE datalayer_movement_years (
    connection_id TEXT NOT NULL REFERENCES datalayer_connections (connection_id) ON DELETE CASCADE,
    folder        BIGINT NOT NULL,
    year_start    TEXT NOT NULL,
    year_end      TEXT NOT NULL,
    generation    BIGINT NOT NULL,
    -- How many lines the generation holds: a reader that finds fewer was cut by a switch.
    lines         BIGINT NOT NULL,
    synced_at     BIGINT NOT NULL,
    PRIMARY KEY (connection_id, folder, year_start)
);

CREATE TABLE datalayer_movements (
    connection_id TEXT NOT NULL REFERENCES datalayer_connections (connection_id) ON DELETE CASCADE,
    folder        BIGINT NOT NULL,
    year_start    TEXT NOT NULL,
    generation    BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    line          TEXT NOT NULL,
    PRIMARY KEY (connection_id, folder, year_start, generation, seq)
);
