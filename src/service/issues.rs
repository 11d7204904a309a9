//! Issues: failures counted per (subject, error code) while open; a new one is announced as
//! `account.issue.created`. Recording never fails the request that failed: a store error is logged.

use uuid::Uuid;

use crate::store::{Occurrence, Store};
use crate::webhooks::{outbox, Event};

/// Counts a failure; opens (and announces) an issue when the subject has none open for its code.
pub async fn record(store: &Store, o: &Occurrence) {
    match store.issues().record(o).await {
        Ok((issue, true)) => {
            tracing::info!(issue.id = %issue.id, error_code = %o.error_code, "issue opened");
            let event =
                Event::issue_created(o.consumer, issue.id, o.subject, &o.error_code, o.level);
            if let Err(e) = outbox::publish(store, o.account, &event).await {
                tracing::warn!(error = %e, "announcing an issue failed");
            }
        }
        Ok((_, false)) => {}
        Err(e) => tracing::warn!(error = %e, "recording an issue failed"),
    }
}

/// The subject succeeded: its open issues close.
pub async fn resolved(store: &Store, account: Uuid, subject: Uuid) {
    if let Err(e) = store.issues().close(account, subject).await {
        tracing::warn!(error = %e, "closing issues failed");
    }
}
