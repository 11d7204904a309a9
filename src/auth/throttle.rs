//! Slows down secret guessing on `POST /token` without locking anyone else out: failures are
//! counted per source address and per (clientId, source address) pair, so that guesses from one
//! address stop that address (or that address for that clientId), never the client presenting its
//! right secret from its own address.
//!
//! Both counts live in fixed-capacity maps that forget the least recently used entry when full,
//! so that made-up clientIds and addresses cannot grow them. On PostgreSQL the counts are also
//! shared by every gateway process on the database (`login_failures`), so that guesses spread
//! over replicas add up:
//! - the local maps stay the first gate: a source or pair they already lock is refused without a
//!   database round trip;
//! - otherwise the check reads the two shared rows (by primary key) and adopts their counts;
//! - a key's failures are written only once its count reaches [`SHARED_FROM`] (then each failure
//!   is): the first guess of a made-up clientId never costs a write, and an address writes at most
//!   `per_source` times a window on each replica before it is locked out locally;
//! - rows of past windows are purged at most once a window by each process.

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use lru::LruCache;

use crate::store::{SharedFailures, Store};

/// A key's count from which its failures are written to the shared store.
const SHARED_FROM: u32 = 2;

pub struct LoginThrottle {
    limits: Limits,
    counts: Mutex<Counts>,
    shared: Option<Shared>,
}

/// The database where the counts are shared, and when this process last purged it.
struct Shared {
    store: Store,
    purged: AtomicI64,
}

/// How many failures lock a pair and an address out, for how long.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures for one clientId from one source.
    pub per_client: u32,
    /// Failures from one source, whatever the clientIds.
    pub per_source: u32,
    pub window: Duration,
    /// Entries each map keeps.
    pub capacity: NonZeroUsize,
}

impl Limits {
    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }
}

struct Counts {
    sources: LruCache<IpAddr, Failures>,
    pairs: LruCache<(String, IpAddr), Failures>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    /// Failures known within the window, here and (once read) elsewhere.
    count: u32,
    /// Unix milliseconds.
    first: i64,
    /// Failures counted here and not yet written to the shared store.
    unsent: u32,
}

impl Failures {
    fn fresh(now: i64) -> Self {
        Failures { count: 0, first: now, unsent: 0 }
    }

    /// How long `self` still locks out at `now`, if it has reached `max` within `window`.
    fn locked(&self, max: u32, window: i64, now: i64) -> Option<Duration> {
        let end = self.first.saturating_add(window);
        (self.count >= max && now < end)
            .then(|| Duration::from_millis(u64::try_from(end - now).unwrap_or(0)))
    }

    fn add(&mut self, window: i64, now: i64) {
        if now >= self.first.saturating_add(window) {
            *self = Failures::fresh(now);
        }
        self.count += 1;
        self.unsent += 1;
    }

    /// Adopts a shared count, which does not hold the failures not yet sent from here.
    fn learn(&mut self, shared: &SharedFailures, window: i64, now: i64) {
        if now >= self.first.saturating_add(window) {
            *self = Failures::fresh(shared.window_start);
        }
        let known = shared.failures.saturating_add(self.unsent);
        if known > self.count {
            self.count = known;
            self.first = self.first.min(shared.window_start);
        }
    }

    /// The failures to write now, if this key's count is high enough to be shared.
    fn take_unsent(&mut self) -> Option<u32> {
        (self.count >= SHARED_FROM && self.unsent > 0).then(|| std::mem::take(&mut self.unsent))
    }
}

/// The source one counter covers: an IPv4 address, or an IPv6 /64 (one subscriber's prefix, where
/// every address is theirs to use).
fn source(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// The shared store's key of a source or of a pair: a digest, so that neither addresses nor
/// clientIds are stored.
fn shared_key(client_id: Option<&str>, source: IpAddr) -> String {
    let text = match client_id {
        None => format!("source {source}"),
        Some(client_id) => format!("pair {source} {client_id}"),
    };
    crate::crypto::sha256_hex(text.as_bytes())
}

/// The two keys one attempt counts against.
struct Keys<'a> {
    client_id: &'a str,
    source: IpAddr,
}

impl<'a> Keys<'a> {
    fn new(client_id: &'a str, addr: IpAddr) -> Self {
        Self { client_id, source: source(addr) }
    }

    fn pair(&self) -> (String, IpAddr) {
        (self.client_id.to_owned(), self.source)
    }

