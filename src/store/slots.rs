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
    /// `now_ms + lease_ms` when more than `keep_free` are free (checked in the same statement),
    /// with how many others were free beside it (approximately: counted in the same statement);
    /// `Err(at)` otherwise, `at` being when the first held one frees up.
    pub async fn try_acquire(
        &self,
        bucket: &str,
        slots: u32,
        keep_free: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Result<Grant, i64>, StoreError> {
        let taken = sqlx::query(
            "UPDATE upstream_slots SET held_until = $3 WHERE bucket = $1 AND held_until <= $2 \
             AND slot = (SELECT slot FROM upstream_slots WHERE bucket = $1 AND held_until <= $2 \
                         ORDER BY held_until, slot LIMIT 1) \
             AND (SELECT COUNT(*) FROM upstream_slots \
                  WHERE bucket = $1 AND held_until <= $2) > $4 \
             RETURNING slot, (SELECT COUNT(*) FROM upstream_slots \
                              WHERE bucket = $1 AND held_until <= $2) AS free",
        )
        .bind(bucket)
        .bind(now_ms)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(i64::from(keep_free))
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
            "SELECT COUNT(*) AS n, \
             COUNT(CASE WHEN held_until <= $2 THEN 1 END) AS free, \
             MIN(CASE WHEN held_until > $2 THEN held_until END) AS next \
             FROM upstream_slots WHERE bucket = $1",
        )
        .bind(bucket)
        .bind(now_ms)
        .fetch_one(self.pool)
        .await?;
        let existing: i64 = column(&row, "n")?;
        if existing < i64::from(slots) {
            self.create(bucket, slots).await?;
            return Ok(Err(now_ms));
        }
        let free: i64 = column(&row, "free")?;
        if free > i64::from(keep_free) {
            // Another caller took the slot this one picked: there are others, ask again now.
            return Ok(Err(now_ms));
        }
        let next: Option<i64> = column(&row, "next")?;
        Ok(Err(next.unwrap_or(now_ms)))
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
        keep_free: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Result<Grant, i64>, String> {
        let slots_of = self.0.slots();
        let taken = slots_of.try_acquire(bucket, slots, keep_free, now_ms, lease_ms).await;
        taken.map_err(|e| e.to_string())
    }

    async fn hold_until(&self, bucket: &str, slot: u32, until_ms: i64) -> Result<(), String> {
        self.0.slots().hold_until(bucket, slot, until_ms).await.map_err(|e| e.to_string())
    }
}
