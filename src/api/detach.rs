//! Writes run on their own task: a client that goes away, or the gateway's request timeout,
//! stops the wait for the answer, not the write, which runs to its recorded outcome.

use std::future::Future;

use crate::error::{AppError, Result};

/// Runs `write` on its own task and waits for it.
pub async fn detached<T: Send + 'static>(
    write: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    tokio::spawn(write)
        .await
        .map_err(|e| AppError::Internal(format!("a write's task ended: {e}")))?
}
