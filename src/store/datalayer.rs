//! The data layer's tables: the enabled connections (each one its own sync job, claimed under a
//! lease), the stored sets of records with their hashes and tombstones, the sync runs and the
//! webhook deliveries already accepted.

use std::collections::HashMap;
use std::future::Future;

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool};
use uuid::Uuid;

use super::connections::facts_of;
use super::{column, timestamp, uuid, Backend, StoreError};
use crate::domain::connection::ConnectionFacts;

mod movements;

pub use movements::MovementYear;
use movements::MOVEMENT_TABLES;

pub struct Datalayer<'p> {
    pool: &'p AnyPool,
    backend: Backend,
}

/// An enabled connection: what to keep, how far the stored copy goes and its sync state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enabled {
    pub connection: Uuid,
    pub account: Uuid,
    pub consumer: Uuid,
    pub from_date: Option<NaiveDate>,
    /// Folders to keep; `None` for every reachable folder.
    pub folders: Option<Vec<i64>>,
    pub covered_from: Option<NaiveDate>,
    /// Every fiscal year of every kept folder is stored.
    pub covers_all: bool,
    pub last_sync_at: Option<chrono::DateTime<chrono::Utc>>,
    pub next_run_at: i64,
    pub last_error: Option<String>,
    /// When the last run failed (microseconds), while it is the last run.
    pub last_error_at: Option<i64>,
    pub webhook_id: Option<String>,
    /// Why MyUnisoft refused the webhook subscription (the connection polls).
    pub webhook_refused: Option<String>,
    /// The groups of sets the next run reads; `None` for all of them.
    pub targets: Option<Vec<String>>,
}

impl Enabled {
    /// A connection newly enabled: nothing stored yet, its first sync due at once.
    pub fn new(
        connection: Uuid,
        account: Uuid,
        consumer: Uuid,
        from_date: Option<NaiveDate>,
        folders: Option<Vec<i64>>,
    ) -> Self {
        Self {
            connection,
            account,
            consumer,
            from_date,
            folders,
            covered_from: None,
            covers_all: false,
            last_sync_at: None,
            next_run_at: 0,
            last_error: None,
            last_error_at: None,
            webhook_id: None,
            webhook_refused: None,
            targets: None,
        }
    }
}

/// One record as stored: its upstream id and its JSON.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub body: String,
}

/// What replacing a set found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetChanges {
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    pub kept: u64,
}

impl std::ops::AddAssign for SetChanges {
    fn add_assign(&mut self, more: SetChanges) {
        self.added += more.added;
        self.changed += more.changed;
        self.removed += more.removed;
        self.kept += more.kept;
    }
}

/// What became of one record of a stored set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordChange {
    Added,
    Changed,
    Removed,
}

/// One record a write to a set added, changed or tombstoned, with its JSON (as last stored,
/// when removed).
#[derive(Debug, Clone)]
pub struct Changed {
    pub id: String,
    pub change: RecordChange,
    pub body: Option<String>,
}

/// What replacing a set did: the counts, each record that changed, and whether the set was
/// stored before (its first load changes nothing anybody saw).
#[derive(Debug, Clone, Default)]
pub struct Replaced {
    pub changes: SetChanges,
    pub changed: Vec<Changed>,
    pub first_load: bool,
}

/// How a sync run ended.
#[derive(Debug, Clone)]
pub struct Finished<'a> {
    pub covered_from: Option<NaiveDate>,
    pub covers_all: bool,
    pub error: Option<&'a str>,
    pub next_run_at: i64,
}

/// One sync run, as audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub owner: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub outcome: Option<String>,
}

/// Sync runs kept per connection (older ones are deleted as a run starts).
pub const RUNS_KEPT: i64 = 100;

/// `next_run_at` of a job being run (no refresh asked since it was claimed).
const RUNNING: i64 = i64::MAX / 2;

const COLUMNS: &str = "connection_id, account_id, consumer_id, from_date, folder_ids, \
                       covered_from, covers_all, last_sync_at, next_run_at, last_error, \
                       last_error_at, webhook_id, webhook_refused, targets";

fn hash(body: &str) -> String {
    crate::crypto::sha256_hex(body.as_bytes())
}

