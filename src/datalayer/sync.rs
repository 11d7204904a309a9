//! The sync engine, run inside `serve`: each process claims due connections (one at a time,
//! under a lease it renews while it works), reads every kept set live through the connector
//! (so through the same rate governor as live calls, at background priority: they yield to
//! them) and replaces the stored copy, keeping tombstones of what disappeared. Entries and the
//! FEC's movements, which grow with the books, are stored as they stream in, a bounded batch
//! at a time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use fec::Line;
use serde::Serialize;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::announce;
use super::kinds::{self, Keyed, StoredEntry};
use super::metrics::DatalayerMetrics;
use crate::connectors::{
    movement_windows, priority, ConnectorError, Connectors, FolderScope, JournalEntries, Movements,
    TenantConnection,
};
use crate::crypto::Keyring;
use crate::domain::accounting::BookYear;
use crate::domain::journal_entry::JournalEntry;
use crate::domain::third_party::PartyKind;
use crate::store::{
    micros, now_micros, Changed, Datalayer, Enabled, Finished, MovementYear, Occurrence, Record,
    SetChanges, Store, EVERYTHING,
};
use crate::webhooks::issues;
use crate::webhooks::{outbox, Event};

/// How the engine paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Cadence {
    /// Between two syncs of one connection.
    pub interval: Duration,
    /// How long a claim holds without renewal (a dead process's claim lapses after it).
    pub lease: Duration,
    /// How often an idle process looks for due connections.
    pub poll: Duration,
    /// How old outstandings may get before a run of everything reads them again.
    pub lettering: Duration,
}

/// What one process needs to sync connections.
#[derive(Clone)]
pub struct Engine {
    pub store: Store,
    pub connectors: Connectors,
    pub keyring: Arc<Keyring>,
    pub metrics: DatalayerMetrics,
    pub cadence: Cadence,
    /// This process, as named on its claims.
    pub owner: String,
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error("{0}")]
    Upstream(#[from] ConnectorError),
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Connection(String),
}

/// What a finished sync covered.
struct Covered {
    from: Option<NaiveDate>,
    all: bool,
}

/// Batches of a streamed read waiting to be stored, at most: the read waits beyond that.
const BATCHES_IN_FLIGHT: usize = 2;

impl Engine {
    /// Claims and syncs due connections for as long as the process runs.
    pub async fn run(self) {
        tracing::info!(owner = %self.owner, "data layer sync engine started");
        loop {
            match self.run_once().await {
                Ok(true) => {}
                Ok(false) => tokio::time::sleep(self.cadence.poll).await,
                Err(e) => {
                    tracing::warn!(error = %e, "data layer: claiming a sync failed");
                    tokio::time::sleep(self.cadence.poll).await;
                }
            }
        }
    }

    /// Claims one due connection and syncs it; `false` when none was due.
    pub async fn run_once(&self) -> Result<bool, crate::store::StoreError> {
        let now = now_micros();
        let until = now + micros(self.cadence.lease);
        let Some(job) = self.store.datalayer().claim(&self.owner, now, until).await? else {
            return Ok(false);
        };
        let run = Uuid::new_v4();
        self.store.datalayer().run_started(run, job.connection, &self.owner, now).await?;
        let started = Instant::now();
        // The sync's upstream calls yield to live requests of the same token.
        let outcome = tokio::select! {
            outcome = priority::background(self.sync(&job)) => outcome,
            lost = self.hold(job.connection) => Err(SyncError::Connection(lost)),
        };
        let elapsed = started.elapsed();
        let error = outcome.as_ref().err().map(ToString::to_string);
        self.metrics.sync_finished(error.is_none(), elapsed);
        match &error {
            None => tracing::info!(connection = %job.connection, ?elapsed, "data layer synced"),
            Some(e) => {
                tracing::warn!(connection = %job.connection, error = %e, "data layer sync failed")
            }
        }
        let covered = outcome.ok();
        let retry = if error.is_some() {
            self.cadence.interval.min(Duration::from_secs(30))
        } else {
            self.cadence.interval
        };
        let finished = Finished {
            covered_from: covered.as_ref().and_then(|c| c.from),
            covers_all: covered.as_ref().is_some_and(|c| c.all),
            error: error.as_deref(),
            next_run_at: now_micros() + micros(retry),
        };
        // Stamped with the run's start: what changed upstream while it ran is read by the next.
        self.store.datalayer().finish(job.connection, &self.owner, &finished, now).await?;
        let label = error.as_deref().map_or("ok", |_| "failed");
        self.store.datalayer().run_finished(run, label, now_micros()).await?;
        self.report(&job, run, error.as_deref()).await;
        Ok(true)
    }

