//! What the sync sees change, announced as `accounting.<record>.created|updated|deleted` on the
//! transaction that stores the change. A set's first load is not announced (it changes nothing a
//! subscriber saw); a record written through Passerelle was announced by its write and stored as
//! answered, so the sync finds it unchanged and announces it once only.

use serde_json::Value;
use sqlx::AnyConnection;

use super::kinds::{self, StoredEntry};
use crate::store::{self, Changed, Enabled, RecordChange, StoreError};
use crate::webhooks::events::record_event;
use crate::webhooks::{outbox, Change, Event, RecordKind};

/// The record kind a stored set's changes are announced as; `None` for sets not announced.
pub fn record_kind(set: &str) -> Option<RecordKind> {
    match set {
        kinds::CLIENTS => Some(RecordKind::Client),
        kinds::SUPPLIERS => Some(RecordKind::Supplier),
        kinds::ENTRIES => Some(RecordKind::JournalEntry),
        kinds::ACCOUNTS => Some(RecordKind::Account),
        kinds::ANALYTIC_ACCOUNTS => Some(RecordKind::AnalyticAccount),
        kinds::BOOKYEARS => Some(RecordKind::BookYear),
        _ => None,
    }
}

fn change(c: RecordChange) -> Change {
    match c {
        RecordChange::Added => Change::Created,
        RecordChange::Changed => Change::Updated,
        RecordChange::Removed => Change::Deleted,
    }
}

/// The record as the API answers it, from its stored JSON (an entry drops what only the
/// store keeps).
fn answered(kind: RecordKind, body: &str) -> Option<Value> {
    match kind {
        RecordKind::JournalEntry => {
            let stored: StoredEntry = serde_json::from_str(body).ok()?;
            serde_json::to_value(stored.into_entry()).ok()
        }
        _ => serde_json::from_str(body).ok(),
    }
}

/// Enqueues on `tx` one event per changed record of the set `set` of `folder` that a webhook of
/// the account listens to. Returns how many deliveries were queued.
pub async fn changes(
    tx: &mut AnyConnection,
    job: &Enabled,
    folder: i64,
    set: &str,
    changed: &[Changed],
) -> Result<u64, StoreError> {
    let Some(kind) = record_kind(set) else { return Ok(0) };
    if changed.is_empty() {
        return Ok(0);
    }
    let subscribed = store::outbox::subscribed(tx, job.account).await?;
    let folder_id = folder.to_string();
    let mut queued = 0;
    for c in changed {
        if !subscribed.contains(&record_event(kind, change(c.change))) {
            continue;
        }
        let record = c.body.as_deref().and_then(|b| answered(kind, b));
        // The id the API answers (an entry is stored under MyUnisoft's own).
        let id = record.as_ref().and_then(|r| r["id"].as_str()).unwrap_or(&c.id).to_owned();
        let record = record.filter(|_| c.change != RecordChange::Removed);
        let event = Event::record(
            job.consumer,
            job.connection,
            Some(&folder_id),
            kind,
            change(c.change),
            &id,
            record,
        );
        queued += outbox::enqueue(tx, job.account, &event).await?;
    }
    Ok(queued)
}
