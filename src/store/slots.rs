//! Leases on numbered upstream slots (the rate governor's shared state). One conditional UPDATE
//! takes a free slot, so two processes can never hold the same one.

use async_trait::async_trait;
use sqlx::AnyPool;

use super::{column, Store, StoreError};
use crate::connectors::governor::{Grant, SlotLeases};

pub struct Slots<'p> {
    pool: &'p AnyPool,
}

impl<'p> Slots<'p> {
    pub(super) fn new(pool: &'p AnyPool) -> Self {
        Self { pool }
    }

    /// Takes a free slot of `bucket` (creating its `slots` rows on first use) until
    /// `now_ms + lease_ms`, with how many others were free beside it (approximately: counted in
    /// the same statement); `Err(at)` when all are held, `at` being when the first frees up.
    pub async fn try_acquire(
        &self,
        bucket: &str,
        slots: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Result<Grant, i64>, StoreError> {
        let taken = sqlx::query(
            "UPDATE upstream_slots SET held_until = $3 WHERE bucket = $1 AND held_until <= $2 \
             AND slot = (SELECT slot FROM upstream_slots WHERE bucket = $1 AND held_until <= $2 \
                         ORDER BY held_until, slot LIMIT 1) \
             RETURNING slot, (SELECT COUNT(*) FROM upstream_slots \
                              WHERE bucket = $1 AND held_until <= $2) AS free",
        )
        .bind(bucket)
        .bind(now_ms)
        .bind(now_ms.saturating_add(lease_ms))
        .fetch_optional(self.pool)
        .await?;
        if let Some(row) = taken {
            let slot: i32 = column(&row, "slot")?;
            let free: i64 = column(&row, "free")?;
            let slot =
                u32::try_from(slot).map_err(|_| StoreError::Corrupt(format!("slot {slot}")))?;
            // The count may or may not see this statement's own update, depending on the database.
            let free = u32::try_from(free.saturating_sub(1).max(0)).unwrap_or(0);
            return Ok(Ok(Grant { slot, free }));
        }
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(held_until) AS first FROM upstream_slots WHERE bucket = $1",
        )
        .bind(bucket)
        .fetch_one(self.pool)
        .await?;
        let existing: i64 = column(&row, "n")?;
        if existing < i64::from(slots) {
            self.create(bucket, slots).await?;
            return Ok(Err(now_ms));
        }
        let first: Option<i64> = column(&row, "first")?;
        Ok(Err(first.unwrap_or(now_ms)))
    }

    async fn create(&self, bucket: &str, slots: u32) -> Result<(), StoreError> {
        for slot in 0..slots {
            sqlx::query(
                "INSERT INTO upstream_slots (bucket, slot, held_until) VALUES ($1, $2, 0) \
                 ON CONFLICT (bucket, slot) DO NOTHING",
            )
            .bind(bucket)
            .bind(i32::try_from(slot).unwrap_or(i32::MAX))
            .execute(self.pool)
            .await?;
        }
        Ok(())
    }

    /// Sets when a held slot frees up.
    pub async fn hold_until(
        &self,
        bucket: &str,
        slot: u32,
        until_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE upstream_slots SET held_until = $3 WHERE bucket = $1 AND slot = $2")
            .bind(bucket)
            .bind(i32::try_from(slot).unwrap_or(i32::MAX))
            .bind(until_ms)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}

/// Slot leases kept in the store, so that every gateway process sharing it shares the budget.
pub struct StoreLeases(pub Store);

#[async_trait]
impl SlotLeases for StoreLeases {
    async fn try_acquire(
        &self,
        bucket: &str,
        slots: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Result<Grant, i64>, String> {
        self.0.slots().try_acquire(bucket, slots, now_ms, lease_ms).await.map_err(|e| e.to_string())
    }

    async fn hold_until(&self, bucket: &str, slot: u32, until_ms: i64) -> Result<(), String> {
        self.0.slots().hold_until(bucket, slot, until_ms).await.map_err(|e| e.to_string())
    }
}
