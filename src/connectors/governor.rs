//! Keeps every upstream token within its budget — N calls per sliding window, M concurrent calls
//! per route — across every gateway process sharing the database. Budgets are leases on numbered
//! slots held in a shared store: a call takes a free slot before it is sent.
//!
//! The upstream counts calls when they arrive, which is some time between our send and its answer.
//! So a rate slot is held while its call is in flight, then for a whole window after the answer:
//! two calls through one slot always arrive at least a window apart, whatever the latency, and no
//! window ever sees more than N calls. A concurrency slot is handed back when its call ends. Leases
//! taken by a process that dies expire on their own.
//!
//! Callers that find no free slot queue, in this process, in one line per bucket: only the head
//! of a line asks the store again (when the first slot frees up, or when a call of this process
//! hands its concurrency slot back), the others wait their turn without any query. A line is
//! bounded: past [`Budget::max_queued`] callers of one token, or when the wait ahead is longer than
//! [`Budget::max_wait`], a caller is refused at once with the time to come back.
//!
//! Background calls (the data layer's syncs, see [`super::priority`]) yield to live ones: they
//! stand in no line, take no slot while a live caller of their token waits in this process, and
//! take a rate slot only when that leaves [`Budget::background_reserve`] slots free, so that live
//! calls of other processes find slots free too. They also keep the budget's own pace (one call
//! per window / calls): their slots then free up one by one, never all at once a window after a
//! burst, and live calls arriving meanwhile find some.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use super::priority::Priority;

/// A slot taken, and how many of its bucket were still free beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub slot: u32,
    pub free: u32,
}

/// A shared table of slot leases (implemented over the gateway's database).
#[async_trait]
pub trait SlotLeases: Send + Sync {
    /// Takes one of `slots` free slots of `bucket` until `now_ms + lease_ms`, when more than
    /// `keep_free` are free (the check and the take at once). `Ok(Err(at))` otherwise: `at` is
    /// when the first held one frees up.
    async fn try_acquire(
        &self,
        bucket: &str,
        slots: u32,
        keep_free: u32,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Result<Grant, i64>, String>;

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
    /// Callers of one token that may wait in this process; the next one is refused.
    pub max_queued: u32,
    /// The longest a caller may wait for its slots (the request's own time limit): a caller
    /// whose wait would be longer is refused at once.
    pub max_wait: Duration,
    /// Rate slots a background call leaves free for live calls.
    pub background_reserve: u32,
}

impl Budget {
    /// MyUnisoft: 20 calls per 10 s and 10 concurrent calls per route, per token.
    pub const MYUNISOFT: Budget = Budget {
        calls: 20,
        window: Duration::from_secs(10),
        margin: Duration::from_millis(100),
        concurrent_per_route: 10,
        max_call: Duration::from_secs(120),
        max_queued: 100,
        max_wait: Duration::from_secs(30),
        background_reserve: 4,
    };

    /// How long a rate slot stays taken after its call answered.
    fn hold(&self) -> Duration {
        self.window + self.margin
    }

    /// The reserve, less than the whole budget (background work must be able to run).
    fn reserve(&self) -> u32 {
        self.background_reserve.min(self.calls.saturating_sub(1))
    }
}

/// Why [`Governor::acquire`] gave no permit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{queued} calls of this token are already waiting")]
    QueueFull { queued: u32, retry_after: Duration },
    #[error("the wait for a slot would last about {} s, longer than a request may", wait.as_secs())]
    TooLong { wait: Duration },
    #[error("slot store: {0}")]
    Store(String),
}

impl Refusal {
    /// When to come back, for a refusal that is about the queue.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Refusal::QueueFull { retry_after, .. } => Some(*retry_after),
            Refusal::TooLong { wait } => Some(*wait),
            Refusal::Store(_) => None,
        }
    }
}

/// A granted call: hand it back with [`Governor::done`] when the call is over. A permit dropped
/// without that (its request was cancelled mid-call) frees its slots in the background.
pub struct Permit {
    rate: (String, u32),
    concurrency: (String, u32),
    /// How long the caller queued (zero when slots were free at once).
    pub waited: Duration,
    /// The token's rate slots still free when this one was taken (across every process).
    pub remaining: u32,
    leases: Arc<dyn SlotLeases>,
    /// The line of the concurrency bucket, told when the slot comes back.
    line: Arc<Line>,
    /// The rate slot's hold after the answer.
    window_ms: i64,
    released: bool,
}