    /// Announces the run's end (`account.datalayer.refresh_executed`) and counts a failure in
    /// the connection's issue `ERROR_DATALAYER_SYNC` (a success closes the connection's issues).
    async fn report(&self, job: &Enabled, run: Uuid, error: Option<&str>) {
        let event = Event::datalayer_refreshed(job.consumer, job.connection, error);
        if let Err(e) = outbox::publish(&self.store, job.account, &event).await {
            tracing::warn!(error = %e, "announcing a data layer refresh failed");
        }
        let Some(error) = error else {
            issues::resolved(&self.store, job.account, job.connection).await;
            return;
        };
        let found = self.store.connections().find(job.account, job.consumer, job.connection).await;
        let integration_id = found.ok().flatten().map_or(0, |c| c.kind.integration_id());
        let occurrence = Occurrence {
            account: job.account,
            consumer: Some(job.consumer),
            subject: job.connection,
            integration_id,
            error_code: "ERROR_DATALAYER_SYNC".into(),
            http_status: 502,
            title: "The data layer's sync fails".into(),
            description: error.to_owned(),
            level: "warning",
            execution_id: run.to_string(),
            context: None,
        };
        issues::record(&self.store, &occurrence).await;
    }

    /// Renews the claim until it is lost (disabled, or taken over after a lapse).
    async fn hold(&self, connection: Uuid) -> String {
        let every = self.cadence.lease / 3;
        loop {
            tokio::time::sleep(every).await;
            let until = now_micros() + micros(self.cadence.lease);
            match self.store.datalayer().renew(connection, &self.owner, until).await {
                Ok(true) => {}
                Ok(false) => return "the claim was lost (disabled or taken over)".into(),
                Err(e) => tracing::warn!(error = %e, "data layer: renewing a claim failed"),
            }
        }
    }

    async fn open(&self, job: &Enabled) -> Result<TenantConnection, SyncError> {
        let connections = self.store.connections();
        let missing = || SyncError::Connection("the connection no longer exists".into());
        let found = connections.find(job.account, job.consumer, job.connection).await?;
        let connection = found.ok_or_else(missing)?;
        let facts = connection
            .facts
            .ok_or_else(|| SyncError::Connection("the connection was never activated".into()))?;
        let credentials = connections
            .credentials(&self.keyring, job.account, job.consumer, job.connection)
            .await?
            .ok_or_else(missing)?;
        TenantConnection::new(job.connection, connection.kind, &credentials, facts)
            .map_err(SyncError::Upstream)
    }

