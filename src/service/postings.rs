//! The path every write that becomes an entry takes: the shared checks, one exactly-once post
//! through the connector, and `x-chift-client-requestid` idempotency (see
//! [`crate::service::idempotent`]: a replay of a done request answers 409, of an uncertain one
//! resumes it, and `GET …/transactions` reports the outcome).

use std::future::Future;

use uuid::Uuid;

use crate::connectors::{FolderScope, Postings};
use crate::domain::journal_entry::JournalEntry;
use crate::domain::posting::{Matched, Posting};
use crate::domain::write::Write;
use crate::error::Result;
use crate::service::accounting::{analytic_plans, unsupported, Context};
use crate::service::idempotent;
use crate::state::AppState;
use crate::store::IdempotencyKey;

/// Which write a client request id was used for, as `GET …/transactions` reports it.
#[derive(Debug, Clone)]
pub struct Replay<'a> {
    pub client_request_id: Option<&'a str>,
    pub method: &'a str,
    pub route: &'a str,
}

tokio::task_local! {
    /// The write of the request being served, for what [`post`] and attachments send upstream.
    static WRITE: Write;
}

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn Postings> {
    s.connectors.postings(ctx.kind()).ok_or_else(|| unsupported("writing entries", ctx.kind()))
}

/// Runs `work` once per client request id: a replay of a done request answers 409
/// `REQUEST_ALREADY_PROCESSED`, of a running one `REQUEST_IN_PROCESS`; a replay of a request
/// whose outcome was uncertain (or whose owner died) runs `work` again as the same write, which
/// settles what the first try sent before sending anything. The outcome (status and the id
/// `created` gives) is recorded either way. Each request posts at most one entry.
pub async fn once<T>(
    s: &AppState,
    ctx: &Context,
    replay: &Replay<'_>,
    created: impl Fn(&T) -> Option<String>,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(id) = replay.client_request_id else { return work.await };
    let key = IdempotencyKey { consumer_id: ctx.consumer, client_request_id: id.to_owned() };
    let route = (replay.method, replay.route);
    let claim = idempotent::claim(s, key, route, ctx.connection.id, Uuid::new_v4()).await?;
    let write = claim.write;
    claim.run(s, created, WRITE.scope(write, work)).await
}

/// The write being served: its request's, else a new one.
pub fn current_write() -> Write {
    WRITE.try_with(|w| *w).unwrap_or_else(|_| Write::fresh())
}

/// Checks `posting` and posts it once; answers the entry as read back.
pub async fn post(
    s: &AppState,
    ctx: &Context,
    scope: FolderScope<'_>,
    posting: &Posting,
) -> Result<JournalEntry> {
    posting.check()?;
    Ok(connector(s, ctx)?.post(scope, posting, current_write()).await?)
}

/// The entry this request's write posted, when it resumes one whose entry landed.
pub async fn landed(
    s: &AppState,
    ctx: &Context,
    scope: FolderScope<'_>,
) -> Result<Option<JournalEntry>> {
    let write = current_write();
    if !write.resumed {
        return Ok(None);
    }
    Ok(connector(s, ctx)?.landed(scope, write).await?)
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
