//! Issues: failures of one subject (a connection, or a webhook's deliveries) grouped per error
//! code, counted while open; the next success of the subject closes them. The latest
//! [`EVENTS_KEPT`] occurrences of each issue are kept as its events.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Connection};
use uuid::Uuid;

use super::{column, is_unique_violation, now_micros, timestamp, uuid, StoreError};

/// Occurrences kept per issue (older ones are only counted).
pub const EVENTS_KEPT: i64 = 50;

/// One failure to count.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub account: Uuid,
    pub consumer: Option<Uuid>,
    /// The connection (or webhook) that failed.
    pub subject: Uuid,
    pub integration_id: i64,
    pub error_code: String,
    pub http_status: u16,
    pub title: String,
    pub description: String,
    pub level: &'static str,
    /// The request (or delivery) that failed.
    pub execution_id: String,
    pub context: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub id: Uuid,
    pub consumer_id: String,
    pub subject: Uuid,
    pub integration_id: i64,
    pub error_code: String,
    pub http_status: String,
    pub title: String,
    pub description: String,
    pub level: String,
    pub status: String,
    pub occurrences: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct IssueEvent {
    pub id: Uuid,
    pub execution_id: String,
    pub message: Option<String>,
    pub context: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// `GET /issues` filters.
#[derive(Debug, Default)]
pub struct IssueFilter {
    pub created_on: Option<NaiveDate>,
    pub last_seen_on: Option<NaiveDate>,
    pub error_code: Option<String>,
    /// `open` or `closed`; `None` for all.
    pub status: Option<&'static str>,
    pub level: Option<&'static str>,
}

pub struct Issues<'p> {
    pool: &'p AnyPool,
}

const COLUMNS: &str = "id, consumer_id, subject, integration_id, error_code, http_status, title, \
                       description, level, status, occurrences, created_at, updated_at, last_seen";

/// Microseconds of the start and end of a day.
fn day(d: NaiveDate) -> (i64, i64) {
    let start = d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_micros());
    (start, start + 86_400_000_000)
}

