//! Webhook delivery settings from the environment.

use std::time::Duration;

use crate::config::{whole_number, ConfigError, Env};

/// How deliveries are made and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `PASSERELLE_WEBHOOK_ALLOW_PRIVATE=true`: URLs may be `http://` and reach loopback, private
    /// and link-local addresses (receivers on an internal network; the tests).
    pub allow_private: bool,
    /// `PASSERELLE_WEBHOOK_TIMEOUT_SECS` (10): one attempt, connection included.
    pub timeout: Duration,
    /// `PASSERELLE_WEBHOOK_RETRY_BASE_MS` (30,000): the wait after a first failure; doubled
    /// after each next one, up to [`Self::retry_cap`], with full jitter.
    pub retry_base: Duration,
    /// `PASSERELLE_WEBHOOK_RETRY_CAP_SECS` (21,600 = 6 h): the longest wait between attempts.
    pub retry_cap: Duration,
    /// `PASSERELLE_WEBHOOK_DISABLE_AFTER_SECS` (86,400 = 24 h): a webhook whose deliveries have
    /// all failed for this long is turned off (`inactive`) until a PATCH turns it on.
    pub disable_after: Duration,
    /// `PASSERELLE_WEBHOOK_POLL_MS` (1,000): how often a worker looks for due deliveries made
    /// by other replicas (its own are delivered at once).
    pub poll: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(6 * 3600),
            disable_after: Duration::from_secs(24 * 3600),
            poll: Duration::from_secs(1),
        }
    }
}

/// The largest part of a receiver's answer read (the rest is dropped).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

fn number(env: &impl Env, var: &'static str, default: u64, min: u64) -> Result<u64, ConfigError> {
    whole_number(env, var, default, min, "a whole number")
}

impl WebhookSettings {
    pub fn from_env(env: &impl Env) -> Result<Self, ConfigError> {
        const ALLOW: &str = "PASSERELLE_WEBHOOK_ALLOW_PRIVATE";
        let allow_private = match env.var(ALLOW).as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(ConfigError { var: ALLOW, reason: "must be `true` or `false`".into() })
            }
        };
        let d = Self::default();
        Ok(Self {
            allow_private,
            timeout: Duration::from_secs(number(
                env,
                "PASSERELLE_WEBHOOK_TIMEOUT_SECS",
                d.timeout.as_secs(),
                1,
            )?),
            retry_base: Duration::from_millis(number(
                env,
                "PASSERELLE_WEBHOOK_RETRY_BASE_MS",
                30_000,
                10,
            )?),
            retry_cap: Duration::from_secs(number(
                env,
                "PASSERELLE_WEBHOOK_RETRY_CAP_SECS",
                d.retry_cap.as_secs(),
                1,
            )?),
            disable_after: Duration::from_secs(number(
                env,
                "PASSERELLE_WEBHOOK_DISABLE_AFTER_SECS",
                d.disable_after.as_secs(),
                1,
            )?),
            poll: Duration::from_millis(number(env, "PASSERELLE_WEBHOOK_POLL_MS", 1_000, 10)?),
        })
    }
}
