//! Writes done once per `x-chift-client-requestid`. A request is claimed with a lease that is
//! renewed while it runs; its outcome is recorded as definitive (a success, or a refusal a replay
//! would meet again: a replay answers 409 `REQUEST_ALREADY_PROCESSED`) or uncertain (an upstream
//! 5xx, a timeout, a lost answer, a budget not granted in time: a replay resumes it). A request
//! whose owner died (its lease ran out) is resumed by the next replay too; a replay while the
//! lease is alive answers 409 `REQUEST_IN_PROCESS`.

use std::future::Future;

use axum::http::StatusCode;
use chrono::Utc;
use uuid::Uuid;

use crate::domain::write::Write;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::store::{Begun, IdempotencyKey, Lease, Outcome, TransactionRecord};

/// How long records are kept (Chift's retention of client request ids).
pub const RETENTION: chrono::Duration = chrono::Duration::days(183);

/// A request this call holds: run it with [`Claim::run`].
pub struct Claim {
    key: IdempotencyKey,
    lease: Lease,
    pub write: Write,
}

/// Claims `key` for a `method` `route` request served through `connection`: a new request gets
/// `write_id`, a resumed one the id it was first given. A replay of a request that is done, or
/// held by a live call, is answered 409.
pub async fn claim(
    s: &AppState,
    key: IdempotencyKey,
    (method, route): (&str, &str),
    connection: Uuid,
    write_id: Uuid,
) -> Result<Claim> {
    let lease = Lease { owner: Uuid::new_v4(), length: s.write_lease };
    let begun =
        s.store.idempotency().begin(&key, (method, route), connection, write_id, lease).await?;
    match begun {
        Begun::Claimed(write) => {
            if write.resumed {
                tracing::info!(write.id = %write.id, "resuming a write whose outcome was uncertain");
            }
            Ok(Claim { key, lease, write })
        }
        Begun::Seen(record) => Err(replayed(&key.client_request_id, &record)),
    }
}

impl Claim {
    /// Runs `work` holding the lease (renewed every third of its length), then records its
    /// outcome with the id `created` names.
    pub async fn run<T>(
        self,
        s: &AppState,
        created: impl Fn(&T) -> Option<String>,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let idempotency = s.store.idempotency();
        tokio::pin!(work);
        let mut renewal = tokio::time::interval(self.lease.length / 3);
        renewal.tick().await;
        let outcome = loop {
            tokio::select! {
                out = &mut work => break out,
                _ = renewal.tick() => match idempotency.renew(&self.key, self.lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        // Another call resumes it now: stop here rather than write beside it.
                        tracing::warn!("write lease lost: another call took it over");
                        let client_request_id = self.key.client_request_id.clone();
                        return Err(AppError::InProcess { client_request_id });
                    }
                    Err(e) => tracing::warn!(error = %e, "write lease not renewed"),
                },
            }
        };
        let (status, entity) = match &outcome {
            Ok(out) => (StatusCode::OK, created(out)),
            Err(e) => (e.classify().0, None),
        };
        let recorded = (status.as_u16(), outcome_of(status));
        idempotency.finish(&self.key, self.lease.owner, recorded, entity.as_deref()).await?;
        outcome
    }
}

/// Whether a replay would meet the same answer: not after a server-side failure, a timeout or a
/// rate limit, which may have written something or may pass next time.
fn outcome_of(status: StatusCode) -> Outcome {
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        Outcome::Uncertain
    } else {
        Outcome::Definitive
    }
}

fn replayed(client_request_id: &str, record: &TransactionRecord) -> AppError {
    let client_request_id = client_request_id.to_owned();
    match record.status_code {
        Some(status_code) => AppError::AlreadyProcessed { client_request_id, status_code },
        None => AppError::InProcess { client_request_id },
    }
}

/// Deletes the records older than [`RETENTION`] every `period` (one indexed delete), from now
/// on, for as long as it runs.
pub async fn purge_every(s: AppState, period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        match s.store.idempotency().purge(Utc::now() - RETENTION).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "client request ids past retention purged"),
            Err(e) => tracing::warn!(error = %e, "client request ids not purged; next time"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_that_may_pass_or_may_have_written_are_uncertain() {
        for status in [502, 503, 504, 500, 429, 408] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(outcome_of(status), Outcome::Uncertain, "{status}");
        }
        for status in [200, 400, 401, 404, 409, 422] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(outcome_of(status), Outcome::Definitive, "{status}");
        }
    }
}
