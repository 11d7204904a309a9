//! Reads served from the store: a connector that wraps the live one. A request asking for the
//! data layer runs inside a [`ReadPlan`]; each read of its connection then answers the stored
//! set (the very records the live connector answered when the sync read them, so the services
//! above filter, sort and page them exactly as live) or, for a set not stored, calls live.
//! Writes always go live; once acknowledged, what they answered is stored (read your writes).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use fec::{Line, Progress, Spool};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use super::kinds::{self, Keyed, StoredEntry};
use super::sync::Group;
use crate::connectors::{
    Activation, Analytics, Banking, Batches, Connector, ConnectorError, ConnectorResult, Documents,
    FolderScope, Folders, Fresh, JournalEntries, Ledger, Movements, Outstandings, PartyContacts,
    Payroll, Postings, Subscriptions, TenantConnection, ThirdParties, WriteError,
};
use crate::domain::accounting::{
    AccountBalance, AnalyticPlan, BalanceFilter, BankAccount, BookYear, Employee, Folder, Journal,
    LedgerAccount, NewBankAccount, NewJournal, NewLedgerAccount, PaymentMethod, PaymentTerm,
    VatCode,
};
use crate::domain::analytics::{
    AnalyticAccount, AnalyticAccountPatch, NewAnalyticAccount, PlanRef,
};
use crate::domain::connection::{ConnectionFacts, Credentials};
use crate::domain::journal_entry::JournalEntry;
use crate::domain::outstanding::{Outstanding, OutstandingFilter};
use crate::domain::posting::{Attachment, Matched, Posting, StoredFile};
use crate::domain::third_party::{Contact, NewThirdParty, PartyKind, ThirdParty, ThirdPartyPatch};
use crate::domain::write::Write;
use crate::store::{now_micros, MovementYear, Record, Store};

/// How one request reads a connection from the store, and what it ended up using.
#[derive(Debug)]
pub struct ReadPlan {
    pub connection: Uuid,
    /// The first accounting date stored; `None` with `covers_all`.
    pub covered_from: Option<NaiveDate>,
    /// Every fiscal year is stored.
    pub covers_all: bool,
    from_store: AtomicBool,
    from_live: AtomicBool,
}

/// Where an answer came from (`x-chift-datalayer-source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Datalayer,
    Classic,
    Mixed,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Datalayer => "datalayer",
            Source::Classic => "classic",
            Source::Mixed => "mixed",
        }
    }
}

impl ReadPlan {
    pub fn new(connection: Uuid, covered_from: Option<NaiveDate>, covers_all: bool) -> Self {
        Self {
            connection,
            covered_from,
            covers_all,
            from_store: AtomicBool::new(false),
            from_live: AtomicBool::new(false),
        }
    }

    pub fn source(&self) -> Source {
        match (self.from_store.load(Ordering::Relaxed), self.from_live.load(Ordering::Relaxed)) {
            (true, true) => Source::Mixed,
            (false, true) => Source::Classic,
            _ => Source::Datalayer,
        }
    }

    fn stored(&self) {
        self.from_store.store(true, Ordering::Relaxed);
    }

    fn live(&self) {
        self.from_live.store(true, Ordering::Relaxed);
    }

    /// Whether entries dated from `from` on (all of them when `None`) are all stored.
    fn covers(&self, from: Option<NaiveDate>) -> bool {
        self.covers_all || matches!((from, self.covered_from), (Some(f), Some(c)) if f >= c)
    }
}

tokio::task_local! {
    static PLAN: Arc<ReadPlan>;
}

/// Runs `work` with its reads of `plan.connection` served from the store.
pub async fn within<F: Future>(plan: Arc<ReadPlan>, work: F) -> F::Output {
    PLAN.scope(plan, work).await
}

/// The plan of the running request, when it reads `connection` from the store.
fn plan_for(connection: Uuid) -> Option<Arc<ReadPlan>> {
    PLAN.try_with(Arc::clone).ok().filter(|p| p.connection == connection)
}

