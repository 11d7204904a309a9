//! Writes run on their own task: a client that goes away, or the gateway's request timeout,
//! stops the wait for the answer, not the write, which runs to its recorded outcome.

use std::future::Future;

use tracing::Instrument;

use crate::connectors::usage;
use crate::error::{AppError, Result};

/// Runs `write` on its own task, in the request's span and budget tally, and waits for it.
pub async fn detached<T: Send + 'static>(
    write: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    tokio::spawn(usage::carried(write).instrument(tracing::Span::current()))
        .await
        .map_err(|e| AppError::Internal(format!("a write's task ended: {e}")))?
}
