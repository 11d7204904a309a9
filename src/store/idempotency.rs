//! Outcomes of writes sent with `x-chift-client-requestid`, so that a replay is answered, not
//! redone. A running write holds a lease (an owner and an expiry it renews); a write whose outcome
//! is uncertain, or whose owner's lease ran out, can be claimed again by a replay to finish it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::AnyPool;
use uuid::Uuid;

use super::{column, micros, now_micros, timestamp, StoreError};
use crate::domain::write::Write;

/// A client request id is unique per consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub consumer_id: Uuid,
    pub client_request_id: String,
}

/// What happened to one request, as `GET …/transactions` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRecord {
    pub method: String,
    pub route: String,
    /// `None` while the request is in process.
    pub status_code: Option<u16>,
    pub connection_id: Option<Uuid>,
    pub created_entity_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Who runs a write, and for how long without renewing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub owner: Uuid,
    pub length: Duration,
}

impl Lease {
    fn until(&self) -> i64 {
        now_micros().saturating_add(micros(self.length))
    }
}

/// The answer to [`Idempotency::begin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// This call holds the lease on `Write` (the id the request was first given): do the work,
    /// renew, then [`Idempotency::finish`].
    Claimed(Write),
    /// The request is done, or another call holds a live lease on it (or it was another route).
    Seen(TransactionRecord),
}

/// How a write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A success, or a refusal that a replay would meet again.
    Definitive,
    /// It may or may not have written something: a replay resumes it.
    Uncertain,
}

pub struct Idempotency<'p> {
    pool: &'p AnyPool,
}

const COLUMNS: &str = "method, route, status_code, connection_id, created_entity_id, created_at";