/// The live connector, and the store its reads are kept in.
pub struct Layered {
    live: Arc<dyn Connector>,
    store: Store,
}

impl Layered {
    pub fn new(live: Arc<dyn Connector>, store: Store) -> Self {
        Self { live, store }
    }

    /// The stored set, when it is.
    async fn stored<T: DeserializeOwned>(
        &self,
        connection: Uuid,
        folder: i64,
        kind: &str,
    ) -> Option<Vec<T>> {
        let bodies = match self.store.datalayer().read_set(connection, folder, kind).await {
            Ok(bodies) => bodies?,
            Err(e) => {
                tracing::warn!(error = %e, kind, "data layer read failed; reading live");
                return None;
            }
        };
        let decoded: Result<Vec<T>, _> = bodies.iter().map(|b| serde_json::from_str(b)).collect();
        match decoded {
            Ok(items) => Some(items),
            Err(e) => {
                tracing::warn!(error = %e, kind, "stored record unreadable; reading live");
                None
            }
        }
    }

    /// The set `kind` of `folder`: stored when the request reads from the store and it is kept,
    /// else what `live` reads.
    async fn set<T: DeserializeOwned>(
        &self,
        connection: Uuid,
        folder: i64,
        kind: &str,
        live: impl Future<Output = ConnectorResult<Vec<T>>>,
    ) -> ConnectorResult<Vec<T>> {
        if let Some(plan) = plan_for(connection) {
            if let Some(items) = self.stored(connection, folder, kind).await {
                plan.stored();
                return Ok(items);
            }
            plan.live();
        }
        live.await
    }

    /// A live read, counted as such when the request asked for the store.
    async fn live_only<R>(&self, connection: Uuid, live: impl Future<Output = R>) -> R {
        if let Some(plan) = plan_for(connection) {
            plan.live();
        }
        live.await
    }

    /// Keeps what a write answered, once acknowledged upstream.
    async fn keep<T: Serialize + Keyed>(&self, scope: FolderScope<'_>, kind: &str, item: &T) {
        let Ok(body) = serde_json::to_string(item) else { return };
        let record = Record { id: item.key(), body };
        let store = self.store.datalayer();
        let kept = store.upsert(scope.connection.id, scope.folder, kind, &record, now_micros());
        if let Err(e) = kept.await {
            tracing::warn!(error = %e, kind, "written record not kept in the data layer");
        }
    }

    /// Forgets the folder's stored movements after a write they no longer show (an entry, a
    /// lettering): exports read live until the sync stores them again.
    async fn forget_movements(&self, scope: FolderScope<'_>) {
        let store = self.store.datalayer();
        if let Err(e) =
            store.forget_movements(scope.connection.id, scope.folder, now_micros()).await
        {
            tracing::warn!(error = %e, "stored movements not forgotten after a write");
        }
    }

    /// Keeps a client or supplier written through Passerelle, with its contacts as the
    /// software now answers them.
    async fn keep_party(&self, scope: FolderScope<'_>, kind: PartyKind, party: &ThirdParty) {
        let (Some(parties), Some(contacts)) = (kinds::parties(kind), kinds::contacts(kind)) else {
            return;
        };
        self.keep(scope, parties, party).await;
        let (connection, folder) = (scope.connection.id, scope.folder);
        // Only where the contacts are kept: nothing else needs them read again.
        if !self.store.datalayer().is_stored(connection, folder, contacts).await.unwrap_or(false) {
            return;
        }
        match self.live.contacts(scope, kind, &party.id).await {
            Ok(list) => {
                let kept = PartyContacts { party: party.id.clone(), contacts: list };
                self.keep(scope, contacts, &kept).await;
            }
            Err(e) => tracing::warn!(error = %e, "written party's contacts not kept"),
        }
    }

    /// Asks for a sync of the connection soon (a write changed what other sets derive from).
    async fn resync(&self, connection: Uuid) {
        if let Err(e) = self.store.datalayer().request_run(connection, now_micros()).await {
            tracing::warn!(error = %e, "data layer refresh not scheduled");
        }
    }

