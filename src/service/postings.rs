//! The path every write that becomes an entry takes: the shared checks, one exactly-once post
//! through the connector, and `x-chift-client-requestid` idempotency (a replay answers 409 and
//! `GET …/transactions` reports the outcome).

use std::future::Future;

use crate::connectors::{FolderScope, Postings};
use crate::domain::journal_entry::JournalEntry;
use crate::domain::posting::{Matched, Posting};
use crate::error::Result;
use crate::service::accounting::{analytic_plans, unsupported, Context};
use crate::service::connections::replayed;
use crate::state::AppState;
use crate::store::{Begun, IdempotencyKey};

/// Which write a client request id was used for, as `GET …/transactions` reports it.
#[derive(Debug, Clone)]
pub struct Replay<'a> {
    pub client_request_id: Option<&'a str>,
    pub method: &'a str,
    pub route: &'a str,
}

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn Postings> {
    s.connectors.postings(ctx.kind()).ok_or_else(|| unsupported("writing entries", ctx.kind()))
}

/// Runs `work` once per client request id: a replay of a finished request answers 409
/// `REQUEST_ALREADY_PROCESSED`, of a running one `REQUEST_IN_PROCESS`. The outcome (status and
/// the id `created` gives) is recorded either way.
pub async fn once<T>(
    s: &AppState,
    ctx: &Context,
    replay: &Replay<'_>,
    created: impl Fn(&T) -> Option<String>,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(id) = replay.client_request_id else { return work.await };
    let key = IdempotencyKey { consumer_id: ctx.consumer, client_request_id: id.to_owned() };
    let idempotency = s.store.idempotency();
    if let Begun::Seen(record) =
        idempotency.begin(&key, replay.method, replay.route, ctx.connection.id).await?
    {
        return Err(replayed(id, &record));
    }
    let outcome = work.await;
    let (status, entity) = match &outcome {
        Ok(out) => (200, created(out)),
        Err(e) => (e.classify().0.as_u16(), None),
    };
    idempotency.finish(&key, status, entity.as_deref()).await?;
    outcome
}

/// Checks `posting` and posts it once; answers the entry as read back.
pub async fn post(
    s: &AppState,
    ctx: &Context,
    scope: FolderScope<'_>,
    posting: &Posting,
) -> Result<JournalEntry> {
    posting.check()?;
    Ok(connector(s, ctx)?.post(scope, posting).await?)
}

/// The default analytic plan (the first axis by id) when `wanted`, for lines that name an
/// analytic account without a plan.
pub async fn default_plan(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    wanted: bool,
) -> Result<Option<String>> {
    if !wanted {
        return Ok(None);
    }
    let plans = analytic_plans(s, ctx, folder).await?;
    Ok(plans.into_iter().min_by_key(|p| p.id.parse::<i64>().unwrap_or(i64::MAX)).map(|p| p.id))
}

/// Letters the lines of `entries` on `partner`'s account.
pub async fn match_entries(
    s: &AppState,
    ctx: &Context,
    scope: FolderScope<'_>,
    partner: &str,
    entries: &[String],
) -> Result<Matched> {
    if partner.trim().is_empty() {
        return Err(crate::domain::Invalid::body("partner_id", "must not be empty").into());
    }
    Ok(connector(s, ctx)?.match_entries(scope, partner, entries).await?)
}
