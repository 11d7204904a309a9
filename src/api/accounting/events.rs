//! Writes made through Passerelle announced as `accounting.<record>.<change>` webhook events,
//! carrying the record as the API answered it (its id only for thin subscriptions).

use axum::Json;
use serde::Serialize;

use super::{Accounting, WithRaw};
use crate::domain::third_party::PartyKind;
use crate::error::Result;
use crate::webhooks::{outbox, Change, Event, RecordKind};

/// The record kind of a third party's events.
pub fn party(kind: PartyKind) -> RecordKind {
    match kind {
        PartyKind::Supplier => RecordKind::Supplier,
        _ => RecordKind::Client,
    }
}

impl Accounting {
    /// Announces the record a write answered (`answer` unchanged). The write is done upstream
    /// already: a failure to announce it is logged, not answered.
    pub async fn announced<T: Serialize>(
        &self,
        folder: Option<&str>,
        kind: RecordKind,
        change: Change,
        id: impl Fn(&T) -> String,
        answer: Result<Json<WithRaw<T>>>,
    ) -> Result<Json<WithRaw<T>>> {
        let Ok(Json(written)) = &answer else { return answer };
        let record = serde_json::to_value(&written.item).ok();
        let event = Event::record(
            self.ctx.consumer,
            self.ctx.connection.id,
            folder,
            kind,
            change,
            &id(&written.item),
            record,
        );
        if let Err(e) = outbox::publish(&self.state.store, self.account, &event).await {
            tracing::warn!(error = %e, event = %event.name, "announcing a write failed");
        }
        answer
    }
}