impl<'p> Idempotency<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    /// Claims the key for a `method` `route` request served through `connection_id`, atomically:
    /// a new key is claimed for `write_id`; a known one when the same request ended uncertain or
    /// its owner's lease ran out (then with the write id it was first given). Of concurrent
    /// callers, on any number of processes, exactly one claims it.
    pub async fn begin(
        &self,
        key: &IdempotencyKey,
        (method, route): (&str, &str),
        connection_id: Uuid,
        write_id: Uuid,
        lease: Lease,
    ) -> Result<Begun, StoreError> {
        let now = now_micros();
        let inserted = sqlx::query(
            "INSERT INTO idempotency_records (consumer_id, client_request_id, method, route, \
             connection_id, state, created_at, owner, lease_until, write_id) \
             VALUES ($1, $2, $3, $4, $5, 'in_process', $6, $7, $8, $9) \
             ON CONFLICT (consumer_id, client_request_id) DO NOTHING",
        )
        .bind(key.consumer_id.to_string())
        .bind(&key.client_request_id)
        .bind(method)
        .bind(route)
        .bind(connection_id.to_string())
        .bind(now)
        .bind(lease.owner.to_string())
        .bind(lease.until())
        .bind(write_id.to_string())
        .execute(self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Begun::Claimed(Write { id: write_id, resumed: false }));
        }
        let taken = sqlx::query(
            "UPDATE idempotency_records SET state = 'in_process', owner = $3, lease_until = $4, \
             status_code = NULL, completed_at = NULL \
             WHERE consumer_id = $1 AND client_request_id = $2 AND method = $5 AND route = $6 \
             AND write_id IS NOT NULL \
             AND (state = 'uncertain' OR (state = 'in_process' AND lease_until < $7)) \
             AND (connection_id = $8 OR connection_id = write_id)",
        )
        .bind(key.consumer_id.to_string())
        .bind(&key.client_request_id)
        .bind(lease.owner.to_string())
        .bind(lease.until())
        .bind(method)
        .bind(route)
        .bind(now)
        // Through the same connection, unless the write creates the connection (whose id is
        // the write's): resumed elsewhere, a write would not find what it sent.
        .bind(connection_id.to_string())
        .execute(self.pool)
        .await?;
        let sql = format!(
            "SELECT {COLUMNS}, write_id FROM idempotency_records \
             WHERE consumer_id = $1 AND client_request_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(key.consumer_id.to_string())
            .bind(&key.client_request_id)
            .fetch_one(self.pool)
            .await?;
        if taken.rows_affected() == 1 {
            let write_id: Option<String> = column(&row, "write_id")?;
            let write_id = write_id.as_deref().map(super::uuid).transpose()?;
            let write_id = write_id.ok_or_else(|| StoreError::Corrupt("no write id".into()))?;
            return Ok(Begun::Claimed(Write { id: write_id, resumed: true }));
        }
        Ok(Begun::Seen(record(&row)?))
    }

    /// Extends the lease of a write `owner` still holds; false when it no longer does.
    pub async fn renew(&self, key: &IdempotencyKey, lease: Lease) -> Result<bool, StoreError> {
        let renewed = sqlx::query(
            "UPDATE idempotency_records SET lease_until = $4 WHERE consumer_id = $1 \
             AND client_request_id = $2 AND owner = $3 AND state = 'in_process'",
        )
        .bind(key.consumer_id.to_string())
        .bind(&key.client_request_id)
        .bind(lease.owner.to_string())
        .bind(lease.until())
        .execute(self.pool)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Records the outcome of a write that `owner` holds (a write taken over meanwhile is left
    /// to its new owner).
    pub async fn finish(
        &self,
        key: &IdempotencyKey,
        owner: Uuid,
        (status_code, outcome): (u16, Outcome),
        created_entity_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let state = match outcome {
            Outcome::Definitive => "done",
            Outcome::Uncertain => "uncertain",
        };
        sqlx::query(
            "UPDATE idempotency_records SET state = $3, status_code = $4, \
             created_entity_id = $5, completed_at = $6, lease_until = NULL \
             WHERE consumer_id = $1 AND client_request_id = $2 AND owner = $7",
        )
        .bind(key.consumer_id.to_string())
        .bind(&key.client_request_id)
        .bind(state)
        .bind(i32::from(status_code))
        .bind(created_entity_id)
        .bind(now_micros())
        .bind(owner.to_string())
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// A request of this consumer made through (or creating) this connection.
    pub async fn find(
        &self,
        key: &IdempotencyKey,
        connection_id: Uuid,
    ) -> Result<Option<TransactionRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM idempotency_records WHERE consumer_id = $1 \
             AND client_request_id = $2 AND connection_id = $3"
        );
        let row = sqlx::query(&sql)
            .bind(key.consumer_id.to_string())
            .bind(&key.client_request_id)
            .bind(connection_id.to_string())
            .fetch_optional(self.pool)
            .await?;
        row.map(|r| record(&r)).transpose()
    }

    /// Deletes the records created before `before` that no write holds; returns how many.
    pub async fn purge(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let purged = sqlx::query(
            "DELETE FROM idempotency_records WHERE created_at < $1 \
             AND (state <> 'in_process' OR lease_until IS NULL OR lease_until < $2)",
        )
        .bind(before.timestamp_micros())
        .bind(now_micros())
        .execute(self.pool)
        .await?;
        Ok(purged.rows_affected())
    }

    /// Deletes every record of the account's consumers (`passerelle demo`: the writes they recorded
    /// went to a sandbox that is gone); returns how many.
    pub async fn forget_account(&self, account: Uuid) -> Result<u64, StoreError> {
        let forgotten = sqlx::query(
            "DELETE FROM idempotency_records WHERE consumer_id IN \
             (SELECT id FROM consumers WHERE account_id = $1)",
        )
        .bind(account.to_string())
        .execute(self.pool)
        .await?;
        Ok(forgotten.rows_affected())
    }
}

fn record(row: &AnyRow) -> Result<TransactionRecord, StoreError> {
    let status: Option<i32> = column(row, "status_code")?;
    let status_code = status
        .map(|s| u16::try_from(s).map_err(|_| StoreError::Corrupt(format!("status {s}"))))
        .transpose()?;
    let connection_id: Option<String> = column(row, "connection_id")?;
    Ok(TransactionRecord {
        method: column(row, "method")?,
        route: column(row, "route")?,
        status_code,
        connection_id: connection_id.as_deref().map(super::uuid).transpose()?,
        created_entity_id: column(row, "created_entity_id")?,
        created_at: timestamp(column(row, "created_at")?)?,
    })
}
