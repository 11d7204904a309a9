//! Issues: failures counted per (subject, error code) while open; a new one is announced as
//! `account.issue.created` in the transaction that opens it (both commit, or neither does).
//! Recording never fails the request that failed: a store error is logged. Here, below the
//! service layer, because both the API's failures and the delivery worker's are recorded.
//!
//! Closing at a success costs a write, so a replica closes a subject's issues at most once per
//! [`RECHECK`] — at once after it counted a failure of that subject itself; a failure counted by
//! another replica is closed by a success here within [`RECHECK`].

use std::num::NonZeroUsize;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use uuid::Uuid;

use super::{outbox, Event};
use crate::store::{Issues, Occurrence, Store, StoreError};

/// How long a success spares the next ones the closing write.
const RECHECK: Duration = Duration::from_secs(5);
/// Subjects whose last closing this process remembers.
const REMEMBERED: NonZeroUsize = NonZeroUsize::new(1 << 16).expect("not zero");

static CLOSED: LazyLock<Mutex<LruCache<(Uuid, Uuid), Instant>>> =
    LazyLock::new(|| Mutex::new(LruCache::new(REMEMBERED)));

fn closed() -> std::sync::MutexGuard<'static, LruCache<(Uuid, Uuid), Instant>> {
    CLOSED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Counts a failure; opens (and announces) an issue when the subject has none open for its code.
pub async fn record(store: &Store, o: &Occurrence) {
    closed().pop(&(o.account, o.subject));
    if let Err(e) = try_record(store, o).await {
        tracing::warn!(error = %e, "recording an issue failed");
    }
}

async fn try_record(store: &Store, o: &Occurrence) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let (issue_id, created) = Issues::record(&mut tx, o).await?;
    if !created {
        tx.commit().await?;
        return Ok(());
    }
    let event = Event::issue_created(o.consumer, issue_id, o.subject, &o.error_code, o.level);
    outbox::commit_with(tx, o.account, &event).await?;
    tracing::info!(issue.id = %issue_id, error_code = %o.error_code, "issue opened");
    Ok(())
}

/// The subject succeeded: its open issues close.
pub async fn resolved(store: &Store, account: Uuid, subject: Uuid) {
    {
        let mut closed = closed();
        if closed.get(&(account, subject)).is_some_and(|at| at.elapsed() < RECHECK) {
            return;
        }
        closed.put((account, subject), Instant::now());
    }
    if let Err(e) = store.issues().close(account, subject).await {
        tracing::warn!(error = %e, "closing issues failed");
    }
}
