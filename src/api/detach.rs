//! Writes run on their own task: a client that goes away, or the gateway's request timeout,
//! stops the wait for the answer, not the write, which runs to its recorded outcome.

use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;

use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::connectors::usage;
use crate::error::{AppError, Result};

/// The writes running in this process, so that shutdown can let them finish.
static WRITES: LazyLock<TaskTracker> = LazyLock::new(TaskTracker::new);

/// Runs `write` on its own task, in the request's span and budget tally, and waits for it.
pub async fn detached<T: Send + 'static>(
    write: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    WRITES
        .spawn(usage::carried(write).instrument(tracing::Span::current()))
        .await
        .map_err(|e| AppError::Internal(format!("a write's task ended: {e}")))?
}

/// At shutdown, once no request is served any more: waits (at most `within`) for the writes still
/// running, whose clients may be gone, so that each reaches its recorded outcome. Says whether
/// they all did.
pub async fn finish_writes(within: Duration) -> bool {
    WRITES.close();
    tokio::time::timeout(within, WRITES.wait()).await.is_ok()
}
