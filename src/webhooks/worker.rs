//! The delivery worker every `serve` replica runs: it claims due deliveries (at once when this
//! process queued some, else every poll), sends them, logs each attempt, and on failure schedules
//! the next attempt with exponential backoff and jitter. A webhook whose deliveries have all failed
//! for `disable_after` (24 h by default, longer than the backoff takes to reach its cap) is turned
//! off; its deliveries wait in the outbox until a PATCH turns it on. Deliveries are at least once:
//! a replica that dies mid-attempt leaves its claim to expire and another replica sends again.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::delivery::{Attempt, Deliverer};
use super::{issues, outbox, WebhookSettings};
use crate::crypto::Keyring;
use crate::store::{self, Claimed, DeliveryLog, Occurrence, Store, WebhookStatus};

/// Deliveries one replica attempts at once.
const BATCH: u32 = 16;
/// How long delivery logs are kept.
const LOG_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long closed issues (and their events) are kept.
const ISSUE_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);
/// How long the deliveries of a webhook left off are kept.
const INACTIVE_OUTBOX_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);
/// How often old logs, closed issues, expired connect links and stale deliveries are dropped.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Unix microseconds `age` ago.
fn ago(age: Duration) -> i64 {
    Utc::now().timestamp_micros().saturating_sub(store::micros(age))
}

/// The wait before attempt `attempt + 1` after `attempt` failed: `base · 2^(attempt-1)` capped
/// at `cap`, of which a random half is taken off (jitter: receivers that fail together are not
/// retried together).
pub fn backoff(attempt: i64, base: Duration, cap: Duration) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = base.saturating_mul(1 << doublings).min(cap);
    full / 2 + full.mul_f64(fastrand::f64() / 2.0)
}

pub struct Worker {
    store: Store,
    keyring: Arc<Keyring>,
    settings: WebhookSettings,
    deliverer: Deliverer,
}

impl Worker {
    pub fn new(
        store: Store,
        keyring: Arc<Keyring>,
        settings: WebhookSettings,
    ) -> Result<Self, String> {
        let deliverer = Deliverer::new(&settings)?;
        Ok(Self { store, keyring, settings, deliverer })
    }

    /// How long a claim holds: longer than any attempt.
    fn lease(&self) -> Duration {
        self.settings.timeout * 2 + Duration::from_secs(2)
    }

