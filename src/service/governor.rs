//! The rate governor's shared slot table, over the gateway's database.

use async_trait::async_trait;

use crate::connectors::governor::SlotLeases;
use crate::store::Store;

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
    ) -> Result<Result<u32, i64>, String> {
        self.0.slots().try_acquire(bucket, slots, now_ms, lease_ms).await.map_err(|e| e.to_string())
    }

    async fn hold_until(&self, bucket: &str, slot: u32, until_ms: i64) -> Result<(), String> {
        self.0.slots().hold_until(bucket, slot, until_ms).await.map_err(|e| e.to_string())
    }
}
