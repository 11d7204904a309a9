//! When the calls of a write must have started by: a write that would only get its upstream
//! budget later gives up before sending anything, rather than being cut by the request timeout
//! (or sending after its client stopped waiting). A task-local, set around a write.

use std::future::Future;
use std::time::{Duration, Instant};

/// The instant after which a write sends nothing new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendBy(pub Instant);

tokio::task_local! {
    static SEND_BY: SendBy;
}

/// Runs `f` with its upstream calls bound by `by` (unbound when `None`).
pub async fn within<F: Future>(by: Option<SendBy>, f: F) -> F::Output {
    match by {
        Some(by) => SEND_BY.scope(by, f).await,
        None => f.await,
    }
}

/// The bound of the running write, if any.
pub fn current() -> Option<Instant> {
    SEND_BY.try_with(|by| by.0).ok()
}

/// Whether waiting `wait` from now would pass the bound.
pub fn passed_after(wait: Duration) -> bool {
    current().is_some_and(|by| Instant::now() + wait > by)
}
