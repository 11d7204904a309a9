//! Outcomes of writes sent with `x-chift-client-requestid`, so that a replay is answered, not redone.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::AnyPool;
use uuid::Uuid;

use super::{column, now_micros, timestamp, StoreError};

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
    /// `None` while the request is still in process.
    pub status_code: Option<u16>,
    pub connection_id: Option<Uuid>,
    pub created_entity_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The answer to [`Idempotency::begin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// This call owns the key: do the work, then [`Idempotency::finish`].
    Fresh,
    /// Another call holds or held the key.
    Seen(TransactionRecord),
}

pub struct Idempotency<'p> {
    pool: &'p AnyPool,
}

const COLUMNS: &str = "method, route, status_code, connection_id, created_entity_id, created_at";

impl<'p> Idempotency<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    /// Claims the key for a request served through `connection_id` atomically; exactly one of concurrent callers gets [`Begun::Fresh`].
    pub async fn begin(
        &self,
        key: &IdempotencyKey,
        method: &str,
        route: &str,
        connection_id: Uuid,
    ) -> Result<Begun, StoreError> {
        let claimed = sqlx::query(
            "INSERT INTO idempotency_records (consumer_id, client_request_id, method, route, \
             connection_id, state, created_at) VALUES ($1, $2, $3, $4, $5, 'in_process', $6) \
             ON CONFLICT (consumer_id, client_request_id) DO NOTHING",
        )
        .bind(key.consumer_id.to_string())
        .bind(&key.client_request_id)
        .bind(method)
        .bind(route)
        .bind(connection_id.to_string())
        .bind(now_micros())
        .execute(self.pool)
        .await?;
        if claimed.rows_affected() == 1 {
            return Ok(Begun::Fresh);
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM idempotency_records \
             WHERE consumer_id = $1 AND client_request_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(key.consumer_id.to_string())
            .bind(&key.client_request_id)
            .fetch_one(self.pool)
            .await?;
        Ok(Begun::Seen(record(&row)?))
    }

    /// Records the outcome of a request that [`Idempotency::begin`] let through.
    pub async fn finish(
        &self,
        key: &IdempotencyKey,
        status_code: u16,
        created_entity_id: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_records SET state = 'done', status_code = $3, \
             created_entity_id = $4, completed_at = $5 \
             WHERE consumer_id = $1 AND client_request_id = $2",
        )
        .bind(key.consumer_id.to_string())
        .bind(&key.client_request_id)
        .bind(i32::from(status_code))
        .bind(created_entity_id)
        .bind(now_micros())
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
