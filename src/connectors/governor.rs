//! Keeps every upstream token within its budget — N calls per sliding window, M concurrent calls
//! per route — across every gateway process sharing the database. Budgets are leases on numbered
//! slots held in a shared store: a call takes a free slot before it is sent.
//!
//! The upstream counts calls when they arrive, which is some time between our send and its answer.
//! So a rate slot is held while its call is in flight, then for a whole window after the answer:
//! two calls through one slot always arrive at least a window apart, whatever the latency, and no
//! window ever sees more than N calls. A concurrency slot is handed back when its call ends. Leases
//! taken by a process that dies expire on their own. Callers that find no free slot wait and try
//! again: they queue, they do not fail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

/// A shared table of slot leases (implemented over the gateway's database).
#[async_trait]
pub trait SlotLeases: Send + Sync {
    /// Takes one of `slots` free slots of `bucket` until `now_ms + lease_ms`. `Ok(Err(at))` when all
    /// are held: `at` is when the first one frees up.
    async fn try_acquire(
        &self,
        bucket: &str,
        slots: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Result<u32, i64>, String>;

    /// Sets when a held slot frees up (now, to release it).
    async fn hold_until(&self, bucket: &str, slot: u32, until_ms: i64) -> Result<(), String>;
}

#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub calls: u32,
    pub window: Duration,
    /// Added to the window after each answer, for clock differences between hosts.
    pub margin: Duration,
    pub concurrent_per_route: u32,
    /// How long a call may be in flight: its slots' lease until it answers (a crashed process's
    /// slots free up after this).
    pub max_call: Duration,
}

impl Budget {
    /// MyUnisoft: 20 calls per 10 s and 10 concurrent calls per route, per token.
    pub const MYUNISOFT: Budget = Budget {
        calls: 20,
        window: Duration::from_secs(10),
        margin: Duration::from_millis(100),
        concurrent_per_route: 10,
        max_call: Duration::from_secs(120),
    };
}

/// A granted call: hand it back with [`Governor::done`] when the call is over. A permit dropped
/// without that (its request was cancelled mid-call) frees its slots in the background.
pub struct Permit {
    rate: (String, u32),
    concurrency: (String, u32),
    /// How long the caller queued.
    pub waited: Duration,
    leases: Arc<dyn SlotLeases>,
    /// The rate slot's hold after the answer.
    window_ms: i64,
    released: bool,
}

impl Permit {
    async fn release(mut self) {
        self.released = true;
        free_slots(
            self.leases.clone(),
            self.concurrency.clone(),
            self.rate.clone(),
            self.window_ms,
        )
        .await;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (leases, conc, rate, window) =
                (self.leases.clone(), self.concurrency.clone(), self.rate.clone(), self.window_ms);
            runtime.spawn(free_slots(leases, conc, rate, window));
        }
    }
}

/// The concurrency slot is free now, the rate slot a window from now.
async fn free_slots(
    leases: Arc<dyn SlotLeases>,
    conc: (String, u32),
    rate: (String, u32),
    window_ms: i64,
) {
    let now = now_ms();
    hold(leases.as_ref(), &conc.0, conc.1, now).await;
    hold(leases.as_ref(), &rate.0, rate.1, now.saturating_add(window_ms)).await;
}

async fn hold(leases: &dyn SlotLeases, bucket: &str, slot: u32, until_ms: i64) {
    if let Err(e) = leases.hold_until(bucket, slot, until_ms).await {
        tracing::warn!(error = %e, "slot lease not updated; it expires on its own");
    }
}

#[derive(Clone)]
pub struct Governor {
    leases: Arc<dyn SlotLeases>,
    budget: Budget,
}