fn date(text: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("`{t}` is not a date")))
    })
    .transpose()
}

fn folder_list(e: &Enabled) -> Option<String> {
    e.folders.as_ref().map(|f| f.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Runs `attempt` again (up to 3 times) when the database broke a deadlock by dropping it: a
/// sync writing the same rows may deadlock with it.
async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("40P01") && tries < 3 => {
                tries += 1;
            }
            done => return Ok(done?),
        }
    }
}

fn enabled(row: &AnyRow) -> Result<Enabled, StoreError> {
    let folders: Option<String> = column(row, "folder_ids")?;
    let folders = folders
        .map(|f| {
            f.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("folder `{s}`"))))
                .collect::<Result<Vec<i64>, _>>()
        })
        .transpose()?;
    Ok(Enabled {
        connection: uuid(&column::<String>(row, "connection_id")?)?,
        account: uuid(&column::<String>(row, "account_id")?)?,
        consumer: uuid(&column::<String>(row, "consumer_id")?)?,
        from_date: date(column(row, "from_date")?)?,
        folders,
        covered_from: date(column(row, "covered_from")?)?,
        covers_all: column::<i64>(row, "covers_all")? != 0,
        last_sync_at: column::<Option<i64>>(row, "last_sync_at")?.map(timestamp).transpose()?,
        next_run_at: column(row, "next_run_at")?,
        last_error: column(row, "last_error")?,
        last_error_at: column(row, "last_error_at")?,
        webhook_id: column(row, "webhook_id")?,
        webhook_refused: column(row, "webhook_refused")?,
        targets: column::<Option<String>>(row, "targets")?
            .map(|t| t.split(',').filter(|g| !g.is_empty()).map(str::to_owned).collect()),
    })
}

