//! The webhook outbox: events waiting for delivery, one row per (subscription, event), written in
//! the transaction of the change that caused them. Workers of every replica claim due rows with
//! `FOR UPDATE SKIP LOCKED` under a lease (a replica that dies mid-delivery frees its rows when
//! the lease runs out), and only the oldest row of each (webhook, record) chain: deliveries about
//! one record arrive in order. A delivered row is deleted.

use std::time::Duration;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool};
use uuid::Uuid;

use super::{column, micros, now_micros, uuid, Backend, StoreError};

/// What a change announces, before it is fanned out to the subscriptions of its event.
#[derive(Debug, Clone)]
pub struct Announcement<'a> {
    pub account: Uuid,
    pub event: &'a str,
    /// Deliveries with the same key (for one webhook) arrive in the order they were written.
    pub record_key: &'a str,
    /// The body of subscriptions that want the record.
    pub full: &'a str,
    /// The body of subscriptions that want its id only.
    pub thin: &'a str,
}

/// A claimed delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub seq: i64,
    pub event_id: Uuid,
    pub webhook_id: Uuid,
    pub body: String,
    /// This attempt's number, from 1.
    pub attempt: i64,
}

/// The events the account's active webhooks subscribe to, read on `conn` (so that a batch of
/// changes can skip, without a query each, what nobody listens to).
pub async fn subscribed(
    conn: &mut AnyConnection,
    account: uuid::Uuid,
) -> Result<std::collections::BTreeSet<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT event FROM webhooks WHERE account_id = $1 AND status = 'active'",
    )
    .bind(account.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|row| column::<String>(row, "event")).collect()
}

/// Writes one outbox row per active subscription of the account to the event, on `conn` (the
/// change's transaction). Returns how many.
pub async fn announce(conn: &mut AnyConnection, a: &Announcement<'_>) -> Result<u64, StoreError> {
    let now = now_micros();
    let subscribers = sqlx::query(
        "SELECT id, thin FROM webhooks WHERE account_id = $1 AND event = $2 AND status = 'active'",
    )
    .bind(a.account.to_string())
    .bind(a.event)
    .fetch_all(&mut *conn)
    .await?;
    for row in &subscribers {
        let body = if column::<i64>(row, "thin")? != 0 { a.thin } else { a.full };
        sqlx::query(
            "INSERT INTO webhook_outbox (event_id, webhook_id, record_key, body, next_at, \
             created_at) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(column::<String>(row, "id")?)
        .bind(a.record_key)
        .bind(body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(subscribers.len() as u64)
}

pub struct Outbox<'p> {
    pool: &'p AnyPool,
    backend: Backend,
}

impl<'p> Outbox<'p> {
    pub(super) fn new(pool: &'p AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    /// Claims up to `limit` due deliveries of active webhooks for `lease`, counting the attempt.
    pub async fn claim(&self, limit: u32, lease: Duration) -> Result<Vec<Claimed>, StoreError> {
        let now = now_micros();
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE OF o SKIP LOCKED",
            // One process: nobody to skip.
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE webhook_outbox SET lease_until = $2, attempts = attempts + 1 WHERE seq IN (\
               SELECT o.seq FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id \
               WHERE o.next_at <= $1 AND o.lease_until <= $1 AND w.status = 'active' \
               AND NOT EXISTS (SELECT 1 FROM webhook_outbox p WHERE p.webhook_id = o.webhook_id \
                 AND p.record_key = o.record_key AND p.seq < o.seq) \
               ORDER BY o.seq LIMIT $3 {lock}) \
             RETURNING seq, event_id, webhook_id, body, attempts"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(now.saturating_add(micros(lease)))
            .bind(i64::from(limit))
            .fetch_all(self.pool)
            .await?;
        let mut claimed: Vec<Claimed> = rows.iter().map(claimed).collect::<Result<_, _>>()?;
        claimed.sort_by_key(|c| c.seq);
        Ok(claimed)
    }

    /// The delivery succeeded: it leaves the outbox.
    pub async fn delivered(&self, seq: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webhook_outbox WHERE seq = $1")
            .bind(seq)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// The delivery failed: it is due again after `wait`.
    pub async fn retry_after(&self, seq: i64, wait: Duration) -> Result<(), StoreError> {
        sqlx::query("UPDATE webhook_outbox SET next_at = $2, lease_until = 0 WHERE seq = $1")
            .bind(seq)
            .bind(now_micros().saturating_add(micros(wait)))
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Drops deliveries queued before `before` (Unix microseconds) for webhooks inactive (turned
    /// off, by hand or after failing too long) and unchanged since then: a webhook left off does
    /// not keep its events forever. Returns how many.
    pub async fn prune_inactive(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM webhook_outbox WHERE created_at < $1 AND webhook_id IN (\
               SELECT id FROM webhooks WHERE status = 'inactive' AND updated_at < $1)",
        )
        .bind(before)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

fn claimed(row: &AnyRow) -> Result<Claimed, StoreError> {
    Ok(Claimed {
        seq: column(row, "seq")?,
        event_id: uuid(&column::<String>(row, "event_id")?)?,
        webhook_id: uuid(&column::<String>(row, "webhook_id")?)?,
        body: column(row, "body")?,
        attempt: column(row, "attempts")?,
    })
}