/// The bucket name of a token: a hash, so that no token is ever stored.
pub fn token_key(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Governor {
    pub fn new(leases: Arc<dyn SlotLeases>, budget: Budget) -> Self {
        Self { leases, budget }
    }

    /// Waits for a concurrency slot for `route` of the token `key`, then for a rate slot.
    /// `Ok(Err(retry_in))` when a slot would free up only after `deadline`: nothing is held then.
    pub async fn acquire(
        &self,
        key: &str,
        route: &str,
        deadline: Option<Instant>,
    ) -> Result<Result<Permit, Duration>, String> {
        let started = Instant::now();
        let conc = format!("conc:{key}:{route}");
        let max_call = self.budget.max_call;
        let conc_slot =
            match self.wait_for(&conc, self.budget.concurrent_per_route, max_call, deadline).await?
            {
                Ok(slot) => slot,
                Err(late) => return Ok(Err(late)),
            };
        let rate = format!("rate:{key}");
        let waited = self.wait_for(&rate, self.budget.calls, max_call, deadline).await;
        let rate_slot = match waited {
            Ok(Ok(slot)) => slot,
            Ok(Err(late)) => {
                hold(self.leases.as_ref(), &conc, conc_slot, now_ms()).await;
                return Ok(Err(late));
            }
            Err(e) => {
                hold(self.leases.as_ref(), &conc, conc_slot, now_ms()).await;
                return Err(e);
            }
        };
        let window = self.budget.window + self.budget.margin;
        Ok(Ok(Permit {
            rate: (rate, rate_slot),
            concurrency: (conc, conc_slot),
            waited: started.elapsed(),
            leases: self.leases.clone(),
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
            released: false,
        }))
    }

    /// A slot of `bucket`; `Ok(Err(retry_in))` once the first to free up would do so after
    /// `deadline`.
    async fn wait_for(
        &self,
        bucket: &str,
        slots: u32,
        lease: Duration,
        deadline: Option<Instant>,
    ) -> Result<Result<u32, Duration>, String> {
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        loop {
            let now = now_ms();
            match self.leases.try_acquire(bucket, slots, now, lease_ms).await? {
                Ok(slot) => return Ok(Ok(slot)),
                Err(free_at) => {
                    let free_in = Duration::from_millis(u64::try_from(free_at - now).unwrap_or(0));
                    if deadline.is_some_and(|d| Instant::now() + free_in > d) {
                        return Ok(Err(free_in));
                    }
                    let wait = u64::try_from(free_at - now).unwrap_or(0).clamp(5, 1_000);
                    let jitter = fastrand::u64(0..=wait / 4 + 5);
                    tokio::time::sleep(Duration::from_millis(wait + jitter)).await;
                }
            }
        }
    }

    /// The call has answered: its concurrency slot is free now, its rate slot a window later.
    pub async fn done(&self, permit: Permit) {
        permit.release().await;
    }
}

/// The lease rules in memory, for tests of the governor and of what calls through it.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct MemoryLeases(std::sync::Mutex<std::collections::HashMap<(String, u32), i64>>);

#[cfg(test)]
#[async_trait]
impl SlotLeases for MemoryLeases {
    async fn try_acquire(
        &self,
        bucket: &str,
        slots: u32,
        now: i64,
        lease: i64,
    ) -> Result<Result<u32, i64>, String> {
        let mut map = self.0.lock().map_err(|e| e.to_string())?;
        let held = |s: u32| map.get(&(bucket.to_owned(), s)).copied().unwrap_or(0);
        match (0..slots).find(|s| held(*s) <= now) {
            Some(s) => {
                map.insert((bucket.to_owned(), s), now + lease);
                Ok(Ok(s))
            }
            None => Ok(Err((0..slots).map(held).min().unwrap_or(now))),
        }
    }

    async fn hold_until(&self, bucket: &str, slot: u32, until: i64) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.insert((bucket.to_owned(), slot), until);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancelled_call_frees_its_concurrency_slot() {
        let budget = Budget { concurrent_per_route: 1, ..Budget::MYUNISOFT };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        let permit = governor.acquire("k", "/r", None).await.unwrap().unwrap();
        drop(permit);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let again =
            tokio::time::timeout(Duration::from_secs(1), governor.acquire("k", "/r", None)).await;
        assert!(again.is_ok(), "the slot came back without `done`");
    }

    #[tokio::test]
    async fn callers_beyond_the_budget_queue_until_a_slot_frees() {
        let budget = Budget {
            calls: 3,
            window: Duration::from_millis(200),
            margin: Duration::ZERO,
            concurrent_per_route: 10,
            max_call: Duration::from_secs(5),
        };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        let started = Instant::now();
        for _ in 0..6 {
            let permit = governor.acquire("k", "/r", None).await.unwrap().unwrap();
            governor.done(permit).await;
        }
        // Three calls, then a window later three more: never more than three per window.
        assert!(started.elapsed() >= Duration::from_millis(200));
    }

    #[tokio::test]
    async fn a_call_whose_slot_frees_after_its_deadline_gives_up_at_once() {
        let budget = Budget { calls: 1, concurrent_per_route: 1, ..Budget::MYUNISOFT };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        let first = governor.acquire("k", "/r", None).await.unwrap().unwrap();
        governor.done(first).await;
        let soon = Instant::now() + Duration::from_secs(1);
        let late = governor.acquire("k", "/other", Some(soon)).await.unwrap();
        let retry_in = late.err().expect("the rate slot frees a window later");
        assert!(retry_in > Duration::from_secs(9), "{retry_in:?}");
        assert!(Instant::now() < soon, "it did not wait for the deadline");
    }

    #[test]
    fn token_keys_hide_the_token() {
        let key = token_key("secret-token");
        assert_eq!(key.len(), 24);
        assert!(!key.contains("secret"));
        assert_eq!(key, token_key("secret-token"));
    }
}
