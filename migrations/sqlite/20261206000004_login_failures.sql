-- Failed `POST /token` attempts counted for every gateway process sharing the database: one row per
-- counted key (a SHA-256 of the source address, or of the clientId and source address), its
-- window's start (Unix milliseconds) and the failures within it. Rows of past windows are purged.
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures     INTEGER NOT NULL
);
CREATE INDEX login_failures_window_start ON login_failures (window_start);
