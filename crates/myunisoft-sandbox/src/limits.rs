//! Per-token limits: `rate_limit` requests per sliding `rate_window`, and at most
//! `max_concurrent_per_route` requests in flight on one route. Both refusals are 429s. The
//! numbers a resilience test wants to assert on are kept in [`Stats`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::errors::ApiError;
use super::mutex::lock;
use super::SandboxConfig;

/// What the limits saw since the sandbox started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// The most requests one token got accepted (not refused with a 429) within any
    /// `rate_window`.
    pub max_in_window_per_token: u32,
    /// Requests refused by the rate or concurrency limit (injected 429 faults not included).
    pub rejected_429: u32,
    /// The most requests one token had in flight on one route, counting a request refused for
    /// exceeding the limit: a well-behaved client keeps it at or below the limit.
    pub max_concurrent_per_route: u32,
}

/// The `X-Rate-Limit-*` values of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub(crate) remaining: u32,
    /// Unix seconds at which the oldest counted request leaves the window.
    pub(crate) reset: u64,
    pub(crate) total: u32,
}

/// Holds one in-flight slot of a (token, route) pair until dropped.
#[derive(Debug)]
pub(crate) struct Permit {
    state: Arc<Mutex<LimitState>>,
    key: (String, String),
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = lock(&self.state);
        if let Some(n) = state.in_flight.get_mut(&self.key) {
            *n = n.saturating_sub(1);
        }
    }
}

#[derive(Debug, Default)]
struct LimitState {
    windows: HashMap<String, VecDeque<Instant>>,
    in_flight: HashMap<(String, String), u32>,
    stats: Stats,
}

#[derive(Debug)]
pub(crate) struct Limits {
    limit: u32,
    window: Duration,
    max_concurrent: u32,
    state: Arc<Mutex<LimitState>>,
}

impl Limits {
    pub(crate) fn new(config: &SandboxConfig) -> Self {
        Limits {
            limit: config.rate_limit,
            window: config.rate_window,
            max_concurrent: config.max_concurrent_per_route,
            state: Arc::default(),
        }
    }

    /// Counts one request of `token` on `route`, or refuses it.
    pub(crate) fn admit(
        &self,
        token: &str,
        route: &str,
        now: Instant,
    ) -> (Result<Permit, ApiError>, RateHeaders) {
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        let window = state.windows.entry(token.to_owned()).or_default();
        while window.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            window.pop_front();
        }
        let key = (token.to_owned(), route.to_owned());
        let in_flight = state.in_flight.get(&key).copied().unwrap_or(0);
        let outcome = if window.len() >= self.limit as usize {
            let retry = window.front().map_or(self.window, |t| (*t + self.window) - now);
            Err(ApiError::too_many(retry.as_secs_f64().ceil() as u64))
        } else {
            state.stats.max_concurrent_per_route =
                state.stats.max_concurrent_per_route.max(in_flight + 1);
            if in_flight >= self.max_concurrent {
                Err(ApiError::too_many_concurrent())
            } else {
                window.push_back(now);
                let accepted = u32::try_from(window.len()).unwrap_or(u32::MAX);
                state.stats.max_in_window_per_token =
                    state.stats.max_in_window_per_token.max(accepted);
                state.in_flight.insert(key.clone(), in_flight + 1);
                Ok(Permit { state: Arc::clone(&self.state), key })
            }
        };
        if outcome.is_err() {
            state.stats.rejected_429 += 1;
        }
        let headers = self.headers(window, now);
        (outcome, headers)
    }

    /// The headers for a request that counted nothing (no valid token).
    pub(crate) fn idle_headers(&self, now: Instant) -> RateHeaders {
        self.headers(&VecDeque::new(), now)
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.state).stats
    }

    fn headers(&self, window: &VecDeque<Instant>, now: Instant) -> RateHeaders {
        let used = u32::try_from(window.len()).unwrap_or(u32::MAX);
        let frees_at = window.front().map_or(now + self.window, |t| *t + self.window);
        let wall = SystemTime::now() + frees_at.saturating_duration_since(now);
        let reset = wall.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs_f64().ceil() as u64);
        RateHeaders { remaining: self.limit.saturating_sub(used), reset, total: self.limit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rate: u32, window_ms: u64, concurrent: u32) -> Limits {
        Limits::new(&SandboxConfig {
            rate_limit: rate,
            rate_window: Duration::from_millis(window_ms),
            max_concurrent_per_route: concurrent,
        })
    }

    #[test]
    fn the_window_slides_per_token() {
        let l = limits(3, 1000, 10);
        let t0 = Instant::now();
        for i in 0..3 {
            let (permit, headers) = l.admit("a", "GET /diary", t0 + Duration::from_millis(i * 100));
            assert!(permit.is_ok());
            assert_eq!(headers.remaining, 2 - i as u32);
        }
        let (refused, headers) = l.admit("a", "GET /diary", t0 + Duration::from_millis(500));
        let refused = refused.unwrap_err();
        assert_eq!(refused.code, "ERR-TOO-MANY-REQUEST");
        assert_eq!(refused.retry_after, Some(1));
        assert_eq!(headers.remaining, 0);
        assert!(l.admit("b", "GET /diary", t0 + Duration::from_millis(500)).0.is_ok());
        // The first request leaves the window at t0 + 1000 ms.
        assert!(l.admit("a", "GET /diary", t0 + Duration::from_millis(1000)).0.is_ok());
        let stats = l.stats();
        assert_eq!((stats.max_in_window_per_token, stats.rejected_429), (3, 1));
    }

    #[test]
    fn concurrency_is_limited_per_route_and_released_on_drop() {
        let l = limits(100, 1000, 2);
        let now = Instant::now();
        let first = l.admit("a", "GET /diary", now).0.unwrap();
        let _second = l.admit("a", "GET /diary", now).0.unwrap();
        let third = l.admit("a", "GET /diary", now).0.unwrap_err();
        assert_eq!(third.code, "ERR-TOO-MANY-CONCURRENT-REQUESTS");
        assert!(l.admit("a", "GET /vat_param", now).0.is_ok(), "another route has its own slots");
        drop(first);
        assert!(l.admit("a", "GET /diary", now).0.is_ok());
        assert_eq!(l.stats().max_concurrent_per_route, 3);
        assert_eq!(l.stats().rejected_429, 1);
    }
}
