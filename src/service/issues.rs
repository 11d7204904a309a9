//! Issues: failures counted per (subject, error code) while open; a new one is announced as
//! `account.issue.created`. Recording never fails the request that failed: a store error is logged.
//!
//! Closing at a success costs a write, so a replica closes a subject's issues at most once per
//! [`RECHECK`] — at once after it counted a failure of that subject itself; a failure counted by
//! another replica is closed by a success here within [`RECHECK`].

use std::num::NonZeroUsize;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use uuid::Uuid;

use crate::store::{Occurrence, Store};
use crate::webhooks::{outbox, Event};

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
    match store.issues().record(o).await {
        Ok((issue, true)) => {
            tracing::info!(issue.id = %issue.id, error_code = %o.error_code, "issue opened");
            let event =
                Event::issue_created(o.consumer, issue.id, o.subject, &o.error_code, o.level);
            if let Err(e) = outbox::publish(store, o.account, &event).await {
                tracing::warn!(error = %e, "announcing an issue failed");
            }
        }
        Ok((_, false)) => {}
        Err(e) => tracing::warn!(error = %e, "recording an issue failed"),
    }
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
