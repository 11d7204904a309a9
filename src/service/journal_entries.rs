//! Journal entries: reads (the connector fetches the fiscal years a window meets, the filters
//! are applied here) and `GenericJournalEntry` posted (the rules are in
//! [`booking::journal_entries`]).

use crate::booking;
use crate::connectors::JournalEntries;
use crate::domain::journal_entry::{EntryFilter, GenericJournalEntry, JournalEntry};
use crate::error::{AppError, Result};
use crate::service::accounting::{ledger, Context};
use crate::service::postings;
use crate::state::AppState;

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn JournalEntries> {
    let kind = ctx.connection.kind;
    s.connectors
        .journal_entries(kind)
        .ok_or(AppError::NotSupported { resource: "journal entries", connector: kind.name() })
}

/// Whether an entry passes the filter; with `partner_id`, only that partner's lines are kept.
fn select(mut e: JournalEntry, f: &EntryFilter) -> Option<JournalEntry> {
    if !f.admits(&e) {
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

/// Creates a journal entry and answers it as read back.
pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    entry: &GenericJournalEntry,
) -> Result<JournalEntry> {
    let scope = ctx.folder(s, folder).await?;
    let needs_codes = entry.items.iter().any(|i| i.tax_info.is_some());
    let codes = if needs_codes { ledger(s, ctx)?.vat_codes(scope).await? } else { vec![] };
    let posting = booking::journal_entries::posting(entry, &codes)?;
    postings::post(s, ctx, scope, &posting).await
}
