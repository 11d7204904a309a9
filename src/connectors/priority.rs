//! Whose upstream call this is: a live request's, or background work's (the data layer's syncs).
//! Background calls yield to live ones in the rate governor. A task-local, set around a sync.

use std::future::Future;

/// How a call competes for its token's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A request someone is waiting for.
    Live,
    /// Work nobody waits for: it takes a slot only when no live call of its token waits here,
    /// and leaves a reserve of free slots for live calls of other processes.
    Background,
}

impl Priority {
    /// The metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Live => "live",
            Priority::Background => "background",
        }
    }
}

tokio::task_local! {
    static BACKGROUND: ();
}

/// Runs `f` with its upstream calls at background priority.
pub async fn background<F: Future>(f: F) -> F::Output {
    BACKGROUND.scope((), f).await
}

/// The priority of the running task's calls.
pub fn current() -> Priority {
    match BACKGROUND.try_with(|()| ()) {
        Ok(()) => Priority::Background,
        Err(_) => Priority::Live,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_are_live_unless_run_in_the_background() {
        assert_eq!(current(), Priority::Live);
        assert_eq!(background(async { current() }).await, Priority::Background);
        let task = tokio::spawn(async { current() });
        assert_eq!(task.await.unwrap(), Priority::Live, "a spawned task starts live");
    }
}
