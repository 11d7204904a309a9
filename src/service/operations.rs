//! Miscellaneous operations: entries of the folder's miscellaneous (OD-family) journals, and
//! operations written as entries (the rules are in [`crate::booking::operations`]).

use crate::booking::operations::{operation, posting};
use crate::domain::accounting::JournalType;
use crate::domain::journal_entry::EntryFilter;
use crate::domain::operation::{Operation, OperationIn};
use crate::domain::Resource;
use crate::error::{AppError, Result};
use crate::service::accounting::{ledger, Context};
use crate::service::{journal_entries, postings};
use crate::state::AppState;

async fn od_journals(s: &AppState, ctx: &Context, folder: Option<&str>) -> Result<Vec<String>> {
    let journals = ledger(s, ctx)?.journals(ctx.folder(s, folder).await?).await?;
    Ok(journals
        .into_iter()
        .filter(|j| j.journal_type == JournalType::MiscellaneousOperation)
        .map(|j| j.id)
        .collect())
}

/// Operations of the miscellaneous journals (or of `journal_ids`) within the window.
pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    window: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    journal_ids: Option<Vec<String>>,
) -> Result<Vec<Operation>> {
    let journals = match journal_ids {
        Some(ids) => ids,
        None => od_journals(s, ctx, folder).await?,
    };
    let filter = EntryFilter {
        unposted_allowed: true,
        date_from: window.0,
        date_to: window.1,
        ..EntryFilter::default()
    };
    let entries = journal_entries::list(s, ctx, folder, &filter).await?;
    Ok(entries.iter().filter(|e| journals.contains(&e.journal_id)).map(operation).collect())
}

pub async fn get(s: &AppState, ctx: &Context, folder: Option<&str>, id: &str) -> Result<Operation> {
    let entry = journal_entries::get(s, ctx, folder, id).await?;
    if !od_journals(s, ctx, folder).await?.contains(&entry.journal_id) {
        return Err(AppError::NotFound {
            resource: Resource::MiscellaneousOperation,
            id: id.to_owned(),
        });
    }
    Ok(operation(&entry))
}

pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    op: &OperationIn,
) -> Result<Operation> {
    let wanted = op.lines.iter().any(|l| l.analytic_account.is_some());
    let plan = postings::default_plan(s, ctx, folder, wanted).await?;
    let posting = posting(op, plan.as_deref())?;
    let scope = ctx.folder(s, folder).await?;
    let entry = postings::post(s, ctx, scope, &posting).await?;
    let mut out = operation(&entry);
    out.operation_number = op.operation_number.clone().or(out.operation_number);
    Ok(out)
}
