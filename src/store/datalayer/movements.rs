//! The FEC from the store: each fiscal year's movements as FEC lines, written under a new
//! generation while a sync streams them and switched to at the end, so that a reader sees a
//! whole year (the previous generation until the switch).

use chrono::NaiveDate;
use uuid::Uuid;

use super::{column, date, numbered, Datalayer, StoreError};

/// The movement tables, dropped with the data layer (or its window).
pub(super) const MOVEMENT_TABLES: [&str; 2] = ["datalayer_movements", "datalayer_movement_years"];

/// A fiscal year whose movements are stored, and the generation readers see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovementYear {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub generation: i64,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Datalayer<'_> {
    /// Writes `lines` (FEC lines as JSON) of `year`'s generation being written, numbered from
    /// `first`.
    pub async fn stage_movements(
        &self,
        connection: Uuid,
        folder: i64,
        year: &MovementYear,
        first: i64,
        lines: &[String],
    ) -> Result<(), StoreError> {
        if lines.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO datalayer_movements (connection_id, folder, year_start, generation, \
             seq, line) VALUES {}",
            numbered(1, lines.len(), 6)
        );
        let (id, start) = (connection.to_string(), day(year.start));
        let mut insert = sqlx::query(&sql);
        for (seq, line) in (first..).zip(lines) {
            insert = insert
                .bind(&id)
                .bind(folder)
                .bind(&start)
                .bind(year.generation)
                .bind(seq)
                .bind(line);
        }
        insert.execute(self.pool).await?;
        Ok(())
    }

    /// Makes `year`'s generation the one read, drops its other generations, in one transaction
    /// (nothing when the data layer was disabled meanwhile).
    pub async fn switch_movements(
        &self,
        connection: Uuid,
        folder: i64,
        year: &MovementYear,
        now: i64,
    ) -> Result<(), StoreError> {
        let (id, start) = (connection.to_string(), day(year.start));
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO datalayer_movement_years (connection_id, folder, year_start, year_end, \
             generation, synced_at) SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS \
                 (SELECT 1 FROM datalayer_connections WHERE connection_id = $1) \
             ON CONFLICT (connection_id, folder, year_start) DO UPDATE SET \
             year_end = $4, generation = $5, synced_at = $6",
        )
        .bind(&id)
        .bind(folder)
        .bind(&start)
        .bind(day(year.end))
        .bind(year.generation)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM datalayer_movements WHERE connection_id = $1 AND folder = $2 \
             AND year_start = $3 AND generation <> $4",
        )
        .bind(&id)
        .bind(folder)
        .bind(&start)
        .bind(year.generation)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The stored fiscal year holding `from..=to`, if any.
    pub async fn movement_year(
        &self,
        connection: Uuid,
        folder: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<MovementYear>, StoreError> {
        let row = sqlx::query(
            "SELECT year_start, year_end, generation FROM datalayer_movement_years \
             WHERE connection_id = $1 AND folder = $2 AND year_start <= $3 AND year_end >= $4",
        )
        .bind(connection.to_string())
        .bind(folder)
        .bind(day(from))
        .bind(day(to))
        .fetch_optional(self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let bound = |name: &str| {
            date(column(&row, name)?)?
                .ok_or_else(|| StoreError::Corrupt(format!("a stored year without {name}")))
        };
        Ok(Some(MovementYear {
            start: bound("year_start")?,
            end: bound("year_end")?,
            generation: column(&row, "generation")?,
        }))
    }

    /// Up to `limit` lines of `year` from number `from_seq` on, in order, with their numbers.
    pub async fn movement_lines(
        &self,
        connection: Uuid,
        folder: i64,
        year: &MovementYear,
        from_seq: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, line FROM datalayer_movements WHERE connection_id = $1 AND folder = $2 \
             AND year_start = $3 AND generation = $4 AND seq >= $5 ORDER BY seq LIMIT $6",
        )
        .bind(connection.to_string())
        .bind(folder)
        .bind(day(year.start))
        .bind(year.generation)
        .bind(from_seq)
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(|r| Ok((column(r, "seq")?, column(r, "line")?))).collect()
    }

    /// Forgets the folder's stored movements (the export reads them live until a sync of the
    /// whole window stores them again).
    pub async fn forget_movements(&self, connection: Uuid, folder: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for table in MOVEMENT_TABLES {
            sqlx::query(&format!("DELETE FROM {table} WHERE connection_id = $1 AND folder = $2"))
                .bind(connection.to_string())
                .bind(folder)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