impl Permit {
    fn freeing(&mut self) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.released = true;
        let (leases, line) = (self.leases.clone(), self.line.clone());
        let (conc, rate, window_ms) = (self.concurrency.clone(), self.rate.clone(), self.window_ms);
        async move {
            // The concurrency slot is free now, the rate slot a window from now.
            let now = now_ms();
            hold(leases.as_ref(), &conc.0, conc.1, now).await;
            line.freed.notify_one();
            hold(leases.as_ref(), &rate.0, rate.1, now.saturating_add(window_ms)).await;
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(self.freeing());
        }
    }
}

async fn hold(leases: &dyn SlotLeases, bucket: &str, slot: u32, until_ms: i64) {
    if let Err(e) = leases.hold_until(bucket, slot, until_ms).await {
        tracing::warn!(error = %e, "slot lease not updated; it expires on its own");
    }
}

/// The callers of one bucket waiting in this process: whoever holds `head` asks the store.
#[derive(Default)]
struct Line {
    head: tokio::sync::Mutex<()>,
    /// A concurrency slot of this process came back.
    freed: Notify,
}

/// The lines and queue lengths of this process, by bucket and by token; an entry lives while
/// someone is in it.
#[derive(Default)]
struct Queues {
    lines: HashMap<String, (Arc<Line>, u32)>,
    queued: HashMap<String, u32>,
    /// When each token's last background call was granted.
    background: HashMap<String, Instant>,
}

impl Queues {
    /// Whether a live caller of `key` is waiting for its slots.
    fn live_waiting(&self, key: &str) -> bool {
        self.queued.contains_key(key)
    }
}

/// A caller's place in its token's queue and in a bucket's line, given back on drop.
struct Place {
    queues: Arc<Mutex<Queues>>,
    token: String,
    buckets: Vec<String>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        leave(&mut queues.queued, &self.token);
        for bucket in &self.buckets {
            if let Some((_, n)) = queues.lines.get_mut(bucket) {
                *n -= 1;
                if *n == 0 {
                    queues.lines.remove(bucket);
                }
            }
        }
    }
}

fn leave(counts: &mut HashMap<String, u32>, key: &str) {
    if let Some(n) = counts.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            counts.remove(key);
        }
    }
}

#[derive(Clone)]
pub struct Governor {
    leases: Arc<dyn SlotLeases>,
    budget: Budget,
    queues: Arc<Mutex<Queues>>,
}

/// The bucket name of a token: a hash, so that no token is ever stored.
pub fn token_key(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// How often a background caller looks again while a live caller of its token waits.
const YIELDING: Duration = Duration::from_millis(20);

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The time from `now_ms` until `at_ms` (zero when past).
fn until(at_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(at_ms.saturating_sub(now_ms)).unwrap_or(0))
}

impl Governor {
    pub fn new(leases: Arc<dyn SlotLeases>, budget: Budget) -> Self {
        Self { leases, budget, queues: Arc::default() }
    }

    /// Waits for a concurrency slot for `route` of the token `key`, then for a rate slot; refuses
    /// at once when the token's queue is full or the wait would outlast [`Budget::max_wait`] or
    /// `deadline` (when the call must have been sent by then). A background call yields to live
    /// ones (see the module's doc).
    pub async fn acquire(
        &self,
        key: &str,
        route: &str,
        deadline: Option<Instant>,
        priority: Priority,
    ) -> Result<Permit, Refusal> {
        if priority == Priority::Background {
            return self.acquire_background(key, route, deadline).await;
        }
        let started = Instant::now();
        let limit = started + self.budget.max_wait;
        let limit = deadline.map_or(limit, |d| d.min(limit));
        let mut place = self.enqueue(key)?;
        let conc = format!("conc:{key}:{route}");
        let conc_line = self.join(&mut place, &conc);
        let (conc_slot, mut queued) =
            self.wait_for(&conc_line, &conc, self.budget.concurrent_per_route, limit, 0).await?;
        let rate = format!("rate:{key}");
        let rate_line = self.join(&mut place, &rate);
        // Each full round of the budget ahead in the line costs a window.
        let ahead = self.waiting(&rate).saturating_sub(1) / self.budget.calls.max(1);
        let rate_slot =
            match self.wait_for(&rate_line, &rate, self.budget.calls, limit, ahead).await {
                Ok((grant, waited)) => {
                    queued |= waited;
                    grant
                }
                Err(e) => {
                    hold(self.leases.as_ref(), &conc, conc_slot.slot, now_ms()).await;
                    conc_line.freed.notify_one();
                    return Err(e);
                }
            };
        let waited = if queued { started.elapsed() } else { Duration::ZERO };
        Ok(self.permit((rate_slot, conc_slot), (conc, rate), waited))
    }

