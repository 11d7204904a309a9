-- Writes sent with x-chift-client-requestid: who runs one and until when (a lease renewed while it
-- runs, so a replay can take over the request of a process that died), and the id the write gives
-- what it sends upstream, so that a replay can settle whether it landed. `uncertain` joins the
-- states: a failure that may have written something (upstream 5xx, timeout, lost answer).
ALTER TABLE idempotency_records ADD COLUMN owner TEXT;
ALTER TABLE idempotency_records ADD COLUMN lease_until BIGINT;
ALTER TABLE idempotency_records ADD COLUMN write_id TEXT;
-- Records are kept for 6 months; the purge reads this index.
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);
