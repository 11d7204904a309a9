-- API accounts: software vendors calling Passerelle. Client secrets are Argon2id PHC strings.
CREATE TABLE accounts (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    client_id          TEXT NOT NULL UNIQUE,
    client_secret_hash TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);

CREATE TABLE consumers (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    email              TEXT,
    internal_reference TEXT,
    redirect_url       TEXT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX consumers_by_account ON consumers (account_id, created_at);

-- Credentials are AES-256-GCM ciphertexts; key_id names the master key that sealed them.
CREATE TABLE connections (
    id             TEXT PRIMARY KEY,
    consumer_id    TEXT NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
    integration_id BIGINT NOT NULL,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    nonce          BYTEA NOT NULL,
    credentials    BYTEA NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX connections_by_consumer ON connections (consumer_id, created_at);

-- One row per x-chift-client-requestid: state in_process until the outcome is known, then done.
CREATE TABLE idempotency_records (
    consumer_id       TEXT NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
    client_request_id TEXT NOT NULL,
    method            TEXT NOT NULL,
    route             TEXT NOT NULL,
    state             TEXT NOT NULL,
    status_code       INTEGER,
    connection_id     TEXT,
    created_entity_id TEXT,
    created_at        BIGINT NOT NULL,
    completed_at      BIGINT,
    PRIMARY KEY (consumer_id, client_request_id)
);
