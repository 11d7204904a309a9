//! Webhook subscriptions of an API account and the log of their delivery attempts. Every query is
//! filtered on the owning account; the signing secret is sealed and only [`Webhooks::by_id`] (for
//! the delivery workers) opens it.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::AnyPool;
use uuid::Uuid;

use super::{column, is_unique_violation, now_micros, timestamp, uuid, StoreError};
use crate::crypto::{Keyring, Sealed};

/// `active` or `inactive` (Chift's `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookStatus {
    Active,
    Inactive,
}

impl WebhookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "active" => Ok(Self::Active),
            "inactive" => Ok(Self::Inactive),
            other => Err(StoreError::Corrupt(format!("unknown webhook status {other}"))),
        }
    }
}

/// A subscription as answered (never with its secret).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: Uuid,
    pub account_id: Uuid,
    pub event: String,
    pub url: String,
    pub status: WebhookStatus,
    pub integration_id: Option<i64>,
    /// Events carry the record's id only, not the record.
    pub thin: bool,
    pub created_at: DateTime<Utc>,
}

/// No `Debug`: it holds the signing secret.
pub struct NewWebhook {
    pub event: String,
    pub url: String,
    pub secret: Option<String>,
    pub integration_id: Option<i64>,
    pub thin: bool,
}

/// What `PATCH` changes; `None` keeps the current value. No `Debug`: it holds the signing secret.
#[derive(Default)]
pub struct WebhookPatch {
    pub status: Option<WebhookStatus>,
    pub url: Option<String>,
    pub secret: Option<String>,
}

/// One delivery attempt, as logged.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub account_id: Uuid,
    pub event_id: Uuid,
    pub event: String,
    pub url: String,
    pub attempt: i64,
    /// 0 when no HTTP answer came (refused address, timeout, connection error).
    pub http_status: i64,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub struct Webhooks<'p> {
    pool: &'p AnyPool,
}

const COLUMNS: &str =
    "id, account_id, event, url, status, integration_id, thin, created_at, key_id, nonce, secret";

/// The associated data a webhook's secret is sealed with: a ciphertext moved to another row does
/// not open.
fn aad(id: Uuid) -> String {
    format!("webhook/{id}")
}

