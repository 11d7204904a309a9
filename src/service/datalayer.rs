//! The data layer's use cases: enable, refresh and disable it on a connection, tell its state,
//! and decide how one read is served.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use uuid::Uuid;

use crate::auth::tenant::TenantContext;
use crate::datalayer::read::ReadPlan;
use crate::datalayer::sync::Group;
use crate::datalayer::webhooks::{self, Refresh};
use crate::domain::connection::{ConnectionFacts, ConnectionStatus};
use crate::domain::Invalid;
use crate::error::{AppError, Result};
use crate::service::accounting::{self, Selector};
use crate::service::connections;
use crate::state::AppState;
use crate::store::{now_micros, Enabled};

/// `DatalayerStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    NotEnabled,
    Syncing,
    Ready,
    /// Served, but the last sync failed: the stored copy may lag behind.
    Stale,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotEnabled => "not_enabled",
            Status::Syncing => "syncing",
            Status::Ready => "ready",
            Status::Stale => "stale",
        }
    }
}

/// `DatalayerInfo`, with what the headers of a read tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    pub status: Status,
    pub last_sync: Option<DateTime<Utc>>,
    pub covered_from: Option<NaiveDate>,
    pub covers_all: bool,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub webhooks: Webhooks,
}

/// Whether MyUnisoft tells the data layer of changes between its runs on the cadence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Webhooks {
    Subscribed,
    /// MyUnisoft refused the subscription, for this reason: the connection polls.
    Refused(String),
    /// Society tokens are offered no webhooks: the connection polls.
    NotOffered,
}

impl Webhooks {
    pub fn as_str(&self) -> &'static str {
        match self {
            Webhooks::Subscribed => "subscribed",
            Webhooks::Refused(_) => "refused",
            Webhooks::NotOffered => "not_offered",
        }
    }
}

impl Info {
    pub fn of(enabled: Option<&Enabled>) -> Self {
        let Some(e) = enabled else {
            return Info {
                status: Status::NotEnabled,
                last_sync: None,
                covered_from: None,
                covers_all: false,
                last_error: None,
                last_error_at: None,
                webhooks: Webhooks::NotOffered,
            };
        };
        let status = match (e.last_sync_at, &e.last_error) {
            (None, _) => Status::Syncing,
            (Some(_), Some(_)) => Status::Stale,
            (Some(_), None) => Status::Ready,
        };
        Info {
            status,
            last_sync: e.last_sync_at,
            covered_from: e.covered_from,
            covers_all: e.covers_all,
            last_error: e.last_error.clone(),
            last_error_at: e.last_error_at.and_then(DateTime::from_timestamp_micros),
            webhooks: match (&e.webhook_id, &e.webhook_refused) {
                (Some(_), _) => Webhooks::Subscribed,
                (None, Some(reason)) => Webhooks::Refused(reason.clone()),
                (None, None) => Webhooks::NotOffered,
            },
        }
    }
}

/// What to keep (`DatalayerEnableBody`).
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub from_date: Option<NaiveDate>,
    pub fiscal_years_back: Option<u32>,
    pub full_history: bool,
    pub entity_filter: Option<BTreeMap<String, Vec<String>>>,
}