    /// Reads every kept set of the connection live and stores it.
    async fn sync(&self, job: &Enabled) -> Result<Covered, SyncError> {
        let connection = self.open(job).await?;
        let kind = connection.kind;
        let fresh = self.connectors.fresh(kind);
        fresh.forget(connection.id, None);
        let folders = self.connectors.folders(kind).ok_or_else(|| unsupported("folders"))?;
        if job.wants(Group::Folders) {
            let listed = folders.folders(&connection).await?;
            self.keep(job, kinds::CONNECTION_WIDE, kinds::FOLDERS, &listed).await?;
        }
        let kept: Vec<i64> = (connection.facts.served_folders().iter().copied())
            .filter(|f| job.folders.as_ref().is_none_or(|wanted| wanted.contains(f)))
            .collect();
        let mut covered = Covered { from: None, all: true };
        for folder in kept {
            fresh.forget(connection.id, Some(folder));
            let scope = FolderScope { connection: &connection, folder };
            let (from, all) = self.sync_folder(job, scope).await?;
            covered.all &= all;
            covered.from = match (covered.from, from) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        if covered.all {
            covered.from = None;
        }
        Ok(covered)
    }

    /// One folder: reference data whole, then the entries of the fiscal years of the window.
    /// Answers the first date its entries cover and whether every year is stored.
    async fn sync_folder(
        &self,
        job: &Enabled,
        scope: FolderScope<'_>,
    ) -> Result<(Option<NaiveDate>, bool), SyncError> {
        let kind = scope.connection.kind;
        let c = &self.connectors;
        let years = self.bookyears(job, scope).await?;
        if job.wants(Group::Reference) {
            self.reference(job, scope).await?;
        }
        if job.wants(Group::Parties) {
            if let Some(parties) = c.third_parties(kind) {
                for party in [PartyKind::Client, PartyKind::Supplier] {
                    let Some(set) = kinds::parties(party) else { continue };
                    let all = parties.third_parties(scope, party).await;
                    self.optional(job, scope.folder, set, all).await?;
                    let Some(set) = kinds::contacts(party) else { continue };
                    // The same listing: served by the connector's cache, no second call.
                    let contacts = parties.contacts_by_party(scope, party).await;
                    self.optional(job, scope.folder, set, contacts).await?;
                }
            }
        }
        let meets =
            |y: &crate::domain::accounting::BookYear| job.from_date.is_none_or(|f| y.end >= f);
        let from = years.iter().filter(|y| meets(y)).map(|y| y.start).min();
        let all = years.iter().all(meets);
        if self.lettering_due(job, scope.folder).await? {
            if let Some(outstandings) = c.outstandings(kind) {
                for filter in kinds::outstanding_filters() {
                    let open = outstandings.outstandings(scope, filter).await;
                    self.optional(job, scope.folder, &kinds::outstandings(filter), open).await?;
                }
            }
        }
        if !job.wants(Group::Entries) {
            return Ok((from, all));
        }
        if let Some(entries) = c.journal_entries(kind) {
            if self.recorded_since_last_sync(job, scope, entries).await? {
                // The stored FEC no longer holds every entry: exports read live until the
                // next run of the whole window.
                self.store
                    .datalayer()
                    .forget_movements(job.connection, scope.folder, now_micros())
                    .await?;
                return Ok((from, all));
            }
            // Whole fiscal years: what is stored starts where a year starts.
            let window = if all { None } else { from };
            self.stream_entries(job, scope, entries, window).await?;
        }
        if let Some(movements) = c.movements(kind) {
            for year in years.iter().filter(|y| meets(y)) {
                match self.keep_movements(job, scope, movements, year).await {
                    // Refused for good: the FEC is read live, the rest of the store is kept.
                    Err(SyncError::Upstream(e)) if !e.is_transient() => {
                        tracing::info!(error = %e, "data layer: movements not kept, read live");
                        let store = self.store.datalayer();
                        store.forget_movements(job.connection, scope.folder, now_micros()).await?;
                        break;
                    }
                    kept => kept?,
                }
            }
        }
        Ok((from, all))
    }

    /// Stores the entries of the fiscal years from `window` on as they are read (a batch at a
    /// time, so memory stays flat whatever the size of a year), then tombstones the stored
    /// entries the read did not see. After the set's first load, what changed is announced.
    async fn stream_entries(
        &self,
        job: &Enabled,
        scope: FolderScope<'_>,
        entries: &dyn JournalEntries,
        window: Option<NaiveDate>,
    ) -> Result<(), SyncError> {
        let (folder, set) = (scope.folder, kinds::ENTRIES);
        let seen = now_micros();
        let announced = self.store.datalayer().is_stored(job.connection, folder, set).await?;
        let (batches, arriving) = mpsc::channel(BATCHES_IN_FLIGHT);
        let read = entries.stream_journal_entries(scope, window, batches);
        let stored = self.store_entries(job, folder, arriving, seen, announced);
        let (read, stored) = tokio::join!(read, stored);
        // A read cut short leaves what it did not reach stored as it was: nothing is swept.
        let mut changes = stored?;
        read?;
        let mut tx = self.store.begin().await?;
        let removed =
            Datalayer::sweep_unseen_on(&mut tx, job.connection, folder, set, seen, now_micros());
        let removed = removed.await?;
        changes.removed += removed.len() as u64;
        let queued = if announced {
            announce::changes(&mut tx, job, folder, set, &removed).await?
        } else {
            0
        };
        outbox::commit(tx, queued).await?;
        self.metrics.records(set, &changes);
        Ok(())
    }

    /// Stores each batch of entries as it arrives, in the order read, marked as seen by the
    /// load `seen`; announces what changed when `announced`.
    async fn store_entries(
        &self,
        job: &Enabled,
        folder: i64,
        mut arriving: mpsc::Receiver<Vec<JournalEntry>>,
        seen: i64,
        announced: bool,
    ) -> Result<SetChanges, SyncError> {
        let set = kinds::ENTRIES;
        let mut changes = SetChanges::default();
        let mut position = 0;
        while let Some(batch) = arriving.recv().await {
            let records = batch
                .iter()
                .map(|entry| record(set, &StoredEntry::of(entry)))
                .collect::<Result<Vec<_>, _>>()?;
            let mut tx = self.store.begin().await?;
            let (connection, now) = (job.connection, now_micros());
            let upsert = Datalayer::upsert_batch_on(
                &mut tx, connection, folder, set, &records, position, seen, now,
            );
            let (counted, changed) = upsert.await?;
            position += i64::try_from(records.len()).unwrap_or(i64::MAX);
            changes += counted;
            let queued = if announced {
                announce::changes(&mut tx, job, folder, set, &changed).await?
            } else {
                0
            };
            outbox::commit(tx, queued).await?;
        }
        Ok(changes)
    }

    /// Stores the validated movements of one fiscal year as FEC lines, read as a stream under a
    /// new generation that replaces the year's stored one once the whole year is read.
    async fn keep_movements(
        &self,
        job: &Enabled,
        scope: FolderScope<'_>,
        movements: &dyn Movements,
        year: &BookYear,
    ) -> Result<(), SyncError> {
        let stored = MovementYear { start: year.start, end: year.end, generation: now_micros() };
        let bounds = [(year.start, year.end)];
        let months = movements.max_window_months();
        let mut next = 0;
        // Cut as an export cuts it, so that the year is read with the calls an export makes.
        for (from, to) in movement_windows(&bounds, year.start, year.end, months) {
            let (batches, arriving) = mpsc::channel(BATCHES_IN_FLIGHT);
            let read = movements.stream_movements(scope, from, to, batches);
            let staged = self.stage_movements(job, scope.folder, &stored, arriving, next);
            let (read, staged) = tokio::join!(read, staged);
            next = staged?;
            read?;
        }
        let store = self.store.datalayer();
        let switched = store.switch_movements(job.connection, scope.folder, &stored, next);
        if !switched.await? {
            // A write forgot the folder's movements meanwhile: exports read live until the
            // next run of the whole window.
            tracing::info!(
                folder = scope.folder,
                "data layer: movements read during a write, not kept"
            );
        }
        Ok(())
    }

    /// Writes each batch of lines as it arrives, numbered from `first`; answers the next number.
    async fn stage_movements(
        &self,
        job: &Enabled,
        folder: i64,
        year: &MovementYear,
        mut arriving: mpsc::Receiver<Vec<Line>>,
        first: i64,
    ) -> Result<i64, SyncError> {
        let mut next = first;
        while let Some(batch) = arriving.recv().await {
            let lines = batch
                .iter()
                .map(serde_json::to_string)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| SyncError::Connection(format!("movements: {e}")))?;
            let store = self.store.datalayer();
            store.stage_movements(job.connection, folder, year, next, &lines).await?;
            next += i64::try_from(lines.len()).unwrap_or(i64::MAX);
        }
        Ok(next)
    }

