//! `/journal/entries`: journal entries as read (MyUnisoft MAD entries).

use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{alias, Accounting, EntryWriteQuery, FolderQuery, Page, Pagination, Verb, WithRaw};
use crate::api::detach::detached;
use crate::api::extract::{
    max_chars, not_blank, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate,
};
use crate::domain::journal_entry::{EntryFilter, GenericJournalEntry, JournalEntry};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::journal_entries as service;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    /// Include pending entries (MyUnisoft "en attente").
    pub unposted_allowed: bool,
    /// A journal id.
    pub journal_id: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    /// Entries recorded after this instant (MyUnisoft keeps no modification date).
    pub updated_after: Option<DateTime<Utc>>,
    /// Only this client's or supplier's lines (entries may then look unbalanced).
    pub partner_id: Option<String>,
}

/// Journal entries by date. Lines are in EUR, the folder's currency (`document_currency` and
/// `document_exchange_rate` give a foreign document's own); each line has `analytic_account` (the
/// default plan's largest share; the default plan is the first analytic axis by id) and the full
/// `analytic_distribution`. `id` is the partner id an entry was created with, else MyUnisoft's.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/journal/entries", tag = "Accounting",
    operation_id = "accounting_get_journal_entries", params(ConsumerPath, EntriesQuery),
    responses((status = 200, body = Page<JournalEntry>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_journal_entries(
    ValidQuery(q): ValidQuery<EntriesQuery>,
    a: Accounting,
) -> Result<Json<Page<JournalEntry>>> {
    let page = Pagination::new(q.page, q.size)?;
    if let (Some(from), Some(to)) = (q.date_from, q.date_to) {
        if from > to {
            return Err(Invalid::query("date_from", "must not be after date_to").into());
        }
    }
    let filter = EntryFilter {
        unposted_allowed: q.unposted_allowed,
        journal_id: q.journal_id,
        date_from: q.date_from,
        date_to: q.date_to,
        updated_after: q.updated_after,
        partner_id: q.partner_id,
    };
    a.paged(page, service::list(&a.state, &a.ctx, q.folder_id.as_deref(), &filter)).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntryPath {
    /// The entry's id: its partner id, MyUnisoft's entry id or its invoice number.
    pub journal_entry_id: String,
}

/// One journal entry, posted or pending.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/journal/entries/{journal_entry_id}", tag = "Accounting",
    operation_id = "accounting_get_journal_entry", params(ConsumerPath, EntryPath, FolderQuery),
    responses((status = 200, body = JournalEntry), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_journal_entry(
    ValidPath(p): ValidPath<EntryPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
) -> Result<Json<WithRaw<JournalEntry>>> {
    a.single(service::get(&a.state, &a.ctx, q.folder_id.as_deref(), &p.journal_entry_id)).await
}

impl Validate for GenericJournalEntry {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("journal_id", Some(&self.journal_id))?;
        not_blank("number", Some(&self.number))?;
        if self.items.len() < 2 {
            return Err(Invalid::body("items", "at least two lines"));
        }
        max_chars("pdf_name", self.pdf_name.as_deref(), 200)
    }
}

/// Create a journal entry (MyUnisoft JSON import), sent exactly once: it carries a unique
/// partner id that is looked up before any retry. Lines are checked first (balanced to the
/// cent, one side each, labels ≤ 50, due date not before the entry date, journal vs account
/// class, analytics on classes 6/7 only); `number` and `reference` lose their separators
/// (`FA-2026/001` → `FA2026001`) and must then be 1–25 letters or digits. A line without
/// `description` is labelled with the entry number. `posted: false` creates a pending entry.
/// The answer is the entry as read back; its `id` stays valid when MyUnisoft validates it.
/// With `x-chift-client-requestid`, a replay answers 409 once the first call is done, and
/// finishes one whose outcome was uncertain (the entry found by its partner id, or sent once).
/// `force_currency_exchange` and
/// `ignore_accounting_id` are accepted and have no effect: amounts in another currency are
/// always brought to euros with `currency_exchange_rate`.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/journal-entries", tag = "Accounting",
    operation_id = "accounting_create_generic_journal_entry", params(ConsumerPath, EntryWriteQuery),
    request_body = GenericJournalEntry,
    responses((status = 200, body = JournalEntry), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_journal_entry(
    ValidQuery(q): ValidQuery<EntryWriteQuery>,
    a: Accounting,
    ValidJson(entry): ValidJson<GenericJournalEntry>,
) -> Result<Json<WithRaw<JournalEntry>>> {
    detached(async move {
        let work = service::create(&a.state, &a.ctx, q.folder_id.as_deref(), &entry);
        a.once(|e: &JournalEntry| Some(e.id.clone()), work).await
    })
    .await
}

const ENTRIES: &str = "/consumers/{consumer_id}/accounting/journal/entries";

pub fn router() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .routes(routes!(get_journal_entries))
        .routes(routes!(create_journal_entry))
        .routes(routes!(get_journal_entry));
    let router = alias(
        router,
        Verb::Get,
        (ENTRIES, "/consumers/{consumer_id}/accounting/journal/entries/multi-analytic-plans"),
        (
            "accounting_get_journal_entries_multi_analytic_plans",
            "The same entries, read with every analytic plan (`analytic_distribution`).",
        ),
        get_journal_entries,
    );
    alias(
        router,
        Verb::Post,
        ("/consumers/{consumer_id}/accounting/journal-entries", ENTRIES),
        (
            "accounting_create_journal_entry",
            "The same create under the path the Chift SDK's `JournalEntry.create` calls.",
        ),
        create_journal_entry,
    )
}
