//! Slows down password guessing on `POST /token`: after a few failures for one clientId, further
//! attempts are refused with 429 until the window has passed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
}

/// Entries kept before expired ones are swept, so that random clientIds cannot grow the map forever.
const SWEEP_AT: usize = 10_000;

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(wait)` when this clientId has failed too often within the window.
    pub fn check(&self, client_id: &str, now: Instant) -> Result<(), Duration> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(client_id) {
            Some(f) if f.count >= self.max_failures && now < f.first + self.window => {
                Err(f.first + self.window - now)
            }
            _ => Ok(()),
        }
    }

    pub fn failed(&self, client_id: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, f| now < f.first + self.window);
        }
        let entry = map.entry(client_id.to_owned()).or_insert(Failures { count: 0, first: now });
        if now >= entry.first + self.window {
            *entry = Failures { count: 0, first: now };
        }
        entry.count += 1;
    }

    pub fn succeeded(&self, client_id: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(client_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_until_the_window_passes() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(throttle.check("c", t0).is_ok());
            throttle.failed("c", t0);
        }
        let wait = throttle.check("c", t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(throttle.check("other", t0).is_ok());
        assert!(throttle.check("c", t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_success_clears_the_failures() {
        let throttle = LoginThrottle::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        throttle.failed("c", t0);
        throttle.succeeded("c");
        throttle.failed("c", t0);
        assert!(throttle.check("c", t0).is_ok());
    }
}
