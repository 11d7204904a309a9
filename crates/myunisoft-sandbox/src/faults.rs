//! Fault injection. Faults apply to authenticated `/api/v1` requests that passed the limits (so
//! they count against the rate window, like a real backend failure would). The queued
//! `fail_next` faults are used first, one per request, in order; then each request rolls once
//! against the `*_per_mille` probabilities with a seeded generator, so a run is reproducible.
//!
//! On the admin surface (`PUT /_sandbox/faults`) durations are milliseconds and kinds are
//! snake_case: `{"latency": 200, "error_5xx_per_mille": 100, "fail_next": [{"status": 503},
//! "reset", {"too_many": {"retry_after_secs": 2}}, "truncate", {"latency": 1500},
//! "reset_after_write"], "seed": 7}`.

use std::collections::VecDeque;
use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every request before it is handled.
    #[serde(with = "millis")]
    pub latency: Duration,
    /// Answer 500, 502, 503 or 504 with a MyUnisoft error body.
    pub error_5xx_per_mille: u32,
    /// Close the connection without answering.
    pub reset_per_mille: u32,
    /// Answer 429 `ERR-TOO-MANY-REQUEST` with `Retry-After: 1`.
    pub too_many_per_mille: u32,
    /// Send a valid status and headers, then a cut body.
    pub truncate_per_mille: u32,
    /// Writes only: apply the write, then drop the connection.
    pub reset_after_write_per_mille: u32,
    /// Applied to the next requests in order, before any random fault.
    pub fail_next: Vec<FaultKind>,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status and MyUnisoft's error body for it.
    Status(u16),
    Reset,
    TooMany {
        retry_after_secs: u64,
    },
    Truncate,
    /// Delay this request, then handle it normally.
    Latency(#[serde(with = "millis")] Duration),
    ResetAfterWrite,
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) latency: Duration,
    pub(crate) action: Option<Action>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Status(StatusCode),
    Reset,
    TooMany { retry_after_secs: u64 },
    Truncate,
    ResetAfterWrite,
}

#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Faults,
    queue: VecDeque<FaultKind>,
    rng: fastrand::Rng,
}

impl Default for FaultState {
    fn default() -> Self {
        Self::new(Faults::default())
    }
}

const SERVER_ERRORS: [u16; 4] = [500, 502, 503, 504];

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        let queue = faults.fail_next.iter().cloned().collect();
        let rng = fastrand::Rng::with_seed(faults.seed);
        FaultState { faults, queue, rng }
    }

    /// The faults currently configured, with the still-queued `fail_next`.
    pub(crate) fn current(&self) -> Faults {
        Faults { fail_next: self.queue.iter().cloned().collect(), ..self.faults.clone() }
    }

    pub(crate) fn draw(&mut self, is_write: bool) -> Plan {
        let latency = self.faults.latency;
        if let Some(kind) = self.queue.pop_front() {
            let action = match kind {
                FaultKind::Latency(extra) => {
                    return Plan { latency: latency + extra, action: None }
                }
                FaultKind::Status(code) => Action::Status(
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                ),
                FaultKind::Reset => Action::Reset,
                FaultKind::TooMany { retry_after_secs } => Action::TooMany { retry_after_secs },
                FaultKind::Truncate => Action::Truncate,
                FaultKind::ResetAfterWrite => Action::ResetAfterWrite,
            };
            return Plan { latency, action: Some(action) };
        }
        let f = &self.faults;
        let after_write = if is_write { f.reset_after_write_per_mille } else { 0 };
        let odds = [
            f.reset_per_mille,
            f.too_many_per_mille,
            f.error_5xx_per_mille,
            f.truncate_per_mille,
            after_write,
        ];
        if odds.iter().all(|p| *p == 0) {
            return Plan { latency, action: None };
        }
        let roll = self.rng.u32(0..1000);
        let mut threshold = 0;
        let mut picked = None;
        for (i, p) in odds.iter().enumerate() {
            threshold += p;
            if roll < threshold {
                picked = Some(i);
                break;
            }
        }
        let action = picked.map(|i| match i {
            0 => Action::Reset,
            1 => Action::TooMany { retry_after_secs: 1 },
            2 => {
                let code = SERVER_ERRORS[self.rng.usize(0..SERVER_ERRORS.len())];
                Action::Status(StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY))
            }
            3 => Action::Truncate,
            _ => Action::ResetAfterWrite,
        });
        Plan { latency, action }
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_faults_come_first_and_in_order() {
        let mut state = FaultState::new(Faults {
            fail_next: vec![
                FaultKind::Status(503),
                FaultKind::Latency(Duration::from_millis(5)),
                FaultKind::Reset,
            ],
            ..Faults::default()
        });
        assert_eq!(state.draw(false).action, Some(Action::Status(StatusCode::SERVICE_UNAVAILABLE)));
        assert_eq!(state.draw(false), Plan { latency: Duration::from_millis(5), action: None });
        assert_eq!(state.draw(false).action, Some(Action::Reset));
        assert_eq!(state.draw(false).action, None);
    }

    #[test]
    fn random_faults_follow_the_seed_and_the_odds() {
        let faults = Faults { error_5xx_per_mille: 500, seed: 42, ..Faults::default() };
        let draws = |f: &Faults| {
            let mut s = FaultState::new(f.clone());
            (0..200).map(|_| s.draw(false).action).collect::<Vec<_>>()
        };
        assert_eq!(draws(&faults), draws(&faults));
        let errors = draws(&faults).iter().filter(|a| a.is_some()).count();
        assert!((60..140).contains(&errors), "about half of 200, got {errors}");
    }

    #[test]
    fn reset_after_write_only_hits_writes() {
        let mut s =
            FaultState::new(Faults { reset_after_write_per_mille: 1000, ..Faults::default() });
        assert_eq!(s.draw(false).action, None);
        assert_eq!(s.draw(true).action, Some(Action::ResetAfterWrite));
    }

    #[test]
    fn the_admin_json_uses_milliseconds_and_snake_case() {
        let json = r#"{"latency": 250, "fail_next": [{"status": 502}, "reset", {"too_many": {"retry_after_secs": 2}}, {"latency": 10}, "reset_after_write", "truncate"]}"#;
        let faults: Faults = serde_json::from_str(json).unwrap();
        assert_eq!(faults.latency, Duration::from_millis(250));
        assert_eq!(faults.fail_next[2], FaultKind::TooMany { retry_after_secs: 2 });
        assert_eq!(faults.fail_next[3], FaultKind::Latency(Duration::from_millis(10)));
        let back: Faults = serde_json::from_str(&serde_json::to_string(&faults).unwrap()).unwrap();
        assert_eq!(back, faults);
    }
}
