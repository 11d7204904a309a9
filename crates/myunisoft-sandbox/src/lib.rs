//! An in-memory simulator of MyUnisoft's partner API (`/api/v1`), faithful to
//! `shared/reference/myunisoft-api.md`: same paths, parameters, headers, JSON shapes, date
//! formats and error bodies. It serves a seeded, deterministic firm (three folders, a year of
//! entries), enforces the documented rate and concurrency limits, records every request and can
//! inject faults (latency, 5xx, 429, resets, truncated bodies) for resilience tests.
//!
//! Used by the integration tests, by `passerelle sandbox --listen ADDR` and by `passerelle demo`.
//! An unauthenticated admin surface under `/_sandbox` drives it from outside the process.

mod admin;
mod auth;
mod dates;
mod errors;
mod faults;
mod large;
mod limits;
mod mutex;
mod params;
mod pipeline;
mod recording;
mod routes;
mod scope;
mod seed;
mod server;
pub mod tokens;
mod transport;
mod webhooks;
mod world;

use std::time::Duration;

pub use faults::{FaultKind, Faults};
pub use limits::Stats;
pub use recording::RecordedRequest;
pub use server::Sandbox;

/// The partner secret the sandbox expects in `X-Third-Party-Secret`.
pub const PARTNER_SECRET: &str = "passerelle-sandbox-partner-secret";

/// Limits enforced per API token, as documented by MyUnisoft (20 requests per 10 s, at most 10
/// concurrent calls on one route). Tests shrink the window to stay fast.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Requests accepted per token within `rate_window` (sliding window).
    pub rate_limit: u32,
    pub rate_window: Duration,
    /// Requests one token may have in flight on one route.
    pub max_concurrent_per_route: u32,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            rate_limit: 20,
            rate_window: Duration::from_secs(10),
            max_concurrent_per_route: 10,
        }
    }
}