    /// The folder's fiscal years: read (and stored) by a run that wants them, else as stored
    /// (what the entries cover follows from them).
    async fn bookyears(
        &self,
        job: &Enabled,
        scope: FolderScope<'_>,
    ) -> Result<Vec<BookYear>, SyncError> {
        let (connection, folder) = (job.connection, scope.folder);
        if !job.wants(Group::BookYears) {
            let store = self.store.datalayer();
            if let Some(bodies) = store.read_set(connection, folder, kinds::BOOKYEARS).await? {
                return bodies
                    .iter()
                    .map(|b| serde_json::from_str(b))
                    .collect::<Result<_, _>>()
                    .map_err(|e| SyncError::Connection(format!("{}: {e}", kinds::BOOKYEARS)));
            }
        }
        let ledger = self.connectors.ledger(scope.connection.kind);
        let years = ledger.ok_or_else(|| unsupported("the ledger"))?.bookyears(scope).await?;
        self.keep(job, folder, kinds::BOOKYEARS, &years).await?;
        Ok(years)
    }

    /// Whether the run reads outstandings (the lettering state) again: when asked for (a
    /// lettering webhook, a write through Passerelle), and on the cadence once they are
    /// [`Cadence::lettering`] old (or were never read).
    async fn lettering_due(&self, job: &Enabled, folder: i64) -> Result<bool, SyncError> {
        if job.asked(Group::Lettering) {
            return Ok(true);
        }
        if !job.everything() {
            return Ok(false);
        }
        let set = kinds::outstandings(kinds::outstanding_filters()[0]);
        let read_at = self.store.datalayer().synced_at(job.connection, folder, &set).await?;
        Ok(read_at.is_none_or(|at| now_micros() - at >= micros(self.cadence.lettering)))
    }

