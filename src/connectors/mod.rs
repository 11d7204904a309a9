//! Connectors: one trait per resource family, every method required. A connector that cannot
//! serve a family does not implement it, and the registry answers `None` for it.

pub mod cache;
pub mod deadline;
mod error;
pub mod governor;
pub mod myunisoft;
pub mod priority;
pub mod raw;
pub mod usage;

use std::sync::Arc;

use async_trait::async_trait;
use fec::{Progress, Spool};
use uuid::Uuid;

pub use error::ConnectorError;

use crate::domain::Invalid;
use crate::domain::Resource;

use crate::domain::accounting::{
    AccountBalance, AnalyticPlan, BalanceFilter, BankAccount, BookYear, Employee, Folder, Journal,
    LedgerAccount, NewBankAccount, NewJournal, NewLedgerAccount, PaymentMethod, PaymentTerm,
    Scheme, VatCode,
};
use crate::domain::analytics::{
    AnalyticAccount, AnalyticAccountPatch, NewAnalyticAccount, PlanRef,
};
use crate::domain::connection::{ConnectionFacts, ConnectorKind, Credentials};
use crate::domain::journal_entry::JournalEntry;
use crate::domain::outstanding::{Outstanding, OutstandingFilter};
use crate::domain::posting::{Attachment, Matched, Posting, StoredFile};
use crate::domain::third_party::{Contact, NewThirdParty, PartyKind, ThirdParty, ThirdPartyPatch};
use crate::domain::write::Write;

pub type ConnectorResult<T> = Result<T, ConnectorError>;

/// A connection ready for a connector: its credentials, read into the connector's own shape
/// once, and what activation learned.
#[derive(Debug, Clone)]
pub struct TenantConnection {
    pub id: Uuid,
    pub kind: ConnectorKind,
    credentials: ConnectorCredentials,
    pub facts: ConnectionFacts,
}

/// Decrypted credentials in the shape their connector uses: one variant per connector.
#[derive(Debug, Clone)]
enum ConnectorCredentials {
    MyUnisoft(myunisoft::client::MyUnisoftCredentials),
}

impl TenantConnection {
    /// Reads `credentials` for the connector of `kind`; a missing key is refused here, before
    /// any call.
    pub fn new(
        id: Uuid,
        kind: ConnectorKind,
        credentials: &Credentials,
        facts: ConnectionFacts,
    ) -> ConnectorResult<Self> {
        let credentials = match kind {
            ConnectorKind::MyUnisoft => ConnectorCredentials::MyUnisoft(credentials.try_into()?),
        };
        Ok(Self { id, kind, credentials, facts })
    }
}

/// One folder of a connection: where folder-scoped calls go.
#[derive(Debug, Clone, Copy)]
pub struct FolderScope<'a> {
    pub connection: &'a TenantConnection,
    pub folder: i64,
}

/// A write the connector refused before sending anything, or a failure upstream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// Some steps of a multi-step write were done before one failed.
    #[error("{error}; already created: {}", created.join(", "))]
    Partial { created: Vec<String>, error: ConnectorError },
    /// The record exists already (`id`): nothing was written.
    #[error("{resource} already exists as `{id}`")]
    Duplicate { resource: Resource, id: String },
}

/// Checks new credentials upstream (activating them where the software needs that).
#[async_trait]
pub trait Activation: Send + Sync {
    async fn activate(
        &self,
        connection: Uuid,
        credentials: &Credentials,
    ) -> ConnectorResult<ConnectionFacts>;
}

#[async_trait]
pub trait Folders: Send + Sync {
    async fn folders(&self, connection: &TenantConnection) -> ConnectorResult<Vec<Folder>>;
}

