-- SQLite serves one process: the worker claims without SKIP LOCKED.
-- Webhook subscriptions of an API account: one event type, one URL. The signing secret is sealed
-- with the master keyring (AES-GCM, bound to the webhook id); NULL when none was given.
-- failing_since (Unix microseconds) marks the first failed attempt of the current run of failures.
CREATE TABLE webhooks (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event          TEXT NOT NULL,
    url            TEXT NOT NULL,
    status         TEXT NOT NULL,
    integration_id BIGINT,
    thin           BIGINT NOT NULL DEFAULT 0,
    key_id         TEXT,
    nonce          BLOB,
    secret         BLOB,
    failing_since  BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (account_id, event, url)
);
CREATE INDEX webhooks_by_event ON webhooks (account_id, event);

-- The outbox: one row per (webhook, event) still to deliver, written in the transaction of the
-- change that caused it and deleted once delivered. A worker claims a due row (next_at passed, no
-- lease held) with FOR UPDATE SKIP LOCKED, and only the oldest of its (webhook, record) chain.
CREATE TABLE webhook_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL UNIQUE,
    webhook_id  TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    record_key  TEXT NOT NULL,
    body        TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at);
CREATE INDEX webhook_outbox_chain ON webhook_outbox (webhook_id, record_key, seq);

-- Every delivery attempt: its HTTP status (0 when no answer), duration and number.
CREATE TABLE webhook_logs (
    id          TEXT PRIMARY KEY,
    webhook_id  TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event       TEXT NOT NULL,
    url         TEXT NOT NULL,
    attempt     BIGINT NOT NULL,
    http_status BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    error       TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_logs_by_webhook ON webhook_logs (webhook_id, created_at);

-- Issues: failures grouped per (account, connection or webhook, error code); open until the next
-- success of what failed. `subject` is the connection id (or the webhook id for deliveries).
CREATE TABLE issues (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    consumer_id    TEXT NOT NULL,
    subject        TEXT NOT NULL,
    integration_id BIGINT NOT NULL,
    error_code     TEXT NOT NULL,
    http_status    TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    level          TEXT NOT NULL,
    status         TEXT NOT NULL,
    occurrences    BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    last_seen      BIGINT NOT NULL
);
CREATE UNIQUE INDEX issues_open ON issues (account_id, subject, error_code) WHERE status = 'open';
CREATE INDEX issues_by_account ON issues (account_id, created_at);

-- The latest occurrences of an issue (at most 50 kept per issue).
CREATE TABLE issue_events (
    id           TEXT PRIMARY KEY,
    issue_id     TEXT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    execution_id TEXT NOT NULL,
    message      TEXT,
    context      TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX issue_events_by_issue ON issue_events (issue_id, created_at);