    /// A run asked for by webhooks, after a first sync: the entries recorded upstream since the
    /// last sync day (`dateFilter=myunisoft`) are added or replaced; `false` when the window
    /// cannot be read that way, and the entries are read whole (which also finds deletions, as
    /// every run on the cadence does).
    async fn recorded_since_last_sync(
        &self,
        job: &Enabled,
        scope: FolderScope<'_>,
        entries: &dyn JournalEntries,
    ) -> Result<bool, SyncError> {
        // Lettering changes no recording date: a run asked for it reads the entries whole.
        let by_recording = !job.everything() && !job.asked(Group::Lettering);
        let Some(last) = job.last_sync_at.filter(|_| by_recording) else { return Ok(false) };
        let today = chrono::Utc::now().date_naive();
        let read = match entries.entries_recorded(scope, last.date_naive(), today).await {
            Ok(read) => read,
            Err(e) if e.is_transient() => return Err(e.into()),
            Err(e) => {
                tracing::info!(error = %e, "data layer: entries read whole");
                return Ok(false);
            }
        };
        let mut changes = SetChanges::default();
        for entry in read.iter().map(StoredEntry::of) {
            let body = serde_json::to_string(&entry)
                .map_err(|e| SyncError::Connection(format!("{}: {e}", kinds::ENTRIES)))?;
            let record = Record { id: entry.key(), body };
            let mut tx = self.store.begin().await?;
            let (folder, set) = (scope.folder, kinds::ENTRIES);
            let at = now_micros();
            let change = Datalayer::upsert_on(&mut tx, job.connection, folder, set, &record, at);
            let Some(change) = change.await? else { continue };
            changes.changed += 1;
            let changed = [Changed { id: record.id, change, body: Some(record.body) }];
            let queued = announce::changes(&mut tx, job, folder, set, &changed).await?;
            outbox::commit(tx, queued).await?;
        }
        self.metrics.records(kinds::ENTRIES, &changes);
        Ok(true)
    }

    /// The chart, journals, VAT codes, payment methods and terms, analytics, bank accounts and
    /// employees of one folder.
    async fn reference(&self, job: &Enabled, scope: FolderScope<'_>) -> Result<(), SyncError> {
        let kind = scope.connection.kind;
        let c = &self.connectors;
        let ledger = c.ledger(kind).ok_or_else(|| unsupported("the ledger"))?;
        self.optional(job, scope.folder, kinds::ACCOUNTS, ledger.accounts(scope).await).await?;
        self.optional(job, scope.folder, kinds::JOURNALS, ledger.journals(scope).await).await?;
        self.optional(job, scope.folder, kinds::VAT_CODES, ledger.vat_codes(scope).await).await?;
        let methods = ledger.payment_methods(scope).await;
        self.optional(job, scope.folder, kinds::PAYMENT_METHODS, methods).await?;
        let terms = ledger.payment_terms(scope).await;
        self.optional(job, scope.folder, kinds::PAYMENT_TERMS, terms).await?;
        if let Some(analytics) = c.analytics(kind) {
            let plans = analytics.analytic_plans(scope).await;
            self.optional(job, scope.folder, kinds::ANALYTIC_PLANS, plans).await?;
            let accounts = analytics.analytic_accounts(scope, None).await;
            self.optional(job, scope.folder, kinds::ANALYTIC_ACCOUNTS, accounts).await?;
        }
        if let Some(banking) = c.banking(kind) {
            let banks = banking.bank_accounts(scope).await;
            self.optional(job, scope.folder, kinds::BANK_ACCOUNTS, banks).await?;
        }
        if let Some(payroll) = c.payroll(kind) {
            let employees = payroll.employees(scope).await;
            self.optional(job, scope.folder, kinds::EMPLOYEES, employees).await?;
        }
        Ok(())
    }