#[async_trait]
pub trait Ledger: Send + Sync {
    async fn bookyears(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<BookYear>>;
    async fn accounts(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<LedgerAccount>>;
    async fn create_account(
        &self,
        scope: FolderScope<'_>,
        new: &NewLedgerAccount,
    ) -> Result<LedgerAccount, WriteError>;
    async fn balances(
        &self,
        scope: FolderScope<'_>,
        filter: &BalanceFilter,
    ) -> Result<Vec<AccountBalance>, WriteError>;
    async fn journals(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<Journal>>;
    async fn create_journal(
        &self,
        scope: FolderScope<'_>,
        new: &NewJournal,
    ) -> Result<Journal, WriteError>;
    async fn vat_codes(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<VatCode>>;
    async fn payment_methods(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<PaymentMethod>>;
    async fn payment_terms(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<PaymentTerm>>;
}

/// Analytic plans and their accounts.
#[async_trait]
pub trait Analytics: Send + Sync {
    async fn analytic_plans(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<AnalyticPlan>>;
    /// The accounts of one plan, or of every plan (`None`), closed ones included.
    async fn analytic_accounts(
        &self,
        scope: FolderScope<'_>,
        plan: Option<PlanRef<'_>>,
    ) -> ConnectorResult<Vec<AnalyticAccount>>;
    /// One account of `plan` (`NotFound` when it belongs to another plan).
    async fn analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        id: &str,
    ) -> ConnectorResult<AnalyticAccount>;
    async fn create_analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        new: &NewAnalyticAccount,
    ) -> Result<AnalyticAccount, WriteError>;
    async fn update_analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        id: &str,
        patch: &AnalyticAccountPatch,
    ) -> Result<AnalyticAccount, WriteError>;
}

/// Every movement of a window, streamed into a FEC spool.
#[async_trait]
pub trait Movements: Send + Sync {
    /// The longest window one upstream read may cover, in months; longer windows are split.
    fn max_window_months(&self) -> u32;
    /// Appends to `spool` every validated movement dated `from..=to`. The window lies inside
    /// one fiscal year and spans at most [`Movements::max_window_months`].
    async fn read_movements(
        &self,
        scope: FolderScope<'_>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        spool: Spool,
        progress: Arc<Progress>,
    ) -> ConnectorResult<Spool>;
    /// The movements [`Movements::read_movements`] reads, as FEC lines in the order the
    /// software answers them, handed to `batches` a bounded batch at a time.
    async fn stream_movements(
        &self,
        scope: FolderScope<'_>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        batches: Batches<fec::Line>,
    ) -> ConnectorResult<()>;
}

/// `from..=to` cut at fiscal-year bounds and into pieces of at most `months` months. Days in no
/// fiscal year are left out: the software holds no entry there.
pub fn movement_windows(
    years: &[(chrono::NaiveDate, chrono::NaiveDate)],
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    months: u32,
) -> Vec<(chrono::NaiveDate, chrono::NaiveDate)> {
    let mut out = Vec::new();
    for &(start, end) in years {
        let (mut a, b) = (start.max(from), end.min(to));
        while a <= b {
            let limit = a
                .checked_add_months(chrono::Months::new(months))
                .and_then(|d| d.pred_opt())
                .unwrap_or(b);
            let piece_end = limit.min(b);
            out.push((a, piece_end));
            match piece_end.succ_opt() {
                Some(next) => a = next,
                None => break,
            }
        }
    }
    out.sort();
    out
}

/// Where a streamed read hands what it read: bounded batches on a bounded channel, so that
/// memory holds a few batches whatever the size of the answer.
pub type Batches<T> = tokio::sync::mpsc::Sender<Vec<T>>;

/// Open items of clients and suppliers.
#[async_trait]
pub trait Outstandings: Send + Sync {
    async fn outstandings(
        &self,
        scope: FolderScope<'_>,
        filter: OutstandingFilter,
    ) -> ConnectorResult<Vec<Outstanding>>;
}

#[async_trait]
pub trait Banking: Send + Sync {
    async fn bank_accounts(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<BankAccount>>;
    async fn create_bank_account(
        &self,
        scope: FolderScope<'_>,
        new: &NewBankAccount,
    ) -> Result<BankAccount, WriteError>;
}

#[async_trait]
pub trait Payroll: Send + Sync {
    async fn employees(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<Employee>>;
}

/// Clients and suppliers, with their contacts.
#[async_trait]
pub trait ThirdParties: Send + Sync {
    async fn third_parties(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
    ) -> ConnectorResult<Vec<ThirdParty>>;
    async fn create_third_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        new: &NewThirdParty,
        merge_with: Option<&str>,
    ) -> Result<ThirdParty, WriteError>;
    async fn update_third_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        id: &str,
        patch: &ThirdPartyPatch,
    ) -> Result<ThirdParty, WriteError>;
    async fn contacts(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        id: &str,
    ) -> ConnectorResult<Vec<Contact>>;
    /// The contacts of every client or supplier of the folder, by party (what the data layer
    /// keeps beside the parties).
    async fn contacts_by_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
    ) -> ConnectorResult<Vec<PartyContacts>>;
}

/// The contacts of one client or supplier.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartyContacts {
    /// The party's id, as `GET …/clients/{client_id}` takes it.
    pub party: String,
    pub contacts: Vec<Contact>,
}

/// Journal entries as read.
#[async_trait]
pub trait JournalEntries: Send + Sync {
    /// Entries of the fiscal years meeting `from..=to` (every year when open), pending ones too
    /// when `unposted`.
    async fn journal_entries(
        &self,
        scope: FolderScope<'_>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        unposted: bool,
    ) -> ConnectorResult<Vec<JournalEntry>>;
    /// What [`JournalEntries::journal_entries`] answers from `from` on with pending entries, in
    /// the same order, handed to `batches` a bounded batch at a time.
    async fn stream_journal_entries(
        &self,
        scope: FolderScope<'_>,
        from: Option<chrono::NaiveDate>,
        batches: Batches<JournalEntry>,
    ) -> ConnectorResult<()>;
    async fn journal_entry(
        &self,
        scope: FolderScope<'_>,
        id: &str,
    ) -> ConnectorResult<JournalEntry>;
    /// Entries recorded upstream from `since` to `until` (by the software's own timestamp,
    /// whatever their accounting date), pending ones included: what changed since a sync.
    async fn entries_recorded(
        &self,
        scope: FolderScope<'_>,
        since: chrono::NaiveDate,
        until: chrono::NaiveDate,
    ) -> ConnectorResult<Vec<JournalEntry>>;
}

/// Entries written: each lands exactly once and is answered as read back.
#[async_trait]
pub trait Postings: Send + Sync {
    /// Posts `posting` as the one entry of `write`: a resumed write whose entry landed is read
    /// back, not sent again.
    async fn post(
        &self,
        scope: FolderScope<'_>,
        posting: &Posting,
        write: Write,
    ) -> Result<JournalEntry, WriteError>;
    /// The entry `write` posted, when it landed.
    async fn landed(
        &self,
        scope: FolderScope<'_>,
        write: Write,
    ) -> ConnectorResult<Option<JournalEntry>>;
    /// Letters together the lines of `entries` on the account of partner `partner`.
    async fn match_entries(
        &self,
        scope: FolderScope<'_>,
        partner: &str,
        entries: &[String],
    ) -> Result<Matched, WriteError>;
}

/// Files attached to entries.
#[async_trait]
pub trait Documents: Send + Sync {
    /// Attaches `file` to the entry `entry` (an id as Passerelle gives it); a resumed `write`
    /// finds a file of the same name already there and sends nothing.
    async fn attach(
        &self,
        scope: FolderScope<'_>,
        entry: &str,
        file: &Attachment,
        write: Write,
    ) -> Result<(), WriteError>;
    /// The files attached to the entry `entry`, without their content.
    async fn documents(
        &self,
        scope: FolderScope<'_>,
        entry: &str,
    ) -> ConnectorResult<Vec<StoredFile>>;
    /// The content of `file`, or `None` as soon as it is known to be larger than `max_bytes`
    /// (nothing past that is kept).
    async fn download(
        &self,
        scope: FolderScope<'_>,
        file: &StoredFile,
        max_bytes: usize,
    ) -> ConnectorResult<Option<Vec<u8>>>;
}

/// Accounting schemes (Chift `GET /schemes`): no connector has them yet.
#[async_trait]
pub trait Schemes: Send + Sync {
    async fn schemes(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<Scheme>>;
}

/// Webhook subscriptions upstream: deliveries of the software's change events to `post_url`.
#[async_trait]
pub trait Subscriptions: Send + Sync {
    /// Subscribes to `events`; answers the subscription's id.
    async fn subscribe(
        &self,
        connection: &TenantConnection,
        post_url: &str,
        events: &[&str],
    ) -> ConnectorResult<String>;
    async fn unsubscribe(&self, connection: &TenantConnection, id: &str) -> ConnectorResult<()>;
}

/// Reference data a connector keeps between calls, dropped on demand (a sync must read what is
/// upstream now).
pub trait Fresh: Send + Sync {
    /// Forgets what is kept for `connection` (its folder `folder`, or its connection-wide reads).
    fn forget(&self, connection: Uuid, folder: Option<i64>);
}

/// Every capability of one connector, behind one object.
pub trait Connector:
    Activation
    + Folders
    + Ledger
    + Analytics
    + Movements
    + Outstandings
    + Banking
    + Payroll
    + ThirdParties
    + JournalEntries
    + Postings
    + Documents
    + Subscriptions
    + Fresh
{
}

impl<T> Connector for T where
    T: Activation
        + Folders
        + Ledger
        + Analytics
        + Movements
        + Outstandings
        + Banking
        + Payroll
        + ThirdParties
        + JournalEntries
        + Postings
        + Documents
        + Subscriptions
        + Fresh
{
}

/// Every connector, by kind.
#[derive(Clone)]
pub struct Connectors {
    myunisoft: Arc<dyn Connector>,
}

impl Connectors {
    pub fn new(myunisoft: myunisoft::MyUnisoft) -> Self {
        Self { myunisoft: Arc::new(myunisoft) }
    }

    /// The same connectors, each wrapped by `wrap` (which keeps the one it is given to call).
    pub fn wrapped(self, wrap: impl FnOnce(Arc<dyn Connector>) -> Arc<dyn Connector>) -> Self {
        Self { myunisoft: wrap(self.myunisoft) }
    }

    pub fn subscriptions(&self, kind: ConnectorKind) -> &dyn Subscriptions {
        match kind {
            ConnectorKind::MyUnisoft => self.myunisoft.as_ref(),
        }
    }

    pub fn fresh(&self, kind: ConnectorKind) -> &dyn Fresh {
        match kind {
            ConnectorKind::MyUnisoft => self.myunisoft.as_ref(),
        }
    }

    pub fn activation(&self, kind: ConnectorKind) -> Option<&dyn Activation> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn folders(&self, kind: ConnectorKind) -> Option<&dyn Folders> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn ledger(&self, kind: ConnectorKind) -> Option<&dyn Ledger> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn analytics(&self, kind: ConnectorKind) -> Option<&dyn Analytics> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn movements(&self, kind: ConnectorKind) -> Option<&dyn Movements> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn outstandings(&self, kind: ConnectorKind) -> Option<&dyn Outstandings> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn banking(&self, kind: ConnectorKind) -> Option<&dyn Banking> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn payroll(&self, kind: ConnectorKind) -> Option<&dyn Payroll> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn third_parties(&self, kind: ConnectorKind) -> Option<&dyn ThirdParties> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn journal_entries(&self, kind: ConnectorKind) -> Option<&dyn JournalEntries> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn postings(&self, kind: ConnectorKind) -> Option<&dyn Postings> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    pub fn documents(&self, kind: ConnectorKind) -> Option<&dyn Documents> {
        match kind {
            ConnectorKind::MyUnisoft => Some(self.myunisoft.as_ref()),
        }
    }

    /// MyUnisoft has no accounting schemes (analytic axes are served as analytic plans).
    pub fn schemes(&self, kind: ConnectorKind) -> Option<&dyn Schemes> {
        match kind {
            ConnectorKind::MyUnisoft => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn long_windows_are_cut_at_fiscal_years_and_twelve_months() {
        let years = [(d("2025-01-01"), d("2025-12-31")), (d("2026-01-01"), d("2027-06-30"))];
        let w = movement_windows(&years, d("2025-06-01"), d("2027-03-31"), 12);
        assert_eq!(
            w,
            vec![
                (d("2025-06-01"), d("2025-12-31")),
                (d("2026-01-01"), d("2026-12-31")),
                (d("2027-01-01"), d("2027-03-31")),
            ]
        );
        assert!(movement_windows(&years, d("2024-01-01"), d("2024-12-31"), 12).is_empty());
    }
}
