//! The one way in for events: [`enqueue`] writes an event to the outbox on the caller's
//! transaction (the change and its announcement commit together, or neither does); [`publish`]
//! does it in a transaction of its own for changes made elsewhere (an upstream write). After a
//! commit, [`wake`] tells this process's worker to deliver at once instead of at its next poll.

use std::sync::LazyLock;

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::Notify;
use uuid::Uuid;

use super::Event;
use crate::store::{outbox, Announcement, Store, StoreError};

static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Writes `event` for every active subscription of `account` to it, on `tx`. Returns how many
/// deliveries it queued. Call [`wake`] once the transaction commits.
pub async fn enqueue(
    tx: &mut AnyConnection,
    account: Uuid,
    event: &Event,
) -> Result<u64, StoreError> {
    let (full, thin) = event.bodies(account, chrono::Utc::now().timestamp());
    let announcement = Announcement {
        account,
        event: &event.name,
        record_key: &event.record_key,
        full: &full,
        thin: &thin,
    };
    outbox::announce(tx, &announcement).await
}

/// Enqueues `event` on `tx`, commits it (the change with its announcement) and wakes the worker.
pub async fn commit_with(
    mut tx: Transaction<'static, Any>,
    account: Uuid,
    event: &Event,
) -> Result<u64, StoreError> {
    let queued = enqueue(&mut tx, account, event).await?;
    commit(tx, queued).await?;
    Ok(queued)
}

/// Commits a change with the `queued` deliveries enqueued on its transaction, and wakes the
/// worker when there are any.
pub async fn commit(tx: Transaction<'static, Any>, queued: u64) -> Result<(), StoreError> {
    tx.commit().await?;
    if queued > 0 {
        wake();
    }
    Ok(())
}

/// Enqueues `event` in its own transaction (a change made outside the database, such as an
/// upstream write) and wakes the worker.
pub async fn publish(store: &Store, account: Uuid, event: &Event) -> Result<u64, StoreError> {
    commit_with(store.begin().await?, account, event).await
}

/// Tells this process's worker that deliveries are due.
pub fn wake() {
    WAKE.notify_one();
}

/// Resolves at the next [`wake`] (or at once if one came since the last call).
pub async fn woken() {
    WAKE.notified().await;
}