impl Window {
    /// The first accounting date kept (`None`: all of them) and the folders kept (`None`: all).
    pub fn resolve(
        &self,
        today: NaiveDate,
    ) -> Result<(Option<NaiveDate>, Option<Vec<i64>>), Invalid> {
        let given = [self.from_date.is_some(), self.fiscal_years_back.is_some(), self.full_history];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(Invalid::body(
                "from_date",
                "give one of from_date, fiscal_years_back and full_history",
            ));
        }
        let from = match (self.from_date, self.fiscal_years_back, self.full_history) {
            (Some(d), _, _) if d > today => {
                return Err(Invalid::body("from_date", "must not be in the future"))
            }
            (Some(d), _, _) => Some(d),
            (None, Some(n), _) => {
                let year = today.year() - i32::try_from(n).unwrap_or(i32::MAX).min(100);
                NaiveDate::from_ymd_opt(year, 1, 1)
            }
            (None, None, true) => None,
            (None, None, false) => today.checked_sub_months(Months::new(12)),
        };
        let folders = match &self.entity_filter {
            None => None,
            Some(filter) => {
                if let Some(other) = filter.keys().find(|k| k.as_str() != "folder_ids") {
                    return Err(Invalid::body(
                        format!("entity_filter.{other}"),
                        "only folder_ids is known",
                    ));
                }
                filter
                    .get("folder_ids")
                    .map(|ids| {
                        ids.iter()
                            .map(|id| {
                                id.trim().parse::<i64>().map_err(|_| {
                                    Invalid::body(
                                        "entity_filter.folder_ids",
                                        "each must be a folder id from GET …/accounting/folders",
                                    )
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()?
            }
        };
        Ok((from, folders))
    }
}

/// The connection, when the tenant owns it.
async fn owned(s: &AppState, t: &TenantContext, consumer: Uuid, id: Uuid) -> Result<()> {
    connections::get(s, t, consumer, id).await.map(|_| ())
}

pub async fn info(s: &AppState, connection: Uuid) -> Result<Info> {
    Ok(Info::of(s.store.datalayer().get(connection).await?.as_ref()))
}

/// Enables the data layer on a connection: its first sync is due at once.
pub async fn enable(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    id: Uuid,
    window: &Window,
) -> Result<Info> {
    let connection = connections::get(s, t, consumer, id).await?;
    if connection.status != ConnectionStatus::Active || connection.facts.is_none() {
        return Err(Invalid::path("connection_id", "must be an active connection").into());
    }
    let (from_date, folders) = window.resolve(Utc::now().date_naive())?;
    let enabled = Enabled::new(id, t.account_id, consumer, from_date, folders);
    s.store.datalayer().enable(&enabled, now_micros()).await?;
    tracing::info!(connection.id = %id, ?from_date, "data layer enabled");
    if matches!(connection.facts, Some(ConnectionFacts::Firm { .. })) {
        subscribe(s, t, consumer, id).await?;
    }
    info(s, id).await
}

/// The events that change what the data layer keeps.
const EVENTS: [&str; 6] = [
    "accountingLineEntry",
    "accountingEntryLettering",
    "thirdParty",
    "exercice",
    "accountingFolder",
    "connector",
];

/// Subscribes a firm-token connection to MyUnisoft's webhooks (once); a refusal leaves it
/// polling on its cadence.
async fn subscribe(s: &AppState, t: &TenantContext, consumer: Uuid, id: Uuid) -> Result<()> {
    let store = s.store.datalayer();
    if store.get(id).await?.is_some_and(|e| e.webhook_id.is_some()) {
        return Ok(());
    }
    let selector = Selector { connection: Some(id), folder: None };
    let connection = accounting::context(s, t, consumer, &selector).await?.connection;
    let url = format!("{}/myunisoft/webhooks", s.public_url);
    let subscriptions = s.connectors.subscriptions(connection.kind);
    match subscriptions.subscribe(&connection, &url, &EVENTS).await {
        Ok(webhook) => {
            store.set_webhook(id, Some(&webhook)).await?;
            tracing::info!(connection.id = %id, %webhook, "subscribed to MyUnisoft webhooks");
        }
        Err(e) => {
            tracing::warn!(connection.id = %id, error = %e, "webhooks refused; the data layer polls");
            store.set_webhook_refused(id, &e.to_string()).await?;
        }
    }
    Ok(())
}

/// Asks for a sync now; `false` when the data layer is not enabled on the connection.
pub async fn refresh(s: &AppState, t: &TenantContext, consumer: Uuid, id: Uuid) -> Result<bool> {
    owned(s, t, consumer, id).await?;
    Ok(s.store.datalayer().request_run(id, now_micros()).await?)
}

/// Disables it and drops what was stored (unsubscribing from MyUnisoft's webhooks).
pub async fn disable(s: &AppState, t: &TenantContext, consumer: Uuid, id: Uuid) -> Result<()> {
    owned(s, t, consumer, id).await?;
    if let Some(webhook) = s.store.datalayer().get(id).await?.and_then(|e| e.webhook_id) {
        unsubscribe(s, t, consumer, id, &webhook).await;
    }
    if s.store.datalayer().disable(id).await? {
        tracing::info!(connection.id = %id, "data layer disabled; stored records dropped");
    }
    Ok(())
}

/// Unsubscribes the webhooks of every connection of a consumer about to be deleted (its rows
/// go with it).
pub async fn forget_consumer(s: &AppState, t: &TenantContext, consumer: Uuid) -> Result<()> {
    for enabled in s.store.datalayer().of_consumer(consumer).await? {
        if let Some(webhook) = &enabled.webhook_id {
            unsubscribe(s, t, consumer, enabled.connection, webhook).await;
        }
    }
    Ok(())
}

/// Deletes MyUnisoft's webhook subscription of a connection; a failure is logged (the data
/// layer is going anyway).
async fn unsubscribe(s: &AppState, t: &TenantContext, consumer: Uuid, id: Uuid, webhook: &str) {
    let selector = Selector { connection: Some(id), folder: None };
    match accounting::context(s, t, consumer, &selector).await {
        Ok(ctx) => {
            let subscriptions = s.connectors.subscriptions(ctx.connection.kind);
            if let Err(e) = subscriptions.unsubscribe(&ctx.connection, webhook).await {
                tracing::warn!(connection.id = %id, error = %e, "webhook not unsubscribed");
            }
        }
        Err(e) => tracing::warn!(connection.id = %id, error = %e, "webhook not unsubscribed"),
    }
}

/// How a read asks to be served (`x-chift-datalayer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// `true`: from the store, or an error.
    Required,
    /// `if_available`: from the store when ready, else live.
    IfAvailable,
}

/// How a read is served: live, or from the store with what its headers tell.
pub enum Served {
    Live,
    Stored { plan: Arc<ReadPlan>, info: Info },
}

/// Decides how a read of `consumer`'s connection (picked as every accounting call picks it)
/// is served.
pub async fn serve(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    connection: Option<Uuid>,
    asked: Asked,
) -> Result<Served> {
    let selector = Selector { connection, folder: None };
    let ctx = accounting::context(s, t, consumer, &selector).await?;
    let id = ctx.connection.id;
    let info = info(s, id).await?;
    match (info.status, asked) {
        (Status::Ready | Status::Stale, _) => {
            let plan = Arc::new(ReadPlan::new(id, info.covered_from, info.covers_all));
            Ok(Served::Stored { plan, info })
        }
        (_, Asked::IfAvailable) => Ok(Served::Live),
        (Status::Syncing, Asked::Required) => {
            Err(AppError::DatalayerSyncPending { connection: id.to_string() })
        }
        (Status::NotEnabled, Asked::Required) => {
            Err(AppError::DatalayerNotEnabled { connection: id.to_string() })
        }
    }
}

/// Schedules the syncs a verified webhook delivery asks for: every enabled connection reaching
/// a folder named is due now, for the groups of sets its events touched. `false` when the
/// delivery (by its signature) was accepted already.
pub async fn delivery(s: &AppState, signature: &str, refreshes: &[Refresh]) -> Result<bool> {
    let now = now_micros();
    let forget_before = now - webhooks::TOLERANCE_MS * 2 * 1000;
    let store = s.store.datalayer();
    let mut due: Vec<(Uuid, Option<Vec<&str>>)> = Vec::new();
    let enabled = if refreshes.is_empty() { Vec::new() } else { store.all().await? };
    for (enabled, facts) in enabled {
        let Some(facts) = facts else { continue };
        let reaches = |folder: i64| facts.served_folders().contains(&folder);
        let asked: Vec<Option<Group>> =
            refreshes.iter().filter(|r| r.folder.is_none_or(reaches)).map(|r| r.group).collect();
        if asked.is_empty() {
            continue;
        }
        tracing::info!(connection.id = %enabled.connection, ?asked, "webhook: sync due now");
        due.push((enabled.connection, asked.iter().map(|g| g.map(Group::as_str)).collect()));
    }
    // The signature is recorded with the syncs it schedules: a failure records neither.
    Ok(store.accept_delivery(signature, &due, now, forget_before).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_window_defaults_to_one_year_back() {
        let (from, folders) = Window::default().resolve(day("2026-12-06")).unwrap();
        assert_eq!((from, folders), (Some(day("2025-12-06")), None));
        let all = Window { full_history: true, ..Window::default() };
        assert_eq!(all.resolve(day("2026-12-06")).unwrap().0, None);
        let back = Window { fiscal_years_back: Some(2), ..Window::default() };
        assert_eq!(back.resolve(day("2026-12-06")).unwrap().0, Some(day("2024-01-01")));
    }

    #[test]
    fn a_bad_window_names_its_field() {
        let today = day("2026-12-06");
        let future = Window { from_date: Some(day("2027-01-01")), ..Window::default() };
        assert_eq!(future.resolve(today).unwrap_err().field, "from_date");
        let both =
            Window { from_date: Some(day("2026-01-01")), full_history: true, ..Window::default() };
        assert_eq!(both.resolve(today).unwrap_err().field, "from_date");
        let filter = |k: &str, v: &str| Window {
            entity_filter: Some([(k.to_owned(), vec![v.to_owned()])].into()),
            ..Window::default()
        };
        assert_eq!(
            filter("folder_ids", "x").resolve(today).unwrap_err().field,
            "entity_filter.folder_ids"
        );
        assert_eq!(filter("shops", "1").resolve(today).unwrap_err().field, "entity_filter.shops");
        assert_eq!(filter("folder_ids", "7").resolve(today).unwrap().1, Some(vec![7]));
    }
}
