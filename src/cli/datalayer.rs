//! `passerelle datalayer status|enable|refresh --consumer ID`: the data layer of a consumer's
//! connections, for operators. Works on the database directly (the `serve` processes sync);
//! prints one JSON line.

use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{open_store, CliResult};
use crate::store::{now_micros, Enabled, Store};

#[derive(Debug, Subcommand)]
pub enum DatalayerCommand {
    /// Each connection of the consumer: its data layer's state and the records stored by kind.
    Status {
        #[arg(long)]
        consumer: Uuid,
    },
    /// Enable the data layer on every connection of the consumer (a first sync is due at once).
    /// Webhook subscriptions are made by the API route, which knows the caller.
    Enable {
        #[arg(long)]
        consumer: Uuid,
        /// First accounting date kept; default one year back.
        #[arg(long, conflicts_with = "full_history")]
        from: Option<NaiveDate>,
        /// Keep every fiscal year.
        #[arg(long)]
        full_history: bool,
    },
    /// Make every enabled connection of the consumer due for a sync now.
    Refresh {
        #[arg(long)]
        consumer: Uuid,
    },
}

pub async fn run(command: DatalayerCommand) -> CliResult {
    let store = open_store().await?;
    let out = match command {
        DatalayerCommand::Status { consumer } => status(&store, consumer).await,
        DatalayerCommand::Enable { consumer, from, full_history } => {
            enable(&store, consumer, from, full_history).await
        }
        DatalayerCommand::Refresh { consumer } => refresh(&store, consumer).await,
    }
    .map_err(|e| format!("{e}"))?;
    println!("{out}");
    Ok(())
}

/// The consumer's account and its connections' ids.
async fn connections(
    store: &Store,
    consumer: Uuid,
) -> Result<(Uuid, Vec<Uuid>), crate::store::StoreError> {
    let Some(account) = store.consumers().account_of(consumer).await? else {
        return Err(crate::store::StoreError::Corrupt(format!("no consumer {consumer}")));
    };
    let list = store.connections().list(account, consumer).await?;
    Ok((account, list.into_iter().map(|c| c.id).collect()))
}

async fn status(store: &Store, consumer: Uuid) -> Result<Value, crate::store::StoreError> {
    let (_, ids) = connections(store, consumer).await?;
    let mut out = vec![];
    for id in ids {
        let dl = store.datalayer();
        let enabled = dl.get(id).await?;
        let counts: serde_json::Map<String, Value> =
            dl.counts(id).await?.into_iter().map(|(k, n)| (k, json!(n))).collect();
        let status = match &enabled {
            None => "not_enabled",
            Some(e) if e.last_sync_at.is_none() => "syncing",
            Some(e) if e.last_error.is_some() => "stale",
            Some(_) => "ready",
        };
        out.push(json!({
            "connection": id,
            "status": status,
            "last_sync_date": enabled.as_ref().and_then(|e| e.last_sync_at),
            "covered_from": enabled.as_ref().and_then(|e| e.covered_from),
            "last_error": enabled.as_ref().and_then(|e| e.last_error.clone()),
            "webhook": enabled.as_ref().and_then(|e| e.webhook_id.clone()),
            "records": counts,
            "runs": dl.runs(id).await?.len(),
        }));
    }
    Ok(json!({ "consumer": consumer, "connections": out }))
}

async fn enable(
    store: &Store,
    consumer: Uuid,
    from: Option<NaiveDate>,
    full_history: bool,
) -> Result<Value, crate::store::StoreError> {
    let (account, ids) = connections(store, consumer).await?;
    let from_date = match (from, full_history) {
        (_, true) => None,
        (Some(d), false) => Some(d),
        (None, false) => {
            chrono::Utc::now().date_naive().checked_sub_months(chrono::Months::new(12))
        }
    };
    for &connection in &ids {
        let enabled = Enabled {
            connection,
            account,
            consumer,
            from_date,
            folders: None,
            covered_from: None,
            covers_all: false,
            last_sync_at: None,
            next_run_at: 0,
            last_error: None,
            last_error_at: None,
            webhook_id: None,
            webhook_refused: None,
            targets: None,
        };
        store.datalayer().enable(&enabled, now_micros()).await?;
    }
    Ok(json!({ "consumer": consumer, "enabled": ids }))
}

async fn refresh(store: &Store, consumer: Uuid) -> Result<Value, crate::store::StoreError> {
    let (_, ids) = connections(store, consumer).await?;
    let mut due = vec![];
    for id in ids {
        if store.datalayer().request_run(id, now_micros()).await? {
            due.push(id);
        }
    }
    Ok(json!({ "consumer": consumer, "due": due }))
}