impl<'p> Webhooks<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    /// Subscribes; a second subscription of the account to the same event and URL is a conflict.
    pub async fn insert(
        &self,
        keyring: &Keyring,
        account: Uuid,
        new: &NewWebhook,
    ) -> Result<Webhook, StoreError> {
        let id = Uuid::new_v4();
        let sealed =
            new.secret.as_deref().map(|s| keyring.seal(&aad(id), s.as_bytes())).transpose()?;
        let (key_id, nonce, secret) = split(sealed);
        let now = now_micros();
        let inserted = sqlx::query(
            "INSERT INTO webhooks (id, account_id, event, url, status, integration_id, thin, \
             key_id, nonce, secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(id.to_string())
        .bind(account.to_string())
        .bind(&new.event)
        .bind(&new.url)
        .bind(new.integration_id)
        .bind(i64::from(new.thin))
        .bind(key_id)
        .bind(nonce)
        .bind(secret)
        .bind(now)
        .execute(self.pool)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict("webhook")),
            other => other?,
        };
        self.find(account, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("webhook vanished right after its insert".into()))
    }

    pub async fn list(
        &self,
        account: Uuid,
        status: Option<WebhookStatus>,
    ) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhooks WHERE account_id = $1 AND ($2 IS NULL OR status = $2) \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(account.to_string())
            .bind(status.map(WebhookStatus::as_str))
            .fetch_all(self.pool)
            .await?;
        rows.iter().map(webhook).collect()
    }

    pub async fn find(&self, account: Uuid, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE account_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(account.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool)
            .await?;
        row.map(|r| webhook(&r)).transpose()
    }

    /// Applies `patch`; re-enabling a webhook starts its run of failures afresh. `None` when the
    /// webhook is not the account's.
    pub async fn update(
        &self,
        keyring: &Keyring,
        account: Uuid,
        id: Uuid,
        patch: &WebhookPatch,
    ) -> Result<Option<Webhook>, StoreError> {
        let sealed =
            patch.secret.as_deref().map(|s| keyring.seal(&aad(id), s.as_bytes())).transpose()?;
        let (key_id, nonce, secret) = split(sealed);
        let updated = sqlx::query(
            "UPDATE webhooks SET status = COALESCE($3, status), url = COALESCE($4, url), \
             key_id = COALESCE($5, key_id), nonce = COALESCE($6, nonce), \
             secret = COALESCE($7, secret), updated_at = $8, \
             failing_since = CASE WHEN $3 = 'active' THEN NULL ELSE failing_since END \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account.to_string())
        .bind(id.to_string())
        .bind(patch.status.map(WebhookStatus::as_str))
        .bind(&patch.url)
        .bind(key_id)
        .bind(nonce)
        .bind(secret)
        .bind(now_micros())
        .execute(self.pool)
        .await;
        match updated {
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict("webhook")),
            other => other?,
        };
        self.find(account, id).await
    }

    /// Deletes the webhook with its logs and pending deliveries; `false` when not the account's.
    pub async fn delete(&self, account: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        for table in ["webhook_outbox", "webhook_logs"] {
            let sql = format!(
                "DELETE FROM {table} WHERE webhook_id IN \
                 (SELECT id FROM webhooks WHERE account_id = $1 AND id = $2)"
            );
            sqlx::query(&sql)
                .bind(account.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("DELETE FROM webhooks WHERE account_id = $1 AND id = $2")
            .bind(account.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a delivery attempt; a failure starts (or continues) the webhook's run of failures
    /// and a success ends it. Returns when the current run of failures began.
    pub async fn log_attempt(&self, log: &DeliveryLog) -> Result<Option<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO webhook_logs (id, webhook_id, account_id, event_id, event, url, attempt, \
             http_status, duration_ms, error, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(log.id.to_string())
        .bind(log.webhook_id.to_string())
        .bind(log.account_id.to_string())
        .bind(log.event_id.to_string())
        .bind(&log.event)
        .bind(&log.url)
        .bind(log.attempt)
        .bind(log.http_status)
        .bind(log.duration_ms)
        .bind(&log.error)
        .bind(log.created_at.timestamp_micros())
        .execute(&mut *tx)
        .await?;
        let ok = (200..300).contains(&log.http_status);
        let sql = if ok {
            "UPDATE webhooks SET failing_since = NULL WHERE id = $1"
        } else {
            "UPDATE webhooks SET failing_since = COALESCE(failing_since, $2) WHERE id = $1"
        };
        sqlx::query(sql)
            .bind(log.webhook_id.to_string())
            .bind(log.created_at.timestamp_micros())
            .execute(&mut *tx)
            .await?;
        let since: Option<i64> =
            sqlx::query_scalar("SELECT failing_since FROM webhooks WHERE id = $1")
                .bind(log.webhook_id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .flatten();
        tx.commit().await?;
        Ok(since)
    }

    /// Turns a webhook off (after a long run of failures); PATCH `status=active` turns it on.
    pub async fn disable(&self, id: Uuid) -> Result<(), StoreError> {
        sqlx::query("UPDATE webhooks SET status = 'inactive', updated_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(now_micros())
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// How many webhooks the account has.
    pub async fn count(&self, account: Uuid) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM webhooks WHERE account_id = $1";
        Ok(sqlx::query_scalar(sql).bind(account.to_string()).fetch_one(self.pool).await?)
    }

    /// Drops delivery logs older than `before` (Unix microseconds). Returns how many.
    pub async fn prune_logs(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM webhook_logs WHERE created_at < $1")
            .bind(before)
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// A page of the webhook's delivery attempts, newest first.
    pub async fn logs(
        &self,
        account: Uuid,
        id: Uuid,
        page: u32,
        size: u32,
    ) -> Result<Vec<DeliveryLog>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, webhook_id, account_id, event_id, event, url, attempt, http_status, \
             duration_ms, error, created_at FROM webhook_logs \
             WHERE account_id = $1 AND webhook_id = $2 \
             ORDER BY created_at DESC, id LIMIT $3 OFFSET $4",
        )
        .bind(account.to_string())
        .bind(id.to_string())
        .bind(i64::from(size))
        .bind(i64::from(page.saturating_sub(1)) * i64::from(size))
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(delivery_log).collect()
    }
}

type SealedColumns = (Option<String>, Option<Vec<u8>>, Option<Vec<u8>>);

fn split(sealed: Option<Sealed>) -> SealedColumns {
    match sealed {
        Some(s) => (Some(s.key_id), Some(s.nonce), Some(s.ciphertext)),
        None => (None, None, None),
    }
}

/// The signing secret of the webhook `id` read in `row`, opened; `None` when it has none.
fn secret(keyring: &Keyring, id: Uuid, row: &AnyRow) -> Result<Option<String>, StoreError> {
    let (Some(key_id), Some(nonce), Some(ciphertext)) = (
        column::<Option<String>>(row, "key_id")?,
        column::<Option<Vec<u8>>>(row, "nonce")?,
        column::<Option<Vec<u8>>>(row, "secret")?,
    ) else {
        return Ok(None);
    };
    let plain = keyring.open(&aad(id), &Sealed { key_id, nonce, ciphertext })?;
    String::from_utf8(plain)
        .map(Some)
        .map_err(|_| StoreError::Corrupt(format!("secret of webhook {id} is not text")))
}

fn webhook(row: &AnyRow) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: uuid(&column::<String>(row, "id")?)?,
        account_id: uuid(&column::<String>(row, "account_id")?)?,
        event: column(row, "event")?,
        url: column(row, "url")?,
        status: WebhookStatus::parse(&column::<String>(row, "status")?)?,
        integration_id: column(row, "integration_id")?,
        thin: column::<i64>(row, "thin")? != 0,
        created_at: timestamp(column(row, "created_at")?)?,
    })
}

fn delivery_log(row: &AnyRow) -> Result<DeliveryLog, StoreError> {
    Ok(DeliveryLog {
        id: uuid(&column::<String>(row, "id")?)?,
        webhook_id: uuid(&column::<String>(row, "webhook_id")?)?,
        account_id: uuid(&column::<String>(row, "account_id")?)?,
        event_id: uuid(&column::<String>(row, "event_id")?)?,
        event: column(row, "event")?,
        url: column(row, "url")?,
        attempt: column(row, "attempt")?,
        http_status: column(row, "http_status")?,
        duration_ms: column(row, "duration_ms")?,
        error: column(row, "error")?,
        created_at: timestamp(column(row, "created_at")?)?,
    })
}

impl Webhooks<'_> {
    /// A webhook by id alone with its signing secret opened (`None` when it has none), for the
    /// delivery workers.
    pub async fn by_id(
        &self,
        keyring: &Keyring,
        id: Uuid,
    ) -> Result<Option<(Webhook, Option<String>)>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let hook = webhook(&row)?;
        let secret = secret(keyring, hook.id, &row)?;
        Ok(Some((hook, secret)))
    }
}
