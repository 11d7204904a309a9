//! Slows down secret guessing on `POST /token` without locking anyone else out: failures are
//! counted per source address and per (clientId, source address) pair, so that guesses from one
//! address stop that address (or that address for that clientId), never the client presenting its
//! right secret from its own address.
//!
//! Both counts live in fixed-capacity maps that forget the least recently used entry when full,
//! so that made-up clientIds and addresses cannot grow them.

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

#[derive(Debug)]
pub struct LoginThrottle {
    limits: Limits,
    counts: Mutex<Counts>,
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

#[derive(Debug)]
struct Counts {
    sources: LruCache<IpAddr, Failures>,
    pairs: LruCache<(String, IpAddr), Failures>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
}

impl Failures {
    /// How long `self` still locks out at `now`, if it has reached `max` within `window`.
    fn locked(&self, max: u32, window: Duration, now: Instant) -> Option<Duration> {
        (self.count >= max && now < self.first + window).then(|| self.first + window - now)
    }

    fn add(&mut self, window: Duration, now: Instant) {
        if now >= self.first + window {
            *self = Failures { count: 0, first: now };
        }
        self.count += 1;
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

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        let counts = Counts {
            sources: LruCache::new(limits.capacity),
            pairs: LruCache::new(limits.capacity),
        };
        Self { limits, counts: Mutex::new(counts) }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(wait)` when `addr` has failed too often, or too often for `client_id`, within the
    /// window.
    pub fn check(&self, client_id: &str, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let Limits { per_client, per_source, window, .. } = self.limits;
        let mut counts = self.counts();
        let source = source(addr);
        let by_source = counts.sources.get(&source).and_then(|f| f.locked(per_source, window, now));
        let by_pair = counts
            .pairs
            .get(&(client_id.to_owned(), source))
            .and_then(|f| f.locked(per_client, window, now));
        match by_source.max(by_pair) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn failed(&self, client_id: &str, addr: IpAddr, now: Instant) {
        let window = self.limits.window;
        let mut counts = self.counts();
        let source = source(addr);
        let fresh = || Failures { count: 0, first: now };
        counts.sources.get_or_insert_mut(source, fresh).add(window, now);
        counts.pairs.get_or_insert_mut((client_id.to_owned(), source), fresh).add(window, now);
    }

    /// Clears the failures of `client_id` from `addr` (not those of the address: one valid
    /// credential must not reset the count of guesses made from there).
    pub fn succeeded(&self, client_id: &str, addr: IpAddr) {
        self.counts().pairs.pop(&(client_id.to_owned(), source(addr)));
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

    #[test]
    fn refuses_a_client_from_one_address_after_the_limit_until_the_window_passes() {
        let throttle = throttle(3, 100, 16);
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(throttle.check("c", a, t0).is_ok());
            throttle.failed("c", a, t0);
        }
        let wait = throttle.check("c", a, t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(throttle.check("other", a, t0).is_ok());
        assert!(throttle.check("c", b, t0).is_ok(), "another address is not refused");
        assert!(throttle.check("c", a, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn refuses_an_address_after_its_limit_whatever_the_client_id() {
        let throttle = throttle(3, 5, 16);
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let t0 = Instant::now();
        for i in 0..5 {
            throttle.failed(&format!("c{i}"), a, t0);
        }
        assert!(throttle.check("fresh", a, t0).is_err());
        assert!(throttle.check("fresh", b, t0).is_ok());
    }

    #[test]
    fn a_success_clears_the_failures_of_its_pair_only() {
        let throttle = throttle(2, 3, 16);
        let a = ip("10.0.0.1");
        let t0 = Instant::now();
        throttle.failed("c", a, t0);
        throttle.succeeded("c", a);
        throttle.failed("c", a, t0);
        assert!(throttle.check("c", a, t0).is_ok());
        throttle.failed("d", a, t0);
        assert!(throttle.check("e", a, t0).is_err(), "the address keeps its three failures");
    }

    #[test]
    fn an_ipv6_prefix_counts_as_one_source() {
        let throttle = throttle(2, 100, 16);
        let t0 = Instant::now();
        throttle.failed("c", ip("2001:db8::1"), t0);
        throttle.failed("c", ip("2001:db8::ffff:2"), t0);
        assert!(throttle.check("c", ip("2001:db8::3"), t0).is_err());
        assert!(throttle.check("c", ip("2001:db8:0:1::3"), t0).is_ok());
        throttle.failed("m", ip("::ffff:10.0.0.9"), t0);
        throttle.failed("m", ip("10.0.0.9"), t0);
        assert!(throttle.check("m", ip("10.0.0.9"), t0).is_err());
    }

    #[test]
    fn memory_is_bounded_by_the_capacity() {
        let throttle = throttle(3, 3, 8);
        let t0 = Instant::now();
        for i in 0..1000u32 {
            throttle.failed(&format!("c{i}"), IpAddr::from(i.to_be_bytes()), t0);
        }
        let counts = throttle.counts();
        assert_eq!((counts.sources.len(), counts.pairs.len()), (8, 8));
    }
}
