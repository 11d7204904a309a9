//! The store: PostgreSQL in production, embedded SQLite by default, one API over both (sqlx `Any`).
//! Every query about a consumer or a connection is filtered on the owning account.

mod accounts;
pub mod changes;
mod connect_links;
mod connections;
mod consumers;
mod datalayer;
mod idempotency;
mod issues;
mod login_failures;
pub mod outbox;
mod slots;
mod webhooks;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::AnyPool;
use uuid::Uuid;

pub use accounts::{Accounts, NewAccount};
pub use connect_links::ConnectLinks;
pub use connections::Connections;
pub use consumers::Consumers;
pub use datalayer::{
    Changed, Datalayer, Enabled, Finished, MovementYear, Record, RecordChange, Replaced, Run,
    SetChanges, EVERYTHING,
};
pub use idempotency::{Begun, Idempotency, IdempotencyKey, Lease, Outcome, TransactionRecord};
pub use issues::{Issue, IssueEvent, IssueFilter, Issues, Occurrence};
pub use login_failures::{LoginFailures, SharedFailures};
pub use outbox::{Announcement, Claimed, Outbox};
pub use slots::{Slots, StoreLeases};
pub use webhooks::{DeliveryLog, NewWebhook, Webhook, WebhookPatch, WebhookStatus, Webhooks};

use crate::crypto::CryptoError;

static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored row is not valid: {0}")]
    Corrupt(String),
    #[error("stored credentials could not be opened")]
    Crypto(#[from] CryptoError),
    #[error("{0} already exists")]
    Conflict(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects (creating the SQLite file if needed) and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Postgres => 16,
                Backend::Sqlite => 4,
            })
            .acquire_timeout(Duration::from_secs(10))
            .connect(&url)
            .await?;
        Ok(Self { pool, backend })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Postgres => &POSTGRES,
            Backend::Sqlite => &SQLITE,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Readiness: one round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn accounts(&self) -> Accounts<'_> {
        Accounts::new(&self.pool)
    }

    pub fn consumers(&self) -> Consumers<'_> {
        Consumers::new(&self.pool)
    }

    pub fn connect_links(&self) -> ConnectLinks<'_> {
        ConnectLinks::new(&self.pool)
    }

    pub fn connections(&self) -> Connections<'_> {
        Connections::new(&self.pool)
    }

    pub fn idempotency(&self) -> Idempotency<'_> {
        Idempotency::new(&self.pool)
    }

    pub fn login_failures(&self) -> LoginFailures<'_> {
        LoginFailures::new(&self.pool)
    }

    pub fn datalayer(&self) -> Datalayer<'_> {
        Datalayer::new(&self.pool, self.backend)
    }

    pub fn slots(&self) -> Slots<'_> {
        Slots::new(&self.pool)
    }

    /// A transaction, for a change and the events it announces (see `webhooks::outbox`).
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks::new(&self.pool)
    }

    pub fn outbox(&self) -> Outbox<'_> {
        Outbox::new(&self.pool, self.backend)
    }

    pub fn issues(&self) -> Issues<'_> {
        Issues::new(&self.pool)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Timestamps are stored as microseconds since the Unix epoch, the same on both backends.
pub(crate) fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// `d` in microseconds, as timestamps count them (`i64::MAX` for a longer span).
pub(crate) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

pub(crate) fn timestamp(micros: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {micros} out of range")))
}

pub(crate) fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|_| StoreError::Corrupt(format!("`{text}` is not a uuid")))
}

/// Reads one column of a row, naming the column when its type is wrong.
pub(crate) fn column<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(name)?)
}

/// `true` when the error is a unique-constraint violation on either backend.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
