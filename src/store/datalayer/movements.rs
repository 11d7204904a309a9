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

    /// Makes `year`'s generation, of `lines` lines, the one read and drops its other
    /// generations, in one transaction (nothing when the data layer was disabled meanwhile).
    /// `false`, and the generation dropped, when the folder's movements were forgotten since
    /// it began or it lacks lines (a write changed the books while they were read).
    pub async fn switch_movements(
        &self,
        connection: Uuid,
        folder: i64,
        year: &MovementYear,
        lines: i64,
    ) -> Result<bool, StoreError> {
        let (id, start) = (connection.to_string(), day(year.start));
        let mut tx = self.pool.begin().await?;
        let forgotten = sqlx::query(
            "SELECT movements_forgotten_at AS at FROM datalayer_connections \
             WHERE connection_id = $1",
        )
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?;
        let forgotten: Option<i64> = forgotten.map(|row| column(&row, "at")).transpose()?;
        let staged = sqlx::query(
            "SELECT COUNT(*) AS n FROM datalayer_movements WHERE connection_id = $1 \
             AND folder = $2 AND year_start = $3 AND generation = $4",
        )
        .bind(&id)
        .bind(folder)
        .bind(&start)
        .bind(year.generation)
        .fetch_one(&mut *tx)
        .await?;
        let whole = column::<i64>(&staged, "n")? == lines
            && forgotten.is_some_and(|at| at < year.generation);
        let kept = if whole { "generation <> $4" } else { "generation = $4" };
        if whole {
            sqlx::query(
                "INSERT INTO datalayer_movement_years (connection_id, folder, year_start, \
                 year_end, generation, lines, synced_at) SELECT $1, $2, $3, $4, $5, $6, $7 \
                 WHERE EXISTS (SELECT 1 FROM datalayer_connections WHERE connection_id = $1) \
                 ON CONFLICT (connection_id, folder, year_start) DO UPDATE SET \
                 year_end = $4, generation = $5, lines = $6, synced_at = $7",
            )
            .bind(&id)
            .bind(folder)
            .bind(&start)
            .bind(day(year.end))
            .bind(year.generation)
            .bind(lines)
            .bind(year.generation)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(&format!(
            "DELETE FROM datalayer_movements WHERE connection_id = $1 AND folder = $2 \
             AND year_start = $3 AND {kept}"
        ))
        .bind(&id)
        .bind(folder)
        .bind(&start)
        .bind(year.generation)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(whole)
    }

    /// The stored fiscal year holding `from..=to`, if any, and its number of lines.
    pub async fn movement_year(
        &self,
        connection: Uuid,
        folder: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<(MovementYear, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT year_start, year_end, generation, lines FROM datalayer_movement_years \
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
        let year = MovementYear {
            start: bound("year_start")?,
            end: bound("year_end")?,
            generation: column(&row, "generation")?,
        };
        Ok(Some((year, column(&row, "lines")?)))
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

    /// Forgets the folder's stored movements at `now` (the export reads them live until a sync
    /// of the whole window stores them again; a generation being written is not switched to).
    pub async fn forget_movements(
        &self,
        connection: Uuid,
        folder: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE datalayer_connections SET movements_forgotten_at = $2 WHERE connection_id = $1",
        )
        .bind(connection.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
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
