//! Journal entries as read: the connector fetches the fiscal years a window meets, the filters
//! are applied here.

use crate::app::AppState;
use crate::connectors::JournalEntries;
use crate::domain::journal_entry::{EntryFilter, JournalEntry};
use crate::error::{AppError, Result};
use crate::service::accounting::Context;

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn JournalEntries> {
    let kind = ctx.connection.kind;
    s.connectors
        .journal_entries(kind)
        .ok_or(AppError::NotSupported { resource: "journal entries", connector: kind.name() })
}

/// Whether an entry passes the filter; with `partner_id`, only that partner's lines are kept.
fn select(mut e: JournalEntry, f: &EntryFilter) -> Option<JournalEntry> {
    let in_window =
        f.date_from.is_none_or(|d| e.date >= d) && f.date_to.is_none_or(|d| e.date <= d);
    let in_journal = f.journal_id.as_ref().is_none_or(|j| &e.journal_id == j);
    // MyUnisoft keeps no modification date: an entry counts as updated when it was recorded.
    let changed = match (f.updated_after, e.created_on) {
        (Some(after), Some(created)) => created > after,
        _ => true,
    };
    if !(in_window && in_journal && changed) {
        return None;
    }
    if let Some(partner) = &f.partner_id {
        e.items.retain(|i| i.partner_id.as_ref() == Some(partner));
        if e.items.is_empty() {
            return None;
        }
    }
    Some(e)
}

/// The entries of the folder matching `filter`, by date then id.
pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    filter: &EntryFilter,
) -> Result<Vec<JournalEntry>> {
    let scope = ctx.folder(s, folder).await?;
    let all = connector(s, ctx)?
        .journal_entries(scope, filter.date_from, filter.date_to, filter.unposted_allowed)
        .await?;
    let mut entries: Vec<_> = all.into_iter().filter_map(|e| select(e, filter)).collect();
    entries.sort_by(|a, b| (a.date, &a.entry_id).cmp(&(b.date, &b.entry_id)));
    Ok(entries)
}

pub async fn get(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
) -> Result<JournalEntry> {
    Ok(connector(s, ctx)?.journal_entry(ctx.folder(s, folder).await?, id).await?)
}