    /// Delivers until the task is dropped: up to [`BATCH`] attempts at once, each in a task of its
    /// own (a receiver that hangs holds one place, not the others'); a finished attempt makes
    /// room and wakes the loop, so the next delivery of its chain goes at once.
    pub async fn run(self) {
        let this = Arc::new(self);
        let places = Arc::new(Semaphore::new(BATCH as usize));
        let mut pruned = std::time::Instant::now();
        this.prune().await;
        loop {
            if pruned.elapsed() >= PRUNE_EVERY {
                pruned = std::time::Instant::now();
                this.prune().await;
            }
            let free = u32::try_from(places.available_permits()).unwrap_or(BATCH);
            let mut more = false;
            if free > 0 {
                match this.store.outbox().claim(free, this.lease()).await {
                    Ok(batch) => {
                        more = batch.len() == free as usize;
                        for claimed in batch {
                            let Ok(place) = places.clone().try_acquire_owned() else { break };
                            let worker = Arc::clone(&this);
                            tokio::spawn(async move {
                                worker.deliver(claimed).await;
                                drop(place);
                                outbox::wake();
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "claiming webhook deliveries failed"),
                }
            }
            if !more || places.available_permits() == 0 {
                tokio::select! {
                    () = outbox::woken() => {}
                    () = tokio::time::sleep(this.settings.poll) => {}
                }
            }
        }
    }

    /// The retention pass: every table that grows with use is bounded by age here.
    async fn prune(&self) {
        let s = &self.store;
        let passes = [
            ("webhook logs", s.webhooks().prune_logs(ago(LOG_RETENTION)).await),
            ("closed issues", s.issues().prune_closed(ago(ISSUE_RETENTION)).await),
            ("expired connect links", s.connect_links().prune_expired().await),
            (
                "deliveries of inactive webhooks",
                s.outbox().prune_inactive(ago(INACTIVE_OUTBOX_RETENTION)).await,
            ),
        ];
        for (what, done) in passes {
            match done {
                Ok(0) => {}
                Ok(n) => tracing::info!(dropped = n, "dropped old {what}"),
                Err(e) => tracing::warn!(error = %e, "dropping old {what} failed"),
            }
        }
    }

    async fn deliver(&self, c: Claimed) {
        if let Err(e) = self.try_deliver(&c).await {
            tracing::warn!(error = %e, webhook.id = %c.webhook_id, "a webhook delivery failed");
        }
    }

    async fn try_deliver(&self, c: &Claimed) -> Result<(), crate::store::StoreError> {
        let hooks = self.store.webhooks();
        let Some((hook, secret)) = hooks.by_id(&self.keyring, c.webhook_id).await? else {
            return Ok(());
        };
        let attempt =
            self.deliverer.deliver(&hook.url, c.body.clone(), secret.as_deref(), c.event_id).await;
        let log = DeliveryLog {
            id: Uuid::new_v4(),
            webhook_id: hook.id,
            account_id: hook.account_id,
            event_id: c.event_id,
            event: hook.event.clone(),
            url: hook.url.clone(),
            attempt: c.attempt,
            http_status: i64::from(attempt.status),
            duration_ms: i64::try_from(attempt.duration.as_millis()).unwrap_or(i64::MAX),
            error: attempt.error.clone(),
            created_at: Utc::now(),
        };
        let failing_since = hooks.log_attempt(&log).await?;
        if attempt.succeeded() {
            self.store.outbox().delivered(c.seq).await?;
            issues::resolved(&self.store, hook.account_id, hook.id).await;
            return Ok(());
        }
        let wait = backoff(c.attempt, self.settings.retry_base, self.settings.retry_cap);
        self.store.outbox().retry_after(c.seq, wait).await?;
        tracing::info!(webhook.id = %hook.id, attempt = c.attempt, status = attempt.status,
            retry_in_ms = wait.as_millis() as u64, "webhook delivery failed; retrying");
        let disable_after = store::micros(self.settings.disable_after);
        if failing_since.is_some_and(|s| Utc::now().timestamp_micros() - s >= disable_after)
            && hook.status == WebhookStatus::Active
        {
            hooks.disable(hook.id).await?;
            tracing::warn!(webhook.id = %hook.id, "webhook turned off after failing too long");
        }
        issues::record(&self.store, &failure(&hook, c, &attempt)).await;
        Ok(())
    }
}

/// A failed delivery, as an issue occurrence of its webhook.
fn failure(hook: &crate::store::Webhook, c: &Claimed, attempt: &Attempt) -> Occurrence {
    let code = if attempt.status == 0 { "WEBHOOK_UNREACHABLE" } else { "WEBHOOK_REFUSED" };
    Occurrence {
        account: hook.account_id,
        consumer: None,
        subject: hook.id,
        integration_id: hook.integration_id.unwrap_or(0),
        error_code: code.into(),
        http_status: attempt.status,
        title: format!("Webhook deliveries of {} fail", hook.event),
        description: attempt.error.clone().unwrap_or_default(),
        level: "warning",
        execution_id: c.event_id.to_string(),
        context: Some(serde_json::json!({"webhookid": hook.id, "attempt": c.attempt})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_its_cap() {
        let (base, cap) = (Duration::from_secs(30), Duration::from_secs(6 * 3600));
        for attempt in 1..40 {
            let full = base.saturating_mul(1 << (attempt - 1).min(30)).min(cap);
            let wait = backoff(attempt, base, cap);
            assert!(wait >= full / 2 && wait <= full, "attempt {attempt}: {wait:?}");
        }
        // Retrying until turned off after 24 h takes a few dozen attempts, not thousands.
        let mut waited = Duration::ZERO;
        let mut attempts = 0;
        while waited < Duration::from_secs(24 * 3600) {
            attempts += 1;
            waited += backoff(attempts, base, cap);
        }
        assert!((10..40).contains(&attempts), "{attempts}");
    }
}