impl<'p> Datalayer<'p> {
    pub(super) fn new(pool: &'p AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    /// Enables the data layer on a connection (or changes what it keeps), due for a sync now.
    /// Changing the window forgets what was stored, but keeps the row (and its webhook
    /// subscription): a run under way loses its lease and the next one reads the new window.
    pub async fn enable(&self, e: &Enabled, now: i64) -> Result<(), StoreError> {
        if let Some(existing) = self.get(e.connection).await? {
            if existing.from_date == e.from_date && existing.folders == e.folders {
                self.request_run(e.connection, now).await?;
                return Ok(());
            }
            return retrying(|| self.try_rewindow(e, now)).await;
        }
        sqlx::query(
            "INSERT INTO datalayer_connections (connection_id, account_id, consumer_id, \
             from_date, folder_ids, next_run_at, enabled_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(e.connection.to_string())
        .bind(e.account.to_string())
        .bind(e.consumer.to_string())
        .bind(e.from_date.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(folder_list(e))
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    async fn try_rewindow(&self, e: &Enabled, now: i64) -> Result<(), sqlx::Error> {
        let id = e.connection.to_string();
        let mut tx = self.pool.begin().await?;
        for table in ["datalayer_records", "datalayer_sets"].into_iter().chain(MOVEMENT_TABLES) {
            sqlx::query(&format!("DELETE FROM {table} WHERE connection_id = $1"))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE datalayer_connections SET from_date = $2, folder_ids = $3, \
             covered_from = NULL, covers_all = 0, last_sync_at = NULL, last_error = NULL, \
             last_error_at = NULL, \
             next_run_at = $4, targets = NULL, lease_owner = NULL, lease_until = 0, \
             enabled_at = $4 WHERE connection_id = $1",
        )
        .bind(&id)
        .bind(e.from_date.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(folder_list(e))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Disables it and drops every stored record; `false` when it was not enabled.
    pub async fn disable(&self, connection: Uuid) -> Result<bool, StoreError> {
        retrying(|| self.try_disable(connection)).await
    }

    async fn try_disable(&self, connection: Uuid) -> Result<bool, sqlx::Error> {
        let id = connection.to_string();
        let mut tx = self.pool.begin().await?;
        let tables = ["datalayer_records", "datalayer_sets", "datalayer_sync_runs"];
        for table in tables.into_iter().chain(MOVEMENT_TABLES) {
            sqlx::query(&format!("DELETE FROM {table} WHERE connection_id = $1"))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("DELETE FROM datalayer_connections WHERE connection_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn get(&self, connection: Uuid) -> Result<Option<Enabled>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM datalayer_connections WHERE connection_id = $1");
        let row = sqlx::query(&sql).bind(connection.to_string()).fetch_optional(self.pool).await?;
        row.as_ref().map(enabled).transpose()
    }

    /// The enabled connections of a consumer.
    pub async fn of_consumer(&self, consumer: Uuid) -> Result<Vec<Enabled>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM datalayer_connections WHERE consumer_id = $1");
        let rows = sqlx::query(&sql).bind(consumer.to_string()).fetch_all(self.pool).await?;
        rows.iter().map(enabled).collect()
    }

    /// Makes the connection due by `at` for a run of everything; `false` when not enabled.
    pub async fn request_run(&self, connection: Uuid, at: i64) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(run_due(&mut conn, connection, at).await?)
    }

    /// Makes the connection due by `at` for the groups `targets` (added to those already due;
    /// a run of everything already due stays one).
    pub async fn request_targets(
        &self,
        connection: Uuid,
        targets: &[&str],
        at: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = targets_due(&mut tx, self.backend, connection, targets, at).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Accepts a webhook delivery by its signature and makes the connections it is about due by
    /// `at`, all in one transaction (`None`: for a run of everything): an error records
    /// nothing, so MyUnisoft's retry is served again. `false` when the delivery was accepted
    /// already. Deliveries older than `forget_before` are forgotten (refused as stale anyway).
    pub async fn accept_delivery(
        &self,
        signature: &str,
        due: &[(Uuid, Option<Vec<&str>>)],
        at: i64,
        forget_before: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM datalayer_webhook_deliveries WHERE received_at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        let first = sqlx::query(
            "INSERT INTO datalayer_webhook_deliveries (signature, received_at) VALUES ($1, $2) \
             ON CONFLICT (signature) DO NOTHING",
        )
        .bind(signature)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        if first.rows_affected() == 0 {
            return Ok(false);
        }
        for (connection, targets) in due {
            match targets {
                Some(targets) => {
                    targets_due(&mut tx, self.backend, *connection, targets, at).await?
                }
                None => run_due(&mut tx, *connection, at).await?,
            };
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Every enabled connection, with its activation facts.
    pub async fn all(&self) -> Result<Vec<(Enabled, Option<ConnectionFacts>)>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, (SELECT data FROM connections WHERE id = connection_id) AS facts \
             FROM datalayer_connections ORDER BY connection_id"
        );
        let rows = sqlx::query(&sql).fetch_all(self.pool).await?;
        rows.iter().map(|row| Ok((enabled(row)?, facts_of(column(row, "facts")?)?))).collect()
    }

    /// Claims one due connection whose lease has lapsed, leased to `owner` until `until`:
    /// `FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas never claim the same one.
    pub async fn claim(
        &self,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Enabled>, StoreError> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // A claimed job is marked RUNNING: a refresh asked meanwhile brings it back to now
        // (and the job runs again once done); a lapsed claim of a dead process is claimable.
        let sql = format!(
            "UPDATE datalayer_connections SET lease_owner = $1, lease_until = $3, \
             next_run_at = {RUNNING} \
             WHERE connection_id = (SELECT connection_id FROM datalayer_connections \
                 WHERE (next_run_at <= $2 OR next_run_at >= {RUNNING}) AND lease_until <= $2 \
                 ORDER BY next_run_at LIMIT 1{lock}) \
             AND lease_until <= $2 RETURNING {COLUMNS}"
        );
        let row =
            sqlx::query(&sql).bind(owner).bind(now).bind(until).fetch_optional(self.pool).await?;
        row.as_ref().map(enabled).transpose()
    }

    /// Renews `owner`'s lease; `false` when it no longer holds it (lapsed and taken, or disabled).
    pub async fn renew(
        &self,
        connection: Uuid,
        owner: &str,
        until: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE datalayer_connections SET lease_until = $3 \
             WHERE connection_id = $1 AND lease_owner = $2",
        )
        .bind(connection.to_string())
        .bind(owner)
        .bind(until)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends `owner`'s run: records its outcome and releases the lease. A success stamps the
    /// sync time; a failure keeps the previous one.
    pub async fn finish(
        &self,
        connection: Uuid,
        owner: &str,
        f: &Finished<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let id = connection.to_string();
        // A run asked for meanwhile (next_run_at no longer RUNNING) keeps its time and targets.
        let next = format!(
            "targets = CASE WHEN next_run_at >= {RUNNING} THEN NULL ELSE targets END, \
             next_run_at = CASE WHEN next_run_at >= {RUNNING} THEN $4 ELSE next_run_at END"
        );
        let done = match f.error {
            None => {
                let sql = format!(
                    "UPDATE datalayer_connections SET lease_owner = NULL, lease_until = 0, \
                     last_error = NULL, last_error_at = NULL, last_sync_at = $5, {next}, \
                     covered_from = $3, \
                     covers_all = $6 WHERE connection_id = $1 AND lease_owner = $2"
                );
                sqlx::query(&sql)
                    .bind(id)
                    .bind(owner)
                    .bind(f.covered_from.map(|d| d.format("%Y-%m-%d").to_string()))
                    .bind(f.next_run_at)
                    .bind(now)
                    .bind(i64::from(f.covers_all))
                    .execute(self.pool)
                    .await?
            }
            Some(error) => {
                let sql = format!(
                    "UPDATE datalayer_connections SET lease_owner = NULL, lease_until = 0, \
                     last_error = $3, last_error_at = $5, {next} \
                     WHERE connection_id = $1 AND lease_owner = $2"
                );
                sqlx::query(&sql)
                    .bind(id)
                    .bind(owner)
                    .bind(error)
                    .bind(f.next_run_at)
                    .bind(now)
                    .execute(self.pool)
                    .await?
            }
        };
        Ok(done.rows_affected() > 0)
    }

    pub async fn set_webhook(&self, connection: Uuid, id: Option<&str>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE datalayer_connections SET webhook_id = $2, webhook_refused = NULL \
             WHERE connection_id = $1",
        )
        .bind(connection.to_string())
        .bind(id)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Records why MyUnisoft refused the connection's webhook subscription.
    pub async fn set_webhook_refused(
        &self,
        connection: Uuid,
        reason: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE datalayer_connections SET webhook_refused = $2 WHERE connection_id = $1",
        )
        .bind(connection.to_string())
        .bind(reason)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Replaces the set `kind` of `folder` with `records` (in that order), on the caller's
    /// transaction (so that what it announces commits with it): new ones are added, changed
    /// ones (by content hash) stamped, missing ones kept as tombstones. Answers each record
    /// that changed.
    pub async fn replace_set_on(
        tx: &mut AnyConnection,
        connection: Uuid,
        folder: i64,
        kind: &str,
        records: &[Record],
        now: i64,
    ) -> Result<Replaced, StoreError> {
        let id = connection.to_string();
        let first_load = !Self::is_stored_on(&mut *tx, connection, folder, kind).await?;
        let mut changed = Vec::new();
        let rows = sqlx::query(
            "SELECT record_id, hash, position, deleted_at FROM datalayer_records \
             WHERE connection_id = $1 AND folder = $2 AND kind = $3",
        )
        .bind(&id)
        .bind(folder)
        .bind(kind)
        .fetch_all(&mut *tx)
        .await?;
        let mut existing: HashMap<String, (String, i64, bool)> = HashMap::new();
        for row in &rows {
            let deleted: Option<i64> = column(row, "deleted_at")?;
            existing.insert(
                column(row, "record_id")?,
                (column(row, "hash")?, column(row, "position")?, deleted.is_some()),
            );
        }
        let mut changes = SetChanges::default();
        for (position, record) in records.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            let digest = hash(&record.body);
            let change = match existing.remove(&record.id) {
                None => {
                    changes.added += 1;
                    RecordChange::Added
                }
                Some((old, _, deleted)) if old != digest || deleted => {
                    changes.changed += 1;
                    if deleted {
                        RecordChange::Added
                    } else {
                        RecordChange::Changed
                    }
                }
                Some((_, old_position, _)) => {
                    changes.kept += 1;
                    if old_position != position {
                        sqlx::query(
                            "UPDATE datalayer_records SET position = $5 WHERE connection_id = $1 \
                             AND folder = $2 AND kind = $3 AND record_id = $4",
                        )
                        .bind(&id)
                        .bind(folder)
                        .bind(kind)
                        .bind(&record.id)
                        .bind(position)
                        .execute(&mut *tx)
                        .await?;
                    }
                    continue;
                }
            };
            changed.push(Changed {
                id: record.id.clone(),
                change,
                body: Some(record.body.clone()),
            });
            sqlx::query(
                "INSERT INTO datalayer_records (connection_id, folder, kind, record_id, \
                 position, body, hash, first_seen, last_changed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                 ON CONFLICT (connection_id, folder, kind, record_id) DO UPDATE SET \
                 position = $5, body = $6, hash = $7, last_changed = $8, deleted_at = NULL",
            )
            .bind(&id)
            .bind(folder)
            .bind(kind)
            .bind(&record.id)
            .bind(position)
            .bind(&record.body)
            .bind(&digest)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for (gone, (_, _, deleted)) in existing {
            if deleted {
                continue;
            }
            changes.removed += 1;
            let last: Option<String> = sqlx::query_scalar(
                "UPDATE datalayer_records SET deleted_at = $5, last_changed = $5 \
                 WHERE connection_id = $1 AND folder = $2 AND kind = $3 AND record_id = $4 \
                 RETURNING body",
            )
            .bind(&id)
            .bind(folder)
            .bind(kind)
            .bind(&gone)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            changed.push(Changed { id: gone, change: RecordChange::Removed, body: last });
        }
        mark_stored(tx, &id, folder, kind, now).await?;
        Ok(Replaced { changes, changed, first_load })
    }

    /// Whether the set `kind` of `folder` is stored (a set being loaded is not, until its load
    /// ends).
    pub async fn is_stored(
        &self,
        connection: Uuid,
        folder: i64,
        kind: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Self::is_stored_on(&mut conn, connection, folder, kind).await
    }

    /// [`Self::is_stored`] on the caller's transaction.
    pub async fn is_stored_on(
        tx: &mut AnyConnection,
        connection: Uuid,
        folder: i64,
        kind: &str,
    ) -> Result<bool, StoreError> {
        let stored = sqlx::query(
            "SELECT 1 AS one FROM datalayer_sets \
             WHERE connection_id = $1 AND folder = $2 AND kind = $3",
        )
        .bind(connection.to_string())
        .bind(folder)
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(stored.is_some())
    }

    /// Stores one batch of a set read as a stream, in the order read from `first` on: new
    /// records are added, changed ones (by content hash) stamped, and every one marked as
    /// `seen` by the load (see [`Self::sweep_unseen_on`]). Answers each record that changed.
    #[allow(clippy::too_many_arguments)]
    pub async fn upsert_batch_on(
        tx: &mut AnyConnection,
        connection: Uuid,
        folder: i64,
        kind: &str,
        records: &[Record],
        first: i64,
        seen: i64,
        now: i64,
    ) -> Result<(SetChanges, Vec<Changed>), StoreError> {
        let id = connection.to_string();
        // A record read twice in one batch is stored as last read.
        let mut last: HashMap<&str, (i64, &Record)> = HashMap::new();
        for (position, record) in (first..).zip(records) {
            last.insert(&record.id, (position, record));
        }
        let mut batch: Vec<(i64, &Record)> = last.into_values().collect();
        if batch.is_empty() {
            return Ok((SetChanges::default(), Vec::new()));
        }
        batch.sort_by_key(|(position, _)| *position);
        let ids = numbered(4, 1, batch.len());
        let sql = format!(
            "SELECT record_id, hash, deleted_at FROM datalayer_records \
             WHERE connection_id = $1 AND folder = $2 AND kind = $3 AND record_id IN {ids}"
        );
        let mut lookup = sqlx::query(&sql).bind(&id).bind(folder).bind(kind);
        for (_, record) in &batch {
            lookup = lookup.bind(&record.id);
        }
        let mut before: HashMap<String, (String, bool)> = HashMap::new();
        for row in lookup.fetch_all(&mut *tx).await? {
            let deleted: Option<i64> = column(&row, "deleted_at")?;
            before.insert(column(&row, "record_id")?, (column(&row, "hash")?, deleted.is_some()));
        }
        let mut changes = SetChanges::default();
        let mut changed = Vec::new();
        let digests: Vec<String> = batch.iter().map(|(_, r)| hash(&r.body)).collect();
        for ((_, record), digest) in batch.iter().zip(&digests) {
            let change = match before.get(&record.id) {
                None => Some(RecordChange::Added),
                Some((_, true)) => Some(RecordChange::Added),
                Some((old, false)) if old != digest => Some(RecordChange::Changed),
                Some(_) => None,
            };
            match change {
                Some(RecordChange::Added) if !before.contains_key(&record.id) => changes.added += 1,
                Some(_) => changes.changed += 1,
                None => changes.kept += 1,
            }
            if let Some(change) = change {
                let body = Some(record.body.clone());
                changed.push(Changed { id: record.id.clone(), change, body });
            }
        }
        let rows = numbered(1, batch.len(), 10);
        let sql = format!(
            "INSERT INTO datalayer_records (connection_id, folder, kind, record_id, position, \
             body, hash, first_seen, last_changed, seen_at) VALUES {rows} \
             ON CONFLICT (connection_id, folder, kind, record_id) DO UPDATE SET \
             position = excluded.position, body = excluded.body, hash = excluded.hash, \
             seen_at = excluded.seen_at, deleted_at = NULL, last_changed = CASE \
                 WHEN datalayer_records.hash = excluded.hash \
                     AND datalayer_records.deleted_at IS NULL \
                 THEN datalayer_records.last_changed ELSE excluded.last_changed END"
        );
        let mut insert = sqlx::query(&sql);
        for ((position, record), digest) in batch.iter().zip(&digests) {
            insert = insert
                .bind(&id)
                .bind(folder)
                .bind(kind)
                .bind(&record.id)
                .bind(*position)
                .bind(&record.body)
                .bind(digest)
                .bind(now)
                .bind(now)
                .bind(seen);
        }
        insert.execute(&mut *tx).await?;
        Ok((changes, changed))
    }

    /// Ends a set's load as a stream: the records the load `seen` did not see (and nothing
    /// wrote since it began) are kept as tombstones, and the set is stored. Answers the
    /// records tombstoned.
    pub async fn sweep_unseen_on(
        tx: &mut AnyConnection,
        connection: Uuid,
        folder: i64,
        kind: &str,
        seen: i64,
        now: i64,
    ) -> Result<Vec<Changed>, StoreError> {
        let id = connection.to_string();
        let rows = sqlx::query(
            "UPDATE datalayer_records SET deleted_at = $5, last_changed = $5 \
             WHERE connection_id = $1 AND folder = $2 AND kind = $3 AND deleted_at IS NULL \
             AND (seen_at IS NULL OR seen_at <> $4) AND last_changed < $4 \
             RETURNING record_id, body",
        )
        .bind(&id)
        .bind(folder)
        .bind(kind)
        .bind(seen)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        mark_stored(tx, &id, folder, kind, now).await?;
        rows.iter()
            .map(|row| {
                Ok(Changed {
                    id: column(row, "record_id")?,
                    change: RecordChange::Removed,
                    body: column(row, "body")?,
                })
            })
            .collect()
    }

    /// Forgets a set (its reads go live again).
    pub async fn drop_set(
        &self,
        connection: Uuid,
        folder: i64,
        kind: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for table in ["datalayer_sets", "datalayer_records"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE connection_id = $1 AND folder = $2 AND kind = $3"
            ))
            .bind(connection.to_string())
            .bind(folder)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds or replaces one record of a stored set (after a write acknowledged upstream); nothing
    /// when the set is not stored. `true` when that changed what was stored.
    pub async fn upsert(
        &self,
        connection: Uuid,
        folder: i64,
        kind: &str,
        record: &Record,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let change = Self::upsert_on(&mut conn, connection, folder, kind, record, now).await?;
        Ok(change.is_some())
    }

    /// [`Self::upsert`] on the caller's transaction: what it did to the record, `None` when
    /// nothing (the set is not stored, or the record was stored as it is).
    pub async fn upsert_on(
        tx: &mut AnyConnection,
        connection: Uuid,
        folder: i64,
        kind: &str,
        record: &Record,
        now: i64,
    ) -> Result<Option<RecordChange>, StoreError> {
        let digest = hash(&record.body);
        let before = sqlx::query(
            "SELECT hash, deleted_at FROM datalayer_records \
             WHERE connection_id = $1 AND folder = $2 AND kind = $3 AND record_id = $4",
        )
        .bind(connection.to_string())
        .bind(folder)
        .bind(kind)
        .bind(&record.id)
        .fetch_optional(&mut *tx)
        .await?;
        let change = match &before {
            None => Some(RecordChange::Added),
            Some(row) if column::<Option<i64>>(row, "deleted_at")?.is_some() => {
                Some(RecordChange::Added)
            }
            Some(row) if column::<String>(row, "hash")? != digest => Some(RecordChange::Changed),
            Some(_) => None,
        };
        let done = sqlx::query(
            "INSERT INTO datalayer_records (connection_id, folder, kind, record_id, position, \
             body, hash, first_seen, last_changed) \
             SELECT $1, $2, $3, $4, \
                 (SELECT COALESCE(MAX(position), -1) + 1 FROM datalayer_records \
                  WHERE connection_id = $1 AND folder = $2 AND kind = $3), $5, $6, $7, $7 \
             WHERE EXISTS (SELECT 1 FROM datalayer_sets \
                 WHERE connection_id = $1 AND folder = $2 AND kind = $3) \
             ON CONFLICT (connection_id, folder, kind, record_id) DO UPDATE SET \
             body = $5, hash = $6, deleted_at = NULL, last_changed = CASE \
                 WHEN datalayer_records.hash = $6 AND datalayer_records.deleted_at IS NULL \
                 THEN datalayer_records.last_changed ELSE $7 END",
        )
        .bind(connection.to_string())
        .bind(folder)
        .bind(kind)
        .bind(&record.id)
        .bind(&record.body)
        .bind(&digest)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(change.filter(|_| done.rows_affected() > 0))
    }

    /// The live records of a stored set, in order; `None` when the set is not stored.
    pub async fn read_set(
        &self,
        connection: Uuid,
        folder: i64,
        kind: &str,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let id = connection.to_string();
        let stored = sqlx::query(
            "SELECT 1 AS one FROM datalayer_sets \
             WHERE connection_id = $1 AND folder = $2 AND kind = $3",
        )
        .bind(&id)
        .bind(folder)
        .bind(kind)
        .fetch_optional(self.pool)
        .await?;
        if stored.is_none() {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT body FROM datalayer_records WHERE connection_id = $1 AND folder = $2 \
             AND kind = $3 AND deleted_at IS NULL ORDER BY position, record_id",
        )
        .bind(&id)
        .bind(folder)
        .bind(kind)
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(|r| column(r, "body")).collect::<Result<Vec<_>, _>>().map(Some)
    }

    /// When the set was last read whole (microseconds); `None` when it is not stored.
    pub async fn synced_at(
        &self,
        connection: Uuid,
        folder: i64,
        kind: &str,
    ) -> Result<Option<i64>, StoreError> {
        let at = sqlx::query_scalar(
            "SELECT synced_at FROM datalayer_sets \
             WHERE connection_id = $1 AND folder = $2 AND kind = $3",
        )
        .bind(connection.to_string())
        .bind(folder)
        .bind(kind)
        .fetch_optional(self.pool)
        .await?;
        Ok(at)
    }

    /// Stored (not deleted) records per kind, for operators.
    pub async fn counts(&self, connection: Uuid) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(*) AS n FROM datalayer_records \
             WHERE connection_id = $1 AND deleted_at IS NULL GROUP BY kind ORDER BY kind",
        )
        .bind(connection.to_string())
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(|r| Ok((column(r, "kind")?, column(r, "n")?))).collect()
    }

    pub async fn run_started(
        &self,
        run: Uuid,
        connection: Uuid,
        owner: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO datalayer_sync_runs (id, connection_id, owner, started_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(run.to_string())
        .bind(connection.to_string())
        .bind(owner)
        .bind(now)
        .execute(self.pool)
        .await?;
        // Only the last runs are kept for audit.
        sqlx::query(
            "DELETE FROM datalayer_sync_runs WHERE connection_id = $1 AND id NOT IN \
             (SELECT id FROM datalayer_sync_runs WHERE connection_id = $1 \
              ORDER BY started_at DESC LIMIT $2)",
        )
        .bind(connection.to_string())
        .bind(RUNS_KEPT)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn run_finished(&self, run: Uuid, outcome: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE datalayer_sync_runs SET finished_at = $2, outcome = $3 WHERE id = $1")
            .bind(run.to_string())
            .bind(now)
            .bind(outcome)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// The connection's sync runs, oldest first.
    pub async fn runs(&self, connection: Uuid) -> Result<Vec<Run>, StoreError> {
        let rows = sqlx::query(
            "SELECT owner, started_at, finished_at, outcome FROM datalayer_sync_runs \
             WHERE connection_id = $1 ORDER BY started_at",
        )
        .bind(connection.to_string())
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Run {
                    owner: column(r, "owner")?,
                    started_at: column(r, "started_at")?,
                    finished_at: column(r, "finished_at")?,
                    outcome: column(r, "outcome")?,
                })
            })
            .collect()
    }
}

/// Records the set as stored, read at `now` (unless the data layer was disabled meanwhile).
async fn mark_stored(
    tx: &mut AnyConnection,
    connection: &str,
    folder: i64,
    kind: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO datalayer_sets (connection_id, folder, kind, synced_at) \
         SELECT $1, $2, $3, $4 WHERE EXISTS \
             (SELECT 1 FROM datalayer_connections WHERE connection_id = $1) \
         ON CONFLICT (connection_id, folder, kind) DO UPDATE SET synced_at = $4",
    )
    .bind(connection)
    .bind(folder)
    .bind(kind)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// `rows` parenthesized lists of `width` numbered placeholders from `$first`, comma-separated:
/// `($4, $5), ($6, $7)`.
fn numbered(first: usize, rows: usize, width: usize) -> String {
    (0..rows)
        .map(|row| {
            let start = first + row * width;
            let each: Vec<String> = (start..start + width).map(|n| format!("${n}")).collect();
            format!("({})", each.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn run_due(conn: &mut AnyConnection, connection: Uuid, at: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE datalayer_connections SET next_run_at = $2, targets = NULL \
         WHERE connection_id = $1",
    )
    .bind(connection.to_string())
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Among a run's targets: a run of everything, and of the groups named beside it (read by a run
/// of everything only on their own cadence).
pub const EVERYTHING: &str = "all";

/// How far ahead a run of everything already scheduled still counts as due (clocks of
/// replicas differ): a webhook then brings it forward rather than narrowing it.
const DUE_SLACK: i64 = 60 * 1_000_000;

/// Merges `targets` into what is due, the row locked (`FOR UPDATE` on PostgreSQL; SQLite
/// writes one at a time) so that concurrent requests never lose one another's targets.
async fn targets_due(
    conn: &mut AnyConnection,
    backend: Backend,
    connection: Uuid,
    targets: &[&str],
    at: i64,
) -> Result<bool, StoreError> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "SELECT next_run_at, targets FROM datalayer_connections WHERE connection_id = $1{lock}"
    );
    let row = sqlx::query(&sql).bind(connection.to_string()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(false) };
    let next: i64 = column(&row, "next_run_at")?;
    let current: Option<String> = column(&row, "targets")?;
    // A claimed run (RUNNING) has taken its targets: what is asked now runs after it.
    let due = next < RUNNING && next <= at.saturating_add(DUE_SLACK);
    let merged = match (due, current) {
        // A run of everything is due already: it stays one, that also reads what is asked.
        (true, None) => Some(format!("{EVERYTHING},{}", targets.join(","))),
        (true, Some(c)) => {
            let mut all: Vec<&str> = c.split(',').chain(targets.iter().copied()).collect();
            all.sort_unstable();
            all.dedup();
            Some(all.join(","))
        }
        (false, _) => Some(targets.join(",")),
    };
    sqlx::query(
        "UPDATE datalayer_connections SET next_run_at = $2, targets = $3 \
         WHERE connection_id = $1",
    )
    .bind(connection.to_string())
    .bind(at.min(next))
    .bind(merged)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}
