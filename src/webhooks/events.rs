//! The events Passerelle announces and their bodies. Every body holds Chift's common fields
//! (`accountid`, `event`, `consumerid`, `created` in Unix seconds) and the event's own; an
//! accounting record event carries the record as the API answers it under `record`, left out for
//! subscriptions that asked for thin events.

use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The accounting records whose changes are announced, as `accounting.<name>.<change>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Client,
    Supplier,
    JournalEntry,
    Invoice,
    AnalyticAccount,
    Account,
    BookYear,
}

impl RecordKind {
    pub const ALL: [RecordKind; 7] = [
        Self::Client,
        Self::Supplier,
        Self::JournalEntry,
        Self::Invoice,
        Self::AnalyticAccount,
        Self::Account,
        Self::BookYear,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Supplier => "supplier",
            Self::JournalEntry => "journal_entry",
            Self::Invoice => "invoice",
            Self::AnalyticAccount => "analytic_account",
            Self::Account => "account",
            Self::BookYear => "bookyear",
        }
    }
}

/// What happened to a record (a book year's closing is an update; so is an invoice's payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Deleted,
}

impl Change {
    pub const ALL: [Change; 3] = [Self::Created, Self::Updated, Self::Deleted];

    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }
}

/// Chift's platform events Passerelle emits.
pub const CONNECTION_CREATED: &str = "account.connection.created";
pub const CONNECTION_UPDATED: &str = "account.connection.updated";
pub const CONNECTION_DELETED: &str = "account.connection.deleted";
pub const DATALAYER_REFRESHED: &str = "account.datalayer.refresh_executed";
pub const ISSUE_CREATED: &str = "account.issue.created";

/// Every event a webhook can subscribe to, with the API it belongs to (`GET /webhooks/list`).
pub fn catalogue() -> Vec<(String, Option<&'static str>)> {
    let mut all: Vec<(String, Option<&'static str>)> = [
        CONNECTION_CREATED,
        CONNECTION_UPDATED,
        CONNECTION_DELETED,
        DATALAYER_REFRESHED,
        ISSUE_CREATED,
    ]
    .into_iter()
    .map(|e| (e.to_owned(), None))
    .collect();
    for kind in RecordKind::ALL {
        for change in Change::ALL {
            all.push((record_event(kind, change), Some("Accounting")));
        }
    }
    all
}

pub fn record_event(kind: RecordKind, change: Change) -> String {
    format!("accounting.{}.{}", kind.name(), change.name())
}

/// An event to announce: its name, the consumer concerned, what orders it (deliveries about one
/// record arrive in order) and its own fields.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub consumer: Option<Uuid>,
    /// Events with the same key reach each webhook in the order they were written.
    pub record_key: String,
    fields: Map<String, Value>,
    /// The record as the API answers it (left out of thin events).
    record: Option<Value>,
}

impl Event {
    fn new(name: impl Into<String>, consumer: Option<Uuid>, record_key: String) -> Self {
        Self { name: name.into(), consumer, record_key, fields: Map::new(), record: None }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.fields.insert(key.to_owned(), value);
        self
    }

    /// `account.connection.created|updated|deleted`: `connectionid`, `status`, `integrationid`.
    pub fn connection(
        name: &'static str,
        consumer: Uuid,
        connection: Uuid,
        status: &str,
        integration_id: i64,
    ) -> Self {
        Self::new(name, Some(consumer), format!("connection/{connection}"))
            .with("connectionid", json!(connection))
            .with("status", json!(status))
            .with("integrationid", json!(integration_id))
    }

    /// `account.issue.created`: `issueid`, `connectionid`, `error_code`, `level`.
    pub fn issue_created(
        consumer: Option<Uuid>,
        issue: Uuid,
        subject: Uuid,
        error_code: &str,
        level: &str,
    ) -> Self {
        Self::new(ISSUE_CREATED, consumer, format!("issue/{issue}"))
            .with("issueid", json!(issue))
            .with("connectionid", json!(subject))
            .with("error_code", json!(error_code))
            .with("level", json!(level))
    }

    /// `account.datalayer.refresh_executed`: a sync run of the connection's data layer ended;
    /// `status` `ok` or `failed`, with its `error`.
    pub fn datalayer_refreshed(consumer: Uuid, connection: Uuid, error: Option<&str>) -> Self {
        let status = if error.is_some() { "failed" } else { "ok" };
        Self::new(DATALAYER_REFRESHED, Some(consumer), format!("datalayer/{connection}"))
            .with("connectionid", json!(connection))
            .with("status", json!(status))
            .with("error", json!(error))
    }

    /// `accounting.<record>.<change>`: `connectionid`, `folder_id`, `record_type`, `record_id`,
    /// `change`, and `record` (the record as the API answers it; none for a deletion).
    pub fn record(
        consumer: Uuid,
        connection: Uuid,
        folder_id: Option<&str>,
        kind: RecordKind,
        change: Change,
        record_id: &str,
        record: Option<Value>,
    ) -> Self {
        let key = format!("{}/{}/{}", connection, kind.name(), record_id);
        let mut event = Self::new(record_event(kind, change), Some(consumer), key)
            .with("connectionid", json!(connection))
            .with("folder_id", json!(folder_id))
            .with("record_type", json!(kind.name()))
            .with("record_id", json!(record_id))
            .with("change", json!(change.name()));
        event.record = record;
        event
    }

    /// The body sent (compact JSON, as signed): full, and thin (without the record).
    pub fn bodies(&self, account: Uuid, created: i64) -> (String, String) {
        let mut body = Map::new();
        body.insert("accountid".into(), json!(account));
        body.insert("event".into(), json!(self.name));
        body.insert("consumerid".into(), json!(self.consumer));
        body.insert("created".into(), json!(created));
        body.extend(self.fields.clone());
        let thin = Value::Object(body.clone()).to_string();
        if let Some(record) = &self.record {
            body.insert("record".into(), record.clone());
        }
        (Value::Object(body).to_string(), thin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_event_is_named_after_its_record_and_change_and_thin_leaves_the_record_out() {
        let (consumer, connection, account) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let record = json!({"id": "12", "name": "Dupont"});
        let e = Event::record(
            consumer,
            connection,
            Some("7"),
            RecordKind::Client,
            Change::Created,
            "12",
            Some(record.clone()),
        );
        assert_eq!(e.name, "accounting.client.created");
        let (full, thin) = e.bodies(account, 1_700_000_000);
        let full: Value = serde_json::from_str(&full).unwrap();
        let thin: Value = serde_json::from_str(&thin).unwrap();
        assert_eq!(full["record"], record);
        assert_eq!(full["accountid"], json!(account));
        assert_eq!(full["created"], 1_700_000_000);
        assert_eq!(thin["record_id"], "12");
        assert!(thin.get("record").is_none());
        assert_eq!(catalogue().len(), 5 + 7 * 3);
    }
}