    /// Stores a set read, or (when the software refuses that read for good) forgets it so that
    /// reads of it go live; a transient failure stops the sync.
    async fn optional<T: Serialize + Keyed>(
        &self,
        job: &Enabled,
        folder: i64,
        kind: &str,
        read: Result<Vec<T>, ConnectorError>,
    ) -> Result<(), SyncError> {
        match read {
            Ok(items) => self.keep(job, folder, kind, &items).await,
            Err(e) if e.is_transient() => Err(e.into()),
            Err(e) => {
                tracing::info!(kind, error = %e, "data layer: set not kept, read live");
                self.store.datalayer().drop_set(job.connection, folder, kind).await?;
                Ok(())
            }
        }
    }

    async fn keep<T: Serialize + Keyed>(
        &self,
        job: &Enabled,
        folder: i64,
        kind: &str,
        items: &[T],
    ) -> Result<(), SyncError> {
        let records = items.iter().map(|item| record(kind, item)).collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.store.begin().await?;
        let replaced = Datalayer::replace_set_on(
            &mut tx,
            job.connection,
            folder,
            kind,
            &records,
            now_micros(),
        )
        .await?;
        // A set's first load is what was there before anybody could subscribe: not announced.
        let queued = if replaced.first_load {
            0
        } else {
            announce::changes(&mut tx, job, folder, kind, &replaced.changed).await?
        };
        outbox::commit(tx, queued).await?;
        self.metrics.records(kind, &replaced.changes);
        Ok(())
    }
}

/// Groups of sets a run can be limited to (webhooks name what their events touched).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Folders,
    Reference,
    Parties,
    BookYears,
    Entries,
    /// Outstandings, the lettering state: read by a run of everything only on a slower cadence.
    Lettering,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Folders => "folders",
            Group::Reference => "reference",
            Group::Parties => "parties",
            Group::BookYears => "bookyears",
            Group::Entries => "entries",
            Group::Lettering => "lettering",
        }
    }
}

trait Wants {
    /// Whether the run reads everything (on the cadence, or asked for with more).
    fn everything(&self) -> bool;
    /// Whether `group` is named among the run's targets.
    fn asked(&self, group: Group) -> bool;
    /// Whether the run reads `group` (outstandings: see [`Engine::lettering_due`]). Lettering
    /// lives on the entries' lines too: a run asked for it reads the entries again.
    fn wants(&self, group: Group) -> bool {
        let lettered = group == Group::Entries && self.asked(Group::Lettering);
        self.everything() || self.asked(group) || lettered
    }
}

impl Wants for Enabled {
    fn everything(&self) -> bool {
        self.targets.as_ref().is_none_or(|t| t.iter().any(|g| g == EVERYTHING))
    }

    fn asked(&self, group: Group) -> bool {
        self.targets.as_ref().is_some_and(|t| t.iter().any(|g| g == group.as_str()))
    }
}

/// A record of the set `kind`, as stored.
fn record<T: Serialize + Keyed>(kind: &str, item: &T) -> Result<Record, SyncError> {
    let body =
        serde_json::to_string(item).map_err(|e| SyncError::Connection(format!("{kind}: {e}")))?;
    Ok(Record { id: item.key(), body })
}

fn unsupported(what: &str) -> SyncError {
    SyncError::Connection(format!("the connector does not read {what}"))
}