    /// A background call's slots: taken only while no live caller of `key` waits here, at the
    /// budget's pace, the rate slot only when [`Budget::reserve`] others stay free. It waits as
    /// long as that takes, within `deadline`, asking the store at most once per freed slot (or
    /// every second).
    async fn acquire_background(
        &self,
        key: &str,
        route: &str,
        deadline: Option<Instant>,
    ) -> Result<Permit, Refusal> {
        let started = Instant::now();
        let (conc, rate) = (format!("conc:{key}:{route}"), format!("rate:{key}"));
        loop {
            let next_try = if self.live_waiting(key) {
                YIELDING
            } else if let Some(wait) = self.pace_wait(key) {
                wait
            } else {
                match self.try_background(&conc, &rate).await? {
                    Ok(slots) => {
                        self.paced(key);
                        return Ok(self.permit(slots, (conc, rate), started.elapsed()));
                    }
                    Err(wait) => wait,
                }
            };
            let wait = next_try.clamp(YIELDING, Duration::from_secs(1));
            if deadline.is_some_and(|d| Instant::now() + wait > d) {
                return Err(Refusal::TooLong { wait: wait.max(Duration::from_secs(1)) });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One try at a background call's slots: its (rate, concurrency) slots, or how long until
    /// one may free up.
    async fn try_background(
        &self,
        conc: &str,
        rate: &str,
    ) -> Result<Result<(Grant, Grant), Duration>, Refusal> {
        let b = &self.budget;
        let (now, lease_ms) = (now_ms(), millis(b.max_call));
        let taken = self.leases.try_acquire(conc, b.concurrent_per_route, 0, now, lease_ms).await;
        let conc_slot = match taken.map_err(Refusal::Store)? {
            Ok(slot) => slot,
            Err(free_at) => return Ok(Err(until(free_at, now))),
        };
        let taken = self.leases.try_acquire(rate, b.calls, b.reserve(), now, lease_ms).await;
        if !matches!(taken, Ok(Ok(_))) {
            // No call was made: the concurrency slot is free again at once.
            hold(self.leases.as_ref(), conc, conc_slot.slot, now_ms()).await;
        }
        match taken.map_err(Refusal::Store)? {
            Ok(rate_slot) => Ok(Ok((rate_slot, conc_slot))),
            Err(free_at) => Ok(Err(until(free_at, now))),
        }
    }

    fn live_waiting(&self, key: &str) -> bool {
        self.queues.lock().unwrap_or_else(|p| p.into_inner()).live_waiting(key)
    }

    /// The time between two background calls of one token: the budget's own pace.
    fn pace(&self) -> Duration {
        self.budget.window / self.budget.calls.max(1)
    }

    /// How long until `key`'s next background call keeps the budget's pace (`None`: now).
    fn pace_wait(&self, key: &str) -> Option<Duration> {
        let queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let last = queues.background.get(key)?;
        self.pace().checked_sub(last.elapsed()).filter(|wait| !wait.is_zero())
    }

    /// Notes a background call of `key` granted now (forgetting tokens whose pace is kept).
    fn paced(&self, key: &str) {
        let pace = self.pace();
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        queues.background.retain(|_, last| last.elapsed() < pace);
        queues.background.insert(key.to_owned(), Instant::now());
    }

    /// The permit of a call given its (rate, concurrency) slots and their buckets.
    fn permit(
        &self,
        (rate_slot, conc_slot): (Grant, Grant),
        (conc, rate): (String, String),
        waited: Duration,
    ) -> Permit {
        let line = self.line_of(&conc);
        Permit {
            rate: (rate, rate_slot.slot),
            concurrency: (conc, conc_slot.slot),
            waited,
            remaining: rate_slot.free,
            leases: self.leases.clone(),
            line,
            window_ms: millis(self.budget.hold()),
            released: false,
        }
    }

    /// The line of `bucket` in this process (a line nobody stands in when there is none).
    fn line_of(&self, bucket: &str) -> Arc<Line> {
        let queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        queues.lines.get(bucket).map_or_else(Arc::default, |(line, _)| line.clone())
    }

    /// A place in `key`'s queue, or a refusal when it is full.
    fn enqueue(&self, key: &str) -> Result<Place, Refusal> {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let queued = queues.queued.entry(key.to_owned()).or_insert(0);
        if *queued >= self.budget.max_queued {
            let queued = *queued;
            // The queue drains at the budget's pace.
            let rounds = queued / self.budget.calls.max(1) + 1;
            let retry_after = self.budget.hold().saturating_mul(rounds);
            return Err(Refusal::QueueFull { queued, retry_after });
        }
        *queued += 1;
        Ok(Place { queues: self.queues.clone(), token: key.to_owned(), buckets: vec![] })
    }

    /// Puts `place` in the line of `bucket`.
    fn join(&self, place: &mut Place, bucket: &str) -> Arc<Line> {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let (line, n) = queues.lines.entry(bucket.to_owned()).or_default();
        *n += 1;
        place.buckets.push(bucket.to_owned());
        line.clone()
    }

    fn waiting(&self, bucket: &str) -> u32 {
        let queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        queues.lines.get(bucket).map_or(0, |(_, n)| *n)
    }

    /// Takes a slot of `bucket` once at the head of its line. `rounds` windows are expected to
    /// pass before then (for the rate bucket): a caller refused at once when that, plus the
    /// wait for the first slot, would go past `limit`. Says whether the caller had to wait
    /// (behind others, or for a slot).
    async fn wait_for(
        &self,
        line: &Line,
        bucket: &str,
        slots: u32,
        limit: Instant,
        rounds: u32,
    ) -> Result<(Grant, bool), Refusal> {
        self.within(limit, self.budget.hold().saturating_mul(rounds))?;
        let (_head, mut queued) = match line.head.try_lock() {
            Ok(head) => (head, false),
            Err(_) => match tokio::time::timeout_at(limit.into(), line.head.lock()).await {
                Ok(head) => (head, true),
                Err(_) => return Err(Refusal::TooLong { wait: self.budget.hold() }),
            },
        };
        // The turn may have come too late.
        self.within(limit, Duration::ZERO)?;
        let lease_ms = millis(self.budget.max_call);
        // A bucket seen for the first time has just been created: ask again at once, once.
        let mut asked_again = false;
        loop {
            let now = now_ms();
            let free_at = match self.leases.try_acquire(bucket, slots, 0, now, lease_ms).await {
                Ok(Ok(grant)) => return Ok((grant, queued)),
                Ok(Err(free_at)) => free_at,
                Err(e) => return Err(Refusal::Store(e)),
            };
            let until = until(free_at, now);
            if until.is_zero() && !asked_again {
                asked_again = true;
                continue;
            }
            // A slot held by a call in flight frees when it answers: never count more than a
            // window for it.
            self.within(limit, until.min(self.budget.hold()))?;
            queued = true;
            let wait = until.clamp(Duration::from_millis(5), Duration::from_secs(1));
            let jitter = Duration::from_millis(fastrand::u64(0..=wait.as_millis() as u64 / 4 + 5));
            tokio::select! {
                () = tokio::time::sleep(wait + jitter) => {}
                () = line.freed.notified() => {}
            }
        }
    }

    /// Refuses a caller that expects to wait `more`, when that goes past `limit`.
    fn within(&self, limit: Instant, more: Duration) -> Result<(), Refusal> {
        if Instant::now() + more > limit {
            return Err(Refusal::TooLong { wait: more.max(Duration::from_secs(1)) });
        }
        Ok(())
    }

    /// The call has answered: its concurrency slot is free now, its rate slot a window later.
    pub async fn done(&self, mut permit: Permit) {
        permit.freeing().await;
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
        keep_free: u32,
        now: i64,
        lease: i64,
    ) -> Result<Result<Grant, i64>, String> {
        let mut map = self.0.lock().map_err(|e| e.to_string())?;
        let held = |s: u32| map.get(&(bucket.to_owned(), s)).copied().unwrap_or(0);
        let free = (0..slots).filter(|s| held(*s) <= now).count() as u32;
        match (0..slots).find(|s| held(*s) <= now).filter(|_| free > keep_free) {
            Some(s) => {
                map.insert((bucket.to_owned(), s), now + lease);
                Ok(Ok(Grant { slot: s, free: free - 1 }))
            }
            None => {
                let next = (0..slots).map(held).filter(|at| *at > now).min();
                Ok(Err(next.unwrap_or(now)))
            }
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

    const LIVE: Priority = Priority::Live;

    #[tokio::test]
    async fn a_cancelled_call_frees_its_concurrency_slot() {
        let budget = Budget { concurrent_per_route: 1, ..Budget::MYUNISOFT };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        let permit = governor.acquire("k", "/r", None, LIVE).await.unwrap();
        drop(permit);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let again =
            tokio::time::timeout(Duration::from_secs(1), governor.acquire("k", "/r", None, LIVE))
                .await;
        assert!(again.is_ok(), "the slot came back without `done`");
    }

    /// Three calls per 200 ms.
    const SMALL: Budget = Budget {
        calls: 3,
        window: Duration::from_millis(200),
        margin: Duration::ZERO,
        concurrent_per_route: 10,
        max_call: Duration::from_secs(5),
        max_queued: 100,
        max_wait: Duration::from_secs(30),
        background_reserve: 1,
    };

    /// Memory leases that count the store's `try_acquire` queries.
    #[derive(Default)]
    struct Counted(MemoryLeases, std::sync::atomic::AtomicU32);

    #[async_trait]
    impl SlotLeases for Counted {
        async fn try_acquire(
            &self,
            bucket: &str,
            slots: u32,
            keep_free: u32,
            now: i64,
            lease: i64,
        ) -> Result<Result<Grant, i64>, String> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.0.try_acquire(bucket, slots, keep_free, now, lease).await
        }

        async fn hold_until(&self, bucket: &str, slot: u32, until: i64) -> Result<(), String> {
            self.0.hold_until(bucket, slot, until).await
        }
    }

    #[tokio::test]
    async fn callers_beyond_the_budget_queue_until_a_slot_frees() {
        let governor = Governor::new(Arc::new(MemoryLeases::default()), SMALL);
        let started = Instant::now();
        for _ in 0..6 {
            let permit = governor.acquire("k", "/r", None, LIVE).await.unwrap();
            governor.done(permit).await;
        }
        // Three calls, then a window later three more: never more than three per window.
        assert!(started.elapsed() >= Duration::from_millis(200));
    }

    #[tokio::test]
    async fn waiting_callers_leave_the_store_alone_until_their_turn() {
        let leases = Arc::new(Counted::default());
        let budget = Budget { calls: 1, window: Duration::from_millis(50), ..SMALL };
        let governor = Governor::new(leases.clone(), budget);
        let callers: Vec<_> = (0..8)
            .map(|_| {
                let governor = governor.clone();
                tokio::spawn(async move {
                    let permit = governor.acquire("k", "/r", None, LIVE).await.unwrap();
                    governor.done(permit).await;
                })
            })
            .collect();
        for caller in callers {
            caller.await.unwrap();
        }
        // Two buckets per call, plus the head's look when the rate slot is still held: callers
        // behind the head asked nothing.
        let queries = leases.1.load(std::sync::atomic::Ordering::SeqCst);
        assert!(queries <= 8 * 3 + 2, "{queries} store queries for 8 calls");
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_with_a_time_to_come_back() {
        let budget = Budget { calls: 1, window: Duration::from_secs(5), max_queued: 2, ..SMALL };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        let held = governor.acquire("k", "/r", None, LIVE).await.unwrap();
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let governor = governor.clone();
                tokio::spawn(
                    async move { governor.acquire("k", "/r", None, LIVE).await.map(|_| ()) },
                )
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let refused = governor.acquire("k", "/r", None, LIVE).await.err().unwrap();
        assert!(matches!(refused, Refusal::QueueFull { queued: 2, .. }), "{refused:?}");
        assert!(refused.retry_after().unwrap() >= Duration::from_secs(5));
        // Another token has a queue of its own.
        assert!(governor.acquire("other", "/r", None, LIVE).await.is_ok());
        drop((held, waiting));
    }

    #[tokio::test]
    async fn a_wait_longer_than_a_request_may_last_is_refused_at_once() {
        let budget = Budget {
            calls: 1,
            window: Duration::from_secs(60),
            max_wait: Duration::from_secs(5),
            ..SMALL
        };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        let permit = governor.acquire("k", "/r", None, LIVE).await.unwrap();
        governor.done(permit).await;
        let refused = governor.acquire("k", "/r", None, LIVE).await.err().unwrap();
        assert!(matches!(refused, Refusal::TooLong { .. }), "{refused:?}");
        assert!(refused.retry_after().unwrap() >= Duration::from_secs(59));
    }

    #[test]
    fn token_keys_hide_the_token() {
        let key = token_key("secret-token");
        assert_eq!(key.len(), 24);
        assert!(!key.contains("secret"));
        assert_eq!(key, token_key("secret-token"));
    }

    #[tokio::test]
    async fn a_call_whose_slot_frees_after_its_deadline_gives_up_at_once() {
        let budget = Budget { calls: 1, concurrent_per_route: 1, ..Budget::MYUNISOFT };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        let first = governor.acquire("k", "/r", None, LIVE).await.unwrap();
        governor.done(first).await;
        let soon = Instant::now() + Duration::from_secs(1);
        let late = governor.acquire("k", "/other", Some(soon), LIVE).await;
        let Err(Refusal::TooLong { wait }) = late else {
            panic!("the rate slot frees a window later")
        };
        assert!(wait > Duration::from_secs(9), "{wait:?}");
        assert!(Instant::now() < soon, "it did not wait for the deadline");
    }

    const BACKGROUND: Priority = Priority::Background;

    #[tokio::test]
    async fn a_background_call_waits_until_no_live_caller_of_its_token_waits() {
        let governor = Governor::new(Arc::new(MemoryLeases::default()), SMALL);
        for _ in 0..SMALL.calls {
            let permit = governor.acquire("k", "/r", None, LIVE).await.unwrap();
            governor.done(permit).await;
        }
        // Every slot is held for a window: a live caller queues, then a background one.
        let order = Arc::new(Mutex::new(Vec::new()));
        let caller = |priority: Priority| {
            let (governor, order) = (governor.clone(), order.clone());
            tokio::spawn(async move {
                let permit = governor.acquire("k", "/r", None, priority).await.unwrap();
                order.lock().unwrap().push(priority);
                governor.done(permit).await;
            })
        };
        let live = caller(LIVE);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let background = caller(BACKGROUND);
        live.await.unwrap();
        background.await.unwrap();
        assert_eq!(*order.lock().unwrap(), vec![LIVE, BACKGROUND]);
    }

    #[tokio::test]
    async fn a_background_call_leaves_the_reserve_to_live_calls() {
        let budget = Budget { window: Duration::from_secs(5), ..SMALL };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        // Three slots, one kept for live calls: two background calls pass, the third waits.
        for _ in 0..2 {
            let permit = governor.acquire("k", "/r", None, BACKGROUND).await.unwrap();
            governor.done(permit).await;
        }
        let third = governor.acquire("k", "/r", None, BACKGROUND);
        let third = tokio::time::timeout(Duration::from_millis(300), third).await;
        assert!(third.is_err(), "the background call took the last slot");
        let live = governor.acquire("k", "/r", None, LIVE).await.unwrap();
        assert_eq!(live.waited, Duration::ZERO, "the live call found the reserve free");
        assert_eq!(live.remaining, 0);
    }

    #[tokio::test]
    async fn a_background_call_gives_up_at_its_deadline() {
        let budget = Budget { window: Duration::from_secs(5), ..SMALL };
        let governor = Governor::new(Arc::new(MemoryLeases::default()), budget);
        for _ in 0..budget.calls {
            let permit = governor.acquire("k", "/r", None, LIVE).await.unwrap();
            governor.done(permit).await;
        }
        let soon = Instant::now() + Duration::from_millis(200);
        let late = governor.acquire("k", "/r", Some(soon), BACKGROUND).await;
        assert!(matches!(late, Err(Refusal::TooLong { .. })), "{:?}", late.err());
    }

    #[tokio::test]
    async fn background_calls_keep_the_budgets_pace() {
        let governor = Governor::new(Arc::new(MemoryLeases::default()), SMALL);
        let started = Instant::now();
        for _ in 0..2 {
            let permit = governor.acquire("k", "/r", None, BACKGROUND).await.unwrap();
            governor.done(permit).await;
        }
        // Three calls per 200 ms: one every 66 ms.
        assert!(started.elapsed() >= Duration::from_millis(60), "{:?}", started.elapsed());
        let live = governor.acquire("k", "/r", None, LIVE).await.unwrap();
        assert_eq!(live.waited, Duration::ZERO, "live calls keep no pace");
    }
}
