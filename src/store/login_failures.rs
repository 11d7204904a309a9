//! Failed `/token` attempts shared by every gateway process on one database: a count per key and
//! window, added to by one upsert and read back by primary key.

use sqlx::AnyPool;

use super::{column, StoreError};

/// A key's failures within its window, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFailures {
    pub key: String,
    /// Unix milliseconds.
    pub window_start: i64,
    pub failures: u32,
}

pub struct LoginFailures<'p> {
    pool: &'p AnyPool,
}

impl<'p> LoginFailures<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    /// The counts of `keys` whose window started after `expired` (one indexed read).
    pub async fn read(
        &self,
        keys: [&str; 2],
        expired: i64,
    ) -> Result<Vec<SharedFailures>, StoreError> {
        let rows = sqlx::query(
            "SELECT key, window_start, failures FROM login_failures \
             WHERE key IN ($1, $2) AND window_start > $3",
        )
        .bind(keys[0])
        .bind(keys[1])
        .bind(expired)
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(shared).collect()
    }

    /// Adds `failures` to `key`, starting a window at `now` when its window started at or before
    /// `expired`; returns the count now stored.
    pub async fn add(
        &self,
        key: &str,
        failures: u32,
        now: i64,
        expired: i64,
    ) -> Result<SharedFailures, StoreError> {
        let row = sqlx::query(
            "INSERT INTO login_failures (key, window_start, failures) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_failures.window_start <= $4 THEN excluded.failures \
                               ELSE login_failures.failures + excluded.failures END, \
               window_start = CASE WHEN login_failures.window_start <= $4 THEN excluded.window_start \
                                   ELSE login_failures.window_start END \
             RETURNING key, window_start, failures",
        )
        .bind(key)
        .bind(now)
        .bind(i32::try_from(failures).unwrap_or(i32::MAX))
        .bind(expired)
        .fetch_one(self.pool)
        .await?;
        shared(&row)
    }

    pub async fn clear(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Deletes the rows of windows that started at or before `expired`.
    pub async fn purge(&self, expired: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM login_failures WHERE window_start <= $1")
            .bind(expired)
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

fn shared(row: &sqlx::any::AnyRow) -> Result<SharedFailures, StoreError> {
    let failures: i32 = column(row, "failures")?;
    Ok(SharedFailures {
        key: column(row, "key")?,
        window_start: column(row, "window_start")?,
        failures: u32::try_from(failures)
            .map_err(|_| StoreError::Corrupt(format!("{failures} login failures")))?,
    })
}
