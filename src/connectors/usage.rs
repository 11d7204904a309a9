//! What one request spent of its upstream budget: how long its calls queued in the rate governor
//! and how much of the token's budget was left after its last call, for its response headers. A
//! task-local tally, like [`super::raw`].

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

tokio::task_local! {
    static TALLY: Arc<Mutex<Usage>>;
}

/// The upstream budget a request used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Calls that went through the governor.
    pub calls: u32,
    /// Their time in the governor's queue, summed.
    pub waited: Duration,
    /// The token's rate slots left after the last call.
    pub remaining: Option<u32>,
}

/// Runs `f`, tallying the governed calls it makes.
pub async fn measure<F: Future>(f: F) -> (F::Output, Usage) {
    let tally = Arc::new(Mutex::new(Usage::default()));
    let out = TALLY.scope(tally.clone(), f).await;
    let usage = *tally.lock().unwrap_or_else(|p| p.into_inner());
    (out, usage)
}

/// `f`, its calls counted in the tally of the request running now (for work moved to a task of
/// its own, where the request's tally would not be seen).
pub fn carried<F: Future>(f: F) -> impl Future<Output = F::Output> {
    let tally = TALLY.try_with(Arc::clone).ok();
    async move {
        match tally {
            Some(tally) => TALLY.scope(tally, f).await,
            None => f.await,
        }
    }
}

/// Adds one governed call (a no-op outside [`measure`]).
pub fn record(waited: Duration, remaining: u32) {
    let _ = TALLY.try_with(|tally| {
        let mut usage = tally.lock().unwrap_or_else(|p| p.into_inner());
        usage.calls += 1;
        usage.waited += waited;
        usage.remaining = Some(remaining);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_inside_a_measure_are_summed() {
        record(Duration::from_secs(9), 9);
        let ((), usage) = measure(async {
            record(Duration::from_millis(20), 5);
            record(Duration::from_millis(30), 4);
        })
        .await;
        let expected = Usage { calls: 2, waited: Duration::from_millis(50), remaining: Some(4) };
        assert_eq!(usage, expected);
    }

    #[tokio::test]
    async fn calls_of_a_task_carried_from_a_measure_are_counted_in_it() {
        let ((), usage) = measure(async {
            let task = tokio::spawn(carried(async { record(Duration::from_millis(7), 3) }));
            task.await.unwrap();
        })
        .await;
        assert_eq!(usage.calls, 1);
        assert_eq!(usage.remaining, Some(3));
    }
}
