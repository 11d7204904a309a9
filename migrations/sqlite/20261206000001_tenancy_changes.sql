-- Credentials sealed since this migration bind account, consumer and connection as associated
-- data (aad_version 2); older rows bind the connection id only (1) until they are re-sealed.
-- (SQLite serves one process: changes are dropped from its cache in-process, no trigger.)
ALTER TABLE connections ADD COLUMN aad_version INTEGER NOT NULL DEFAULT 1;