    /// Asks for a run of `groups` of the connection soon (a write changed them upstream).
    async fn refresh(&self, connection: Uuid, groups: &[Group]) {
        let targets: Vec<&str> = groups.iter().map(|g| g.as_str()).collect();
        let store = self.store.datalayer();
        if let Err(e) = store.request_targets(connection, &targets, now_micros()).await {
            tracing::warn!(error = %e, "data layer refresh not scheduled");
        }
    }
}

#[async_trait]
impl Activation for Layered {
    async fn activate(
        &self,
        connection: Uuid,
        credentials: &Credentials,
    ) -> ConnectorResult<ConnectionFacts> {
        self.live.activate(connection, credentials).await
    }
}

#[async_trait]
impl Folders for Layered {
    async fn folders(&self, connection: &TenantConnection) -> ConnectorResult<Vec<Folder>> {
        let live = self.live.folders(connection);
        self.set(connection.id, kinds::CONNECTION_WIDE, kinds::FOLDERS, live).await
    }
}

#[async_trait]
impl Ledger for Layered {
    async fn bookyears(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<BookYear>> {
        let live = self.live.bookyears(scope);
        self.set(scope.connection.id, scope.folder, kinds::BOOKYEARS, live).await
    }

    async fn accounts(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<LedgerAccount>> {
        let live = self.live.accounts(scope);
        self.set(scope.connection.id, scope.folder, kinds::ACCOUNTS, live).await
    }

    async fn create_account(
        &self,
        scope: FolderScope<'_>,
        new: &NewLedgerAccount,
    ) -> Result<LedgerAccount, WriteError> {
        let created = self.live.create_account(scope, new).await?;
        self.keep(scope, kinds::ACCOUNTS, &created).await;
        Ok(created)
    }

    async fn balances(
        &self,
        scope: FolderScope<'_>,
        filter: &BalanceFilter,
    ) -> Result<Vec<AccountBalance>, WriteError> {
        self.live_only(scope.connection.id, self.live.balances(scope, filter)).await
    }

    async fn journals(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<Journal>> {
        let live = self.live.journals(scope);
        self.set(scope.connection.id, scope.folder, kinds::JOURNALS, live).await
    }

    async fn create_journal(
        &self,
        scope: FolderScope<'_>,
        new: &NewJournal,
    ) -> Result<Journal, WriteError> {
        let created = self.live.create_journal(scope, new).await?;
        self.keep(scope, kinds::JOURNALS, &created).await;
        Ok(created)
    }

    async fn vat_codes(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<VatCode>> {
        let live = self.live.vat_codes(scope);
        self.set(scope.connection.id, scope.folder, kinds::VAT_CODES, live).await
    }

    async fn payment_methods(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<PaymentMethod>> {
        let live = self.live.payment_methods(scope);
        self.set(scope.connection.id, scope.folder, kinds::PAYMENT_METHODS, live).await
    }

    async fn payment_terms(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<PaymentTerm>> {
        let live = self.live.payment_terms(scope);
        self.set(scope.connection.id, scope.folder, kinds::PAYMENT_TERMS, live).await
    }
}

#[async_trait]
impl Analytics for Layered {
    async fn analytic_plans(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<AnalyticPlan>> {
        let live = self.live.analytic_plans(scope);
        self.set(scope.connection.id, scope.folder, kinds::ANALYTIC_PLANS, live).await
    }

    async fn analytic_accounts(
        &self,
        scope: FolderScope<'_>,
        plan: Option<PlanRef<'_>>,
    ) -> ConnectorResult<Vec<AnalyticAccount>> {
        let live = self.live.analytic_accounts(scope, plan);
        match plan {
            None => {
                self.set(scope.connection.id, scope.folder, kinds::ANALYTIC_ACCOUNTS, live).await
            }
            Some(_) => self.live_only(scope.connection.id, live).await,
        }
    }

    async fn analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        id: &str,
    ) -> ConnectorResult<AnalyticAccount> {
        self.live_only(scope.connection.id, self.live.analytic_account(scope, plan, id)).await
    }

    async fn create_analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        new: &NewAnalyticAccount,
    ) -> Result<AnalyticAccount, WriteError> {
        let created = self.live.create_analytic_account(scope, plan, new).await?;
        self.resync(scope.connection.id).await;
        Ok(created)
    }

    async fn update_analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        id: &str,
        patch: &AnalyticAccountPatch,
    ) -> Result<AnalyticAccount, WriteError> {
        let updated = self.live.update_analytic_account(scope, plan, id, patch).await?;
        self.resync(scope.connection.id).await;
        Ok(updated)
    }
}

#[async_trait]
impl Movements for Layered {
    fn max_window_months(&self) -> u32 {
        self.live.max_window_months()
    }

    async fn read_movements(
        &self,
        scope: FolderScope<'_>,
        from: NaiveDate,
        to: NaiveDate,
        spool: Spool,
        progress: Arc<Progress>,
    ) -> ConnectorResult<Spool> {
        let connection = scope.connection.id;
        if let Some(plan) = plan_for(connection) {
            let store = self.store.datalayer();
            match store.movement_year(connection, scope.folder, from, to).await {
                Ok(Some((year, lines))) => {
                    plan.stored();
                    let stored = self.stored_movements(scope, &year, from, to, spool, progress);
                    let (spool, read) = stored.await?;
                    if read != lines {
                        // Switched or forgotten while it was read: never answer a part.
                        let e =
                            format!("{read} of {lines} lines read (the year changed meanwhile)");
                        return Err(unreadable(e));
                    }
                    return Ok(spool);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "data layer read failed; reading live"),
            }
            plan.live();
        }
        self.live.read_movements(scope, from, to, spool, progress).await
    }

    async fn stream_movements(
        &self,
        scope: FolderScope<'_>,
        from: NaiveDate,
        to: NaiveDate,
        batches: Batches<Line>,
    ) -> ConnectorResult<()> {
        self.live.stream_movements(scope, from, to, batches).await
    }
}

/// Stored lines pushed into a spool per page.
const MOVEMENT_PAGE: i64 = 5_000;

impl Layered {
    /// The stored movements of `year` dated `from..=to` (as MyUnisoft selects movements by their
    /// entry's date), pushed into `spool` in the order they were read upstream; with how many
    /// lines of the year were read.
    async fn stored_movements(
        &self,
        scope: FolderScope<'_>,
        year: &MovementYear,
        from: NaiveDate,
        to: NaiveDate,
        mut spool: Spool,
        progress: Arc<Progress>,
    ) -> ConnectorResult<(Spool, i64)> {
        let store = self.store.datalayer();
        let (mut next, mut read) = (0, 0);
        loop {
            let page = store
                .movement_lines(scope.connection.id, scope.folder, year, next, MOVEMENT_PAGE)
                .await
                .map_err(unreadable)?;
            let Some((last, _)) = page.last() else { return Ok((spool, read)) };
            next = last + 1;
            read += i64::try_from(page.len()).unwrap_or(i64::MAX);
            let progress = progress.clone();
            let pushed = tokio::task::spawn_blocking(move || {
                for (_, text) in page {
                    let line: Line = serde_json::from_str(&text).map_err(std::io::Error::other)?;
                    Progress::add(&progress.movements_read, 1);
                    if (from..=to).contains(&line.date) {
                        spool.push(line)?;
                    }
                }
                Ok::<_, std::io::Error>(spool)
            });
            spool = pushed.await.map_err(unreadable)?.map_err(unreadable)?;
        }
    }
}

/// A stored year that cannot be read back (the export fails rather than answer a part).
fn unreadable(e: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Unavailable {
        software: "the data layer",
        reason: format!("the stored movements cannot be read: {e}"),
    }
}

#[async_trait]
impl Outstandings for Layered {
    async fn outstandings(
        &self,
        scope: FolderScope<'_>,
        filter: OutstandingFilter,
    ) -> ConnectorResult<Vec<Outstanding>> {
        let live = self.live.outstandings(scope, filter);
        let kind = kinds::outstandings(filter);
        self.set(scope.connection.id, scope.folder, &kind, live).await
    }
}

#[async_trait]
impl Banking for Layered {
    async fn bank_accounts(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<BankAccount>> {
        let live = self.live.bank_accounts(scope);
        self.set(scope.connection.id, scope.folder, kinds::BANK_ACCOUNTS, live).await
    }

    async fn create_bank_account(
        &self,
        scope: FolderScope<'_>,
        new: &NewBankAccount,
    ) -> Result<BankAccount, WriteError> {
        let created = self.live.create_bank_account(scope, new).await?;
        self.keep(scope, kinds::BANK_ACCOUNTS, &created).await;
        Ok(created)
    }
}

#[async_trait]
impl Payroll for Layered {
    async fn employees(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<Employee>> {
        let live = self.live.employees(scope);
        self.set(scope.connection.id, scope.folder, kinds::EMPLOYEES, live).await
    }
}

#[async_trait]
impl ThirdParties for Layered {
    async fn third_parties(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
    ) -> ConnectorResult<Vec<ThirdParty>> {
        let live = self.live.third_parties(scope, kind);
        match kinds::parties(kind) {
            Some(set) => self.set(scope.connection.id, scope.folder, set, live).await,
            None => self.live_only(scope.connection.id, live).await,
        }
    }

    async fn create_third_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        new: &NewThirdParty,
        merge_with: Option<&str>,
    ) -> Result<ThirdParty, WriteError> {
        let created = self.live.create_third_party(scope, kind, new, merge_with).await?;
        self.keep_party(scope, kind, &created).await;
        Ok(created)
    }

    async fn update_third_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        id: &str,
        patch: &ThirdPartyPatch,
    ) -> Result<ThirdParty, WriteError> {
        let updated = self.live.update_third_party(scope, kind, id, patch).await?;
        self.keep_party(scope, kind, &updated).await;
        Ok(updated)
    }

    async fn contacts(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        id: &str,
    ) -> ConnectorResult<Vec<Contact>> {
        let live = self.live.contacts(scope, kind, id);
        let (connection, folder) = (scope.connection.id, scope.folder);
        let Some(plan) = plan_for(connection) else { return live.await };
        let Some(set) = kinds::contacts(kind) else {
            return self.live_only(connection, live).await;
        };
        let stored: Option<Vec<PartyContacts>> = self.stored(connection, folder, set).await;
        match stored.into_iter().flatten().find(|p| p.party == id) {
            Some(party) => {
                plan.stored();
                Ok(party.contacts)
            }
            // Not kept (or not a party of the folder): live answers, or says what is wrong.
            None => self.live_only(connection, live).await,
        }
    }

    async fn contacts_by_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
    ) -> ConnectorResult<Vec<PartyContacts>> {
        self.live_only(scope.connection.id, self.live.contacts_by_party(scope, kind)).await
    }
}

#[async_trait]
impl JournalEntries for Layered {
    async fn journal_entries(
        &self,
        scope: FolderScope<'_>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        unposted: bool,
    ) -> ConnectorResult<Vec<JournalEntry>> {
        let live = self.live.journal_entries(scope, from, to, unposted);
        let Some(plan) = plan_for(scope.connection.id).filter(|p| p.covers(from)) else {
            return self.live_only(scope.connection.id, live).await;
        };
        let stored: Option<Vec<StoredEntry>> =
            self.stored(scope.connection.id, scope.folder, kinds::ENTRIES).await;
        let Some(stored) = stored else {
            plan.live();
            return live.await;
        };
        plan.stored();
        // Every stored entry meeting the window's fiscal years is a superset of what live
        // reads: the services narrow entries to the window's dates themselves.
        Ok(stored
            .into_iter()
            .map(StoredEntry::into_entry)
            .filter(|e| unposted || e.posted)
            .collect())
    }

    async fn stream_journal_entries(
        &self,
        scope: FolderScope<'_>,
        from: Option<NaiveDate>,
        batches: Batches<JournalEntry>,
    ) -> ConnectorResult<()> {
        self.live.stream_journal_entries(scope, from, batches).await
    }

    async fn journal_entry(
        &self,
        scope: FolderScope<'_>,
        id: &str,
    ) -> ConnectorResult<JournalEntry> {
        let live = self.live.journal_entry(scope, id);
        let Some(plan) = plan_for(scope.connection.id).filter(|p| p.covers(None)) else {
            return self.live_only(scope.connection.id, live).await;
        };
        let stored: Option<Vec<StoredEntry>> =
            self.stored(scope.connection.id, scope.folder, kinds::ENTRIES).await;
        let found = stored
            .into_iter()
            .flatten()
            .map(StoredEntry::into_entry)
            .find(|e| e.id == id || e.entry_id == id);
        match found {
            Some(entry) => {
                plan.stored();
                Ok(entry)
            }
            None => {
                plan.live();
                live.await
            }
        }
    }

    async fn entries_recorded(
        &self,
        scope: FolderScope<'_>,
        since: NaiveDate,
        until: NaiveDate,
    ) -> ConnectorResult<Vec<JournalEntry>> {
        self.live_only(scope.connection.id, self.live.entries_recorded(scope, since, until)).await
    }
}

#[async_trait]
impl Postings for Layered {
    async fn post(
        &self,
        scope: FolderScope<'_>,
        posting: &Posting,
        write: Write,
    ) -> Result<JournalEntry, WriteError> {
        let entry = self.live.post(scope, posting, write).await?;
        self.keep(scope, kinds::ENTRIES, &StoredEntry::of(&entry)).await;
        self.forget_movements(scope).await;
        // Outstandings and lettering derive from entries: a run reads them again now.
        self.refresh(scope.connection.id, &[Group::Entries, Group::Lettering]).await;
        Ok(entry)
    }

    async fn landed(
        &self,
        scope: FolderScope<'_>,
        write: Write,
    ) -> ConnectorResult<Option<JournalEntry>> {
        self.live.landed(scope, write).await
    }

    async fn match_entries(
        &self,
        scope: FolderScope<'_>,
        partner: &str,
        entries: &[String],
    ) -> Result<Matched, WriteError> {
        let matched = self.live.match_entries(scope, partner, entries).await?;
        self.forget_movements(scope).await;
        self.refresh(scope.connection.id, &[Group::Lettering]).await;
        Ok(matched)
    }
}

#[async_trait]
impl Documents for Layered {
    async fn attach(
        &self,
        scope: FolderScope<'_>,
        entry: &str,
        file: &Attachment,
        write: Write,
    ) -> Result<(), WriteError> {
        self.live.attach(scope, entry, file, write).await?;
        self.resync(scope.connection.id).await;
        Ok(())
    }

    async fn documents(
        &self,
        scope: FolderScope<'_>,
        entry: &str,
    ) -> ConnectorResult<Vec<StoredFile>> {
        self.live_only(scope.connection.id, self.live.documents(scope, entry)).await
    }

    async fn download(
        &self,
        scope: FolderScope<'_>,
        file: &StoredFile,
        max_bytes: usize,
    ) -> ConnectorResult<Option<Vec<u8>>> {
        self.live.download(scope, file, max_bytes).await
    }
}

#[async_trait]
impl Subscriptions for Layered {
    async fn subscribe(
        &self,
        connection: &TenantConnection,
        post_url: &str,
        events: &[&str],
    ) -> ConnectorResult<String> {
        self.live.subscribe(connection, post_url, events).await
    }

    async fn unsubscribe(&self, connection: &TenantConnection, id: &str) -> ConnectorResult<()> {
        self.live.unsubscribe(connection, id).await
    }
}

impl Fresh for Layered {
    fn forget(&self, connection: Uuid, folder: Option<i64>) {
        self.live.forget(connection, folder);
    }
}
