//! Journal entries from MAD entries: per fiscal year, posted ones and (when asked) pending ones;
//! read whole, or streamed in bounded batches for the data layer.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::client::Call;
use super::error::SOFTWARE;
use super::mapping::entry::journal_entry;
use super::streamed::Batcher;
use super::{dto, MyUnisoft};
use crate::connectors::{
    Analytics, Batches, ConnectorError, ConnectorResult, FolderScope, JournalEntries, Ledger,
};
use crate::domain::accounting::BookYear;
use crate::domain::journal_entry::JournalEntry;
use crate::domain::Resource;

impl MyUnisoft {
    /// The default analytic plan: the first axis by id, when the folder has analytics.
    async fn default_plan(&self, scope: FolderScope<'_>) -> ConnectorResult<Option<String>> {
        let plans = self.analytic_plans(scope).await?;
        Ok(plans.into_iter().min_by_key(|p| p.id.parse::<i64>().unwrap_or(i64::MAX)).map(|p| p.id))
    }
}

impl MyUnisoft {
    /// `GET /mad/entry?id=` (an entry id, an invoice number or a partner id), then among pending
    /// entries; the entry and whether it is posted.
    pub(super) async fn mad_entry(
        &self,
        scope: FolderScope<'_>,
        id: &str,
    ) -> ConnectorResult<(dto::MadEntry, bool)> {
        let call = || Call::get("/mad/entry").query("version", "1.0.0").query("id", id);
        for (call, posted) in [(call(), true), (call().query("draft", true), false)] {
            match self.fresh::<dto::MadEntry>(scope, call).await {
                Ok(entry) => return Ok((entry, posted)),
                Err(ConnectorError::Rejected { status: 404, .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(ConnectorError::NotFound {
            software: SOFTWARE,
            resource: Resource::JournalEntry,
            id: id.to_owned(),
        })
    }
}

/// `GET /mad/entries?idExercice=` for each fiscal year meeting the window (`startDate` and
/// `endDate` for the part of a year it covers, so that a page of a short window reads that
/// window only); `draft=true` added, it answers only pending entries.
fn year_calls(years: &[BookYear], from: Option<NaiveDate>, to: Option<NaiveDate>) -> Vec<Call> {
    let meets = |y: &&BookYear| from.is_none_or(|f| y.end >= f) && to.is_none_or(|t| y.start <= t);
    years
        .iter()
        .filter(meets)
        .map(|year| {
            let start = from.map_or(year.start, |f| f.max(year.start));
            let end = to.map_or(year.end, |t| t.min(year.end));
            let call = Call::get("/mad/entries").query("version", "1.0.0");
            if (start, end) == (year.start, year.end) {
                call.query("idExercice", &year.id)
            } else {
                call.query("startDate", start).query("endDate", end)
            }
        })
        .collect()
}

#[async_trait]
impl JournalEntries for MyUnisoft {
    /// The answers of [`year_calls`], pending entries too when they are wanted.
    async fn journal_entries(
        &self,
        scope: FolderScope<'_>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        unposted: bool,
    ) -> ConnectorResult<Vec<JournalEntry>> {
        let plan = self.default_plan(scope).await?;
        let years = self.bookyears(scope).await?;
        let mut out = vec![];
        for call in year_calls(&years, from, to) {
            let posted: Vec<dto::MadEntry> = self.fresh(scope, call.clone()).await?;
            out.extend(posted.iter().map(|e| journal_entry(e, true, plan.as_deref())));
            if unposted {
                let pending: Vec<dto::MadEntry> =
                    self.fresh(scope, call.query("draft", true)).await?;
                out.extend(pending.iter().map(|e| journal_entry(e, false, plan.as_deref())));
            }
        }
        Ok(out)
    }

    /// The same calls as [`JournalEntries::journal_entries`] (pending entries included), each
    /// answer read as it arrives.
    async fn stream_journal_entries(
        &self,
        scope: FolderScope<'_>,
        from: Option<NaiveDate>,
        batches: Batches<JournalEntry>,
    ) -> ConnectorResult<()> {
        let plan = self.default_plan(scope).await?;
        let years = self.bookyears(scope).await?;
        for call in year_calls(&years, from, None) {
            for (call, posted) in [(call.clone(), true), (call.query("draft", true), false)] {
                let path = call.path;
                let plan = plan.clone();
                let visit = move |sink: &mut Batcher<JournalEntry>, e: dto::MadEntry| {
                    sink.push(journal_entry(&e, posted, plan.as_deref()))
                };
                let sink = Batcher::new(batches.clone());
                let sink = self.each_element(scope, call, Arc::default(), sink, visit).await?;
                sink.flush(path).await?;
            }
        }
        Ok(())
    }

    async fn journal_entry(
        &self,
        scope: FolderScope<'_>,
        id: &str,
    ) -> ConnectorResult<JournalEntry> {
        let plan = self.default_plan(scope).await?;
        let (entry, posted) = self.mad_entry(scope, id).await?;
        Ok(journal_entry(&entry, posted, plan.as_deref()))
    }

    /// `GET /mad/entries?startDate&endDate&dateFilter=myunisoft`, posted then pending.
    async fn entries_recorded(
        &self,
        scope: FolderScope<'_>,
        since: NaiveDate,
        until: NaiveDate,
    ) -> ConnectorResult<Vec<JournalEntry>> {
        let plan = self.default_plan(scope).await?;
        let call = || {
            Call::get("/mad/entries")
                .query("version", "1.0.0")
                .query("startDate", since)
                .query("endDate", until)
                .query("dateFilter", "myunisoft")
        };
        let posted: Vec<dto::MadEntry> = self.fresh(scope, call()).await?;
        let pending: Vec<dto::MadEntry> = self.fresh(scope, call().query("draft", true)).await?;
        let posted = posted.iter().map(|e| journal_entry(e, true, plan.as_deref()));
        let pending = pending.iter().map(|e| journal_entry(e, false, plan.as_deref()));
        Ok(posted.chain(pending).collect())
    }
}
