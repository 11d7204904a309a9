-- The data layer: each enabled connection's books kept here, refreshed by a sync job.
-- One row per enabled connection: it is the connection's sync job too (claimed with a lease that
-- the syncing process renews, so a process that dies mid-sync is taken over once it lapses).
CREATE TABLE datalayer_connections (
    connection_id TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    consumer_id   TEXT NOT NULL,
    -- First accounting date asked for (YYYY-MM-DD); NULL for the whole history.
    from_date     TEXT,
    -- Folders to keep (MyUnisoft society ids, comma-separated); NULL for every reachable folder.
    folder_ids    TEXT,
    -- First date the stored entries cover (start of the earliest fiscal year read).
    covered_from  TEXT,
    -- 1 when every fiscal year of every folder is stored.
    covers_all    BIGINT NOT NULL DEFAULT 0,
    last_sync_at  BIGINT,
    next_run_at   BIGINT NOT NULL,
    -- What the next run reads (comma-separated groups of sets, e.g. `parties,entries`): NULL for
    -- everything. Webhooks ask for the groups their events touch.
    targets       TEXT,
    lease_owner   TEXT,
    lease_until   BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    -- MyUnisoft webhook subscription made for this connection, if any.
    webhook_id    TEXT,
    enabled_at    BIGINT NOT NULL
);
CREATE INDEX datalayer_connections_due ON datalayer_connections (next_run_at);

-- Which sets of records are stored (a kind of record of one folder), and when they were read.
CREATE TABLE datalayer_sets (
    connection_id TEXT NOT NULL REFERENCES datalayer_connections (connection_id) ON DELETE CASCADE,
    folder        BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    synced_at     BIGINT NOT NULL,
    PRIMARY KEY (connection_id, folder, kind)
);

-- The records, as Passerelle answers them (JSON), with their upstream id, a content hash, when
-- they were first seen and last seen changing, and when they disappeared upstream (tombstones).
CREATE TABLE datalayer_records (
    connection_id TEXT NOT NULL REFERENCES datalayer_connections (connection_id) ON DELETE CASCADE,
    folder        BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    position      BIGINT NOT NULL,
    body          TEXT NOT NULL,
    hash          TEXT NOT NULL,
    first_seen    BIGINT NOT NULL,
    last_changed  BIGINT NOT NULL,
    deleted_at    BIGINT,
    PRIMARY KEY (connection_id, folder, kind, record_id)
);

-- Every sync run: who ran it and when (an audit, and how overlapping runs would show).
CREATE TABLE datalayer_sync_runs (
    id            TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES datalayer_connections (connection_id) ON DELETE CASCADE,
    owner         TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    finished_at   BIGINT,
    outcome       TEXT
);
CREATE INDEX datalayer_sync_runs_by_connection ON datalayer_sync_runs (connection_id, started_at);

-- MyUnisoft webhook deliveries already accepted (by their signature), to ignore duplicates.
CREATE TABLE datalayer_webhook_deliveries (
    signature   TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);