impl<'p> Issues<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    /// Counts a failure in the subject's open issue for its code, opening one if there is none,
    /// on `conn` (the caller's transaction, which may announce a new issue in the same commit).
    /// Returns the issue's id and whether it is new.
    pub async fn record(
        conn: &mut AnyConnection,
        o: &Occurrence,
    ) -> Result<(Uuid, bool), StoreError> {
        let mut created = false;
        let id = loop {
            if let Some(id) = Self::count(conn, o).await? {
                break id;
            }
            match Self::open(conn, o).await {
                Ok(id) => {
                    created = true;
                    break id;
                }
                // Opened meanwhile by another request: count in it.
                Err(StoreError::Database(e)) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e),
            }
        };
        let now = now_micros();
        sqlx::query(
            "INSERT INTO issue_events (id, issue_id, execution_id, message, context, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(id.to_string())
        .bind(&o.execution_id)
        .bind(&o.description)
        .bind(o.context.as_ref().map(serde_json::Value::to_string))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "DELETE FROM issue_events WHERE issue_id = $1 AND id NOT IN (SELECT id FROM \
             issue_events WHERE issue_id = $1 ORDER BY created_at DESC, id LIMIT $2)",
        )
        .bind(id.to_string())
        .bind(EVENTS_KEPT)
        .execute(&mut *conn)
        .await?;
        Ok((id, created))
    }

    async fn count(conn: &mut AnyConnection, o: &Occurrence) -> Result<Option<Uuid>, StoreError> {
        let now = now_micros();
        let id: Option<String> = sqlx::query_scalar(
            "UPDATE issues SET occurrences = occurrences + 1, last_seen = $4, updated_at = $4, \
             description = $5 WHERE account_id = $1 AND subject = $2 AND error_code = $3 \
             AND status = 'open' RETURNING id",
        )
        .bind(o.account.to_string())
        .bind(o.subject.to_string())
        .bind(&o.error_code)
        .bind(now)
        .bind(&o.description)
        .fetch_optional(&mut *conn)
        .await?;
        id.as_deref().map(uuid).transpose()
    }

    /// Opens an issue, in a savepoint: a unique violation (opened meanwhile by another request)
    /// leaves the caller's transaction usable.
    async fn open(conn: &mut AnyConnection, o: &Occurrence) -> Result<Uuid, StoreError> {
        let id = Uuid::new_v4();
        let mut savepoint = conn.begin().await?;
        sqlx::query(
            "INSERT INTO issues (id, account_id, consumer_id, subject, integration_id, \
             error_code, http_status, title, description, level, status, occurrences, \
             created_at, updated_at, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 1, $11, $11, $11)",
        )
        .bind(id.to_string())
        .bind(o.account.to_string())
        .bind(o.consumer.map(|c| c.to_string()).unwrap_or_default())
        .bind(o.subject.to_string())
        .bind(o.integration_id)
        .bind(&o.error_code)
        .bind(o.http_status.to_string())
        .bind(&o.title)
        .bind(&o.description)
        .bind(o.level)
        .bind(now_micros())
        .execute(&mut *savepoint)
        .await?;
        savepoint.commit().await?;
        Ok(id)
    }

    /// The subject succeeded: its open issues close. Returns how many.
    pub async fn close(&self, account: Uuid, subject: Uuid) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE issues SET status = 'closed', updated_at = $3 \
             WHERE account_id = $1 AND subject = $2 AND status = 'open'",
        )
        .bind(account.to_string())
        .bind(subject.to_string())
        .bind(now_micros())
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Drops issues closed before `before` (Unix microseconds) with their events. Returns how
    /// many issues.
    pub async fn prune_closed(&self, before: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM issue_events WHERE issue_id IN \
             (SELECT id FROM issues WHERE status = 'closed' AND updated_at < $1)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM issues WHERE status = 'closed' AND updated_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// The account's issues, most recently seen first (at most `limit`).
    pub async fn list(
        &self,
        account: Uuid,
        f: &IssueFilter,
        limit: u32,
    ) -> Result<Vec<Issue>, StoreError> {
        let created = f.created_on.map(day);
        let seen = f.last_seen_on.map(day);
        let sql = format!(
            "SELECT {COLUMNS} FROM issues WHERE account_id = $1 \
             AND ($2 IS NULL OR created_at >= $2) AND ($3 IS NULL OR created_at < $3) \
             AND ($4 IS NULL OR last_seen >= $4) AND ($5 IS NULL OR last_seen < $5) \
             AND ($6 IS NULL OR error_code = $6) AND ($7 IS NULL OR status = $7) \
             AND ($8 IS NULL OR level = $8) ORDER BY last_seen DESC, id LIMIT $9"
        );
        let rows = sqlx::query(&sql)
            .bind(account.to_string())
            .bind(created.map(|d| d.0))
            .bind(created.map(|d| d.1))
            .bind(seen.map(|d| d.0))
            .bind(seen.map(|d| d.1))
            .bind(&f.error_code)
            .bind(f.status)
            .bind(f.level)
            .bind(i64::from(limit))
            .fetch_all(self.pool)
            .await?;
        rows.iter().map(issue).collect()
    }

    pub async fn find(&self, account: Uuid, id: Uuid) -> Result<Option<Issue>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM issues WHERE account_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(account.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool)
            .await?;
        row.map(|r| issue(&r)).transpose()
    }

    /// The issue's kept occurrences, newest first.
    pub async fn events(&self, id: Uuid) -> Result<Vec<IssueEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, execution_id, message, context, created_at FROM issue_events \
             WHERE issue_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(id.to_string())
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let context: Option<String> = column(row, "context")?;
                Ok(IssueEvent {
                    id: uuid(&column::<String>(row, "id")?)?,
                    execution_id: column(row, "execution_id")?,
                    message: column(row, "message")?,
                    context: context.and_then(|c| serde_json::from_str(&c).ok()),
                    created_at: timestamp(column(row, "created_at")?)?,
                })
            })
            .collect()
    }
}

fn issue(row: &AnyRow) -> Result<Issue, StoreError> {
    Ok(Issue {
        id: uuid(&column::<String>(row, "id")?)?,
        consumer_id: column(row, "consumer_id")?,
        subject: uuid(&column::<String>(row, "subject")?)?,
        integration_id: column(row, "integration_id")?,
        error_code: column(row, "error_code")?,
        http_status: column(row, "http_status")?,
        title: column(row, "title")?,
        description: column(row, "description")?,
        level: column(row, "level")?,
        status: column(row, "status")?,
        occurrences: column(row, "occurrences")?,
        created_at: timestamp(column(row, "created_at")?)?,
        updated_at: timestamp(column(row, "updated_at")?)?,
        last_seen: timestamp(column(row, "last_seen")?)?,
    })
}
