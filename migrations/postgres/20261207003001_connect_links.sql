-- Activation links of the hosted connect page (`/connect/{token}`). Only a SHA-256 of the link's
-- token is kept: a copy of the database opens no link. A link is used once (used_at set by the one
-- UPDATE that claims it) and lives until expires_at (Unix microseconds). purpose is `create` (the
-- connection id is reserved for the connection the page creates) or `update` (the page re-keys
-- that existing connection). A key checked on the page but still waiting for the customer's
-- choice of folders is sealed like connection credentials (key_id, nonce, credentials), with what
-- its activation learned in data. key_attempts counts the keys submitted: past ten, the link is spent.
CREATE TABLE connect_links (
    token_hash     TEXT PRIMARY KEY,
    consumer_id    TEXT NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    integration_id BIGINT NOT NULL,
    name           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    key_attempts   BIGINT NOT NULL DEFAULT 0,
    key_id         TEXT,
    nonce          BYTEA,
    credentials    BYTEA,
    data           TEXT
);
CREATE INDEX connect_links_expires_at ON connect_links (expires_at);
CREATE INDEX connect_links_by_connection ON connect_links (connection_id);