    fn shared_source(&self) -> String {
        shared_key(None, self.source)
    }

    fn shared_pair(&self) -> String {
        shared_key(Some(self.client_id), self.source)
    }
}

impl LoginThrottle {
    /// Counts kept in this process only.
    pub fn new(limits: Limits) -> Self {
        let counts = Counts {
            sources: LruCache::new(limits.capacity),
            pairs: LruCache::new(limits.capacity),
        };
        Self { limits, counts: Mutex::new(counts), shared: None }
    }

    /// Counts shared with every process using `store`.
    pub fn shared(limits: Limits, store: Store) -> Self {
        Self { shared: Some(Shared { store, purged: AtomicI64::new(0) }), ..Self::new(limits) }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(wait)` when `addr` has failed too often, or too often for `client_id`, within the
    /// window (`now` in Unix milliseconds).
    pub async fn check(&self, client_id: &str, addr: IpAddr, now: i64) -> Result<(), Duration> {
        let keys = Keys::new(client_id, addr);
        self.locked(&keys, now)?;
        let Some(shared) = &self.shared else { return Ok(()) };
        let (source_key, pair_key) = (keys.shared_source(), keys.shared_pair());
        let expired = now - self.limits.window_ms();
        match shared.store.login_failures().read([&source_key, &pair_key], expired).await {
            Ok(rows) => {
                let window = self.limits.window_ms();
                let mut counts = self.counts();
                for row in &rows {
                    let entry = if row.key == source_key {
                        counts.sources.get_or_insert_mut(keys.source, || Failures::fresh(now))
                    } else {
                        counts.pairs.get_or_insert_mut(keys.pair(), || Failures::fresh(now))
                    };
                    entry.learn(row, window, now);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "shared login failures unreadable: local counts only")
            }
        }
        self.locked(&keys, now)
    }

    fn locked(&self, keys: &Keys<'_>, now: i64) -> Result<(), Duration> {
        let Limits { per_client, per_source, .. } = self.limits;
        let window = self.limits.window_ms();
        let mut counts = self.counts();
        let by_source =
            counts.sources.get(&keys.source).and_then(|f| f.locked(per_source, window, now));
        let by_pair =
            counts.pairs.get(&keys.pair()).and_then(|f| f.locked(per_client, window, now));
        match by_source.max(by_pair) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub async fn failed(&self, client_id: &str, addr: IpAddr, now: i64) {
        let keys = Keys::new(client_id, addr);
        let window = self.limits.window_ms();
        let (by_source, by_pair) = {
            let mut counts = self.counts();
            let source = counts.sources.get_or_insert_mut(keys.source, || Failures::fresh(now));
            source.add(window, now);
            let by_source = source.take_unsent();
            let pair = counts.pairs.get_or_insert_mut(keys.pair(), || Failures::fresh(now));
            pair.add(window, now);
            (by_source, pair.take_unsent())
        };
        let Some(shared) = &self.shared else { return };
        if by_source.is_none() && by_pair.is_none() {
            return;
        }
        let expired = now - window;
        if shared.purged.fetch_max(now, Ordering::Relaxed) <= expired {
            if let Err(e) = shared.store.login_failures().purge(expired).await {
                tracing::warn!(error = %e, "past login failures not purged");
            }
        }
        for (unsent, key, is_source) in
            [(by_source, keys.shared_source(), true), (by_pair, keys.shared_pair(), false)]
        {
            let Some(unsent) = unsent else { continue };
            match shared.store.login_failures().add(&key, unsent, now, expired).await {
                Ok(row) => {
                    let mut counts = self.counts();
                    let entry = if is_source {
                        counts.sources.get_mut(&keys.source)
                    } else {
                        counts.pairs.get_mut(&keys.pair())
                    };
                    if let Some(entry) = entry {
                        entry.learn(&row, window, now);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "login failure not shared"),
            }
        }
    }

    /// Clears the failures of `client_id` from `addr` (not those of the address: one valid
    /// credential must not reset the count of guesses made from there). The shared row is
    /// deleted only when this process knew of failures for the pair.
    pub async fn succeeded(&self, client_id: &str, addr: IpAddr) {
        let keys = Keys::new(client_id, addr);
        let known = self.counts().pairs.pop(&keys.pair()).is_some();
        if let (true, Some(shared)) = (known, &self.shared) {
            if let Err(e) = shared.store.login_failures().clear(&keys.shared_pair()).await {
                tracing::warn!(error = %e, "shared login failures not cleared");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_client: u32, per_source: u32, capacity: usize) -> LoginThrottle {
        LoginThrottle::new(Limits {
            per_client,
            per_source,
            window: Duration::from_secs(60),
            capacity: NonZeroUsize::new(capacity).unwrap(),
        })
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn refuses_a_client_from_one_address_after_the_limit_until_the_window_passes() {
        let throttle = throttle(3, 100, 16);
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let t0: i64 = 1_800_000_000_000;
        for _ in 0..3 {
            assert!(throttle.check("c", a, t0).await.is_ok());
            throttle.failed("c", a, t0).await;
        }
        let wait = throttle.check("c", a, t0 + 10_000).await.unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(throttle.check("other", a, t0).await.is_ok());
        assert!(throttle.check("c", b, t0).await.is_ok(), "another address is not refused");
        assert!(throttle.check("c", a, t0 + 61_000).await.is_ok());
    }

    #[tokio::test]
    async fn refuses_an_address_after_its_limit_whatever_the_client_id() {
        let throttle = throttle(3, 5, 16);
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let t0: i64 = 1_800_000_000_000;
        for i in 0..5 {
            throttle.failed(&format!("c{i}"), a, t0).await;
        }
        assert!(throttle.check("fresh", a, t0).await.is_err());
        assert!(throttle.check("fresh", b, t0).await.is_ok());
    }

    #[tokio::test]
    async fn a_success_clears_the_failures_of_its_pair_only() {
        let throttle = throttle(2, 3, 16);
        let a = ip("10.0.0.1");
        let t0: i64 = 1_800_000_000_000;
        throttle.failed("c", a, t0).await;
        throttle.succeeded("c", a).await;
        throttle.failed("c", a, t0).await;
        assert!(throttle.check("c", a, t0).await.is_ok());
        throttle.failed("d", a, t0).await;
        assert!(throttle.check("e", a, t0).await.is_err(), "the address keeps its three failures");
    }

    #[tokio::test]
    async fn an_ipv6_prefix_counts_as_one_source() {
        let throttle = throttle(2, 100, 16);
        let t0: i64 = 1_800_000_000_000;
        throttle.failed("c", ip("2001:db8::1"), t0).await;
        throttle.failed("c", ip("2001:db8::ffff:2"), t0).await;
        assert!(throttle.check("c", ip("2001:db8::3"), t0).await.is_err());
        assert!(throttle.check("c", ip("2001:db8:0:1::3"), t0).await.is_ok());
        throttle.failed("m", ip("::ffff:10.0.0.9"), t0).await;
        throttle.failed("m", ip("10.0.0.9"), t0).await;
        assert!(throttle.check("m", ip("10.0.0.9"), t0).await.is_err());
    }

    #[tokio::test]
    async fn memory_is_bounded_by_the_capacity() {
        let throttle = throttle(3, 3, 8);
        let t0: i64 = 1_800_000_000_000;
        for i in 0..1000u32 {
            throttle.failed(&format!("c{i}"), IpAddr::from(i.to_be_bytes()), t0).await;
        }
        let counts = throttle.counts();
        assert_eq!((counts.sources.len(), counts.pairs.len()), (8, 8));
    }

    #[test]
    fn a_key_is_shared_from_its_second_failure_with_every_failure_not_yet_sent() {
        let (window, t0) = (60_000, 1_800_000_000_000);
        let mut made_up = Failures::fresh(t0);
        made_up.add(window, t0);
        assert_eq!(made_up.take_unsent(), None, "one guess of a clientId costs no write");
        let mut guessed = made_up;
        guessed.add(window, t0);
        assert_eq!(guessed.take_unsent(), Some(2));
        guessed.add(window, t0);
        assert_eq!(guessed.take_unsent(), Some(1));
        let elsewhere = SharedFailures { key: String::new(), window_start: t0, failures: 4 };
        let mut fresh = Failures::fresh(t0);
        fresh.add(window, t0);
        fresh.learn(&elsewhere, window, t0);
        assert_eq!(
            (fresh.count, fresh.unsent),
            (5, 1),
            "the unsent failure adds to the shared count"
        );
        assert_eq!(fresh.take_unsent(), Some(1));
    }
}
