//! Accounting use cases: find the consumer's connection and folder, pick the connector's
//! capability, call it.

use std::sync::Arc;

use uuid::Uuid;

use crate::auth::tenant::TenantContext;
use crate::connectors::{
    Analytics, Banking, FolderScope, Folders, Ledger, Payroll, Schemes, TenantConnection,
};
use crate::domain::accounting::{
    AccountBalance, AnalyticPlan, BalanceFilter, BankAccount, BookYear, Employee, Folder, Journal,
    LedgerAccount, NewBankAccount, NewJournal, NewLedgerAccount, PaymentMethod, PaymentTerm,
    Scheme, VatCode,
};
use crate::domain::connection::{ConnectionFacts, ConnectionStatus, ConnectorKind};
use crate::domain::Invalid;
use crate::domain::Resource;
use crate::error::{AppError, Result};
use crate::service::consumers;
use crate::state::AppState;

/// What picks the connection and the folder of a call.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// `x-chift-connectionid`.
    pub connection: Option<Uuid>,
    /// `folder_id`.
    pub folder: Option<String>,
}

/// The consumer's connection, ready for a connector.
pub struct Context {
    pub connection: Arc<TenantConnection>,
    pub consumer: Uuid,
}

/// The consumer's active accounting connection: the one named by `x-chift-connectionid`, or the
/// only one. Served from the tenancy cache when kept there.
pub async fn context(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    selector: &Selector,
) -> Result<Context> {
    if let Some(connection) = s.tenancy.connection(t.account_id, consumer, selector.connection) {
        return Ok(Context { connection, consumer });
    }
    let seen = s.tenancy.epoch();
    consumers::get(s, t, consumer).await?;
    let all = s.store.connections().list(t.account_id, consumer).await?;
    let active: Vec<_> = all.into_iter().filter(|c| c.status == ConnectionStatus::Active).collect();
    let chosen = match selector.connection {
        Some(id) => active.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound {
            resource: Resource::ActiveConnection,
            id: id.to_string(),
        })?,
        None => {
            let mut active = active.into_iter();
            match (active.next(), active.next()) {
                (Some(only), None) => only,
                (None, _) => {
                    return Err(AppError::NoActiveConnection { consumer: consumer.to_string() })
                }
                (Some(_), Some(_)) => {
                    return Err(AppError::SeveralConnections { consumer: consumer.to_string() })
                }
            }
        }
    };
    let facts = chosen.facts.clone().ok_or_else(|| {
        AppError::Internal(format!("connection {} has never been activated", chosen.id))
    })?;
    let credentials = s
        .store
        .connections()
        .credentials(&s.keyring, t.account_id, consumer, chosen.id)
        .await?
        .ok_or(AppError::NotFound { resource: Resource::Connection, id: chosen.id.to_string() })?;
    let connection = Arc::new(TenantConnection::new(chosen.id, chosen.kind, &credentials, facts)?);
    s.tenancy.keep_connection(seen, consumer, selector.connection, Arc::clone(&connection));
    Ok(Context { connection, consumer })
}

impl Context {
    /// The folder a folder-scoped call goes to: a society token's own, or for a firm token the
    /// `folder_id` given, which must be one of its folders and, when the customer chose folders on
    /// the connect page, one of those (the only one chosen is the default).
    pub async fn folder(&self, s: &AppState, folder_id: Option<&str>) -> Result<FolderScope<'_>> {
        let requested = folder_id
            .map(|f| {
                f.trim().parse::<i64>().map_err(|_| {
                    Invalid::query("folder_id", "must be a folder id from GET …/accounting/folders")
                })
            })
            .transpose()?;
        let facts = &self.connection.facts;
        let folder = match (facts, requested) {
            (ConnectionFacts::Society { society_id, .. }, None) => *society_id,
            (ConnectionFacts::Society { society_id, .. }, Some(f)) if f == *society_id => f,
            (ConnectionFacts::Society { society_id, .. }, Some(_)) => {
                let rule = format!("this connection's token reaches folder {society_id} only");
                return Err(Invalid::query("folder_id", rule).into());
            }
            (ConnectionFacts::Firm { selected: Some(selected), .. }, None)
                if selected.len() == 1 =>
            {
                selected[0]
            }
            (ConnectionFacts::Firm { folders, selected, .. }, None) => {
                let reached = selected.as_ref().unwrap_or(folders).len();
                let rule = format!(
                    "required: this connection reaches {reached} folders; list them with \
                     GET /consumers/{}/accounting/folders and pass one as folder_id",
                    self.consumer
                );
                return Err(Invalid::query("folder_id", rule).into());
            }
            (ConnectionFacts::Firm { .. }, Some(f)) if !facts.is_selected(f) => {
                let rule = format!(
                    "folder {f} was not selected when the customer connected; PATCH \
                     /consumers/{}/connections/{} without credentials gives a link to change \
                     the selection",
                    self.consumer, self.connection.id
                );
                return Err(Invalid::query("folder_id", rule).into());
            }
            (ConnectionFacts::Firm { folders, .. }, Some(f)) if folders.contains(&f) => f,
            (ConnectionFacts::Firm { .. }, Some(f)) => {
                // Folders added since the connection was activated are found live.
                let live = folders_of(s, self).await?;
                if !live.iter().any(|l| l.id == f.to_string()) {
                    let rule = format!("folder {f} is not reachable with this connection; GET …/accounting/folders lists those that are");
                    return Err(Invalid::query("folder_id", rule).into());
                }
                f
            }
        };
        Ok(FolderScope { connection: &self.connection, folder })
    }

    pub(crate) fn kind(&self) -> ConnectorKind {
        self.connection.kind
    }
}

pub(crate) fn unsupported(resource: &'static str, kind: ConnectorKind) -> AppError {
    AppError::NotSupported { resource, connector: kind.name() }
}

pub(crate) fn ledger<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn Ledger> {
    s.connectors.ledger(ctx.kind()).ok_or_else(|| unsupported("the ledger", ctx.kind()))
}

/// The folders the connection reaches, each marked `selected` when calls may go to it.
async fn folders_of(s: &AppState, ctx: &Context) -> Result<Vec<Folder>> {
    let folders: &dyn Folders =
        s.connectors.folders(ctx.kind()).ok_or_else(|| unsupported("folders", ctx.kind()))?;
    let mut all = folders.folders(&ctx.connection).await?;
    for folder in &mut all {
        let id = folder.id.parse::<i64>().ok();
        folder.selected = Some(id.is_some_and(|id| ctx.connection.facts.is_selected(id)));
    }
    Ok(all)
}

pub async fn folders(s: &AppState, ctx: &Context) -> Result<Vec<Folder>> {
    folders_of(s, ctx).await
}

pub async fn folder(s: &AppState, ctx: &Context, id: &str) -> Result<Folder> {
    let all = folders_of(s, ctx).await?;
    all.into_iter()
        .find(|f| f.id == id)
        .ok_or_else(|| AppError::NotFound { resource: Resource::Folder, id: id.to_owned() })
}

pub async fn bookyears(s: &AppState, ctx: &Context, folder: Option<&str>) -> Result<Vec<BookYear>> {
    Ok(ledger(s, ctx)?.bookyears(ctx.folder(s, folder).await?).await?)
}

pub async fn accounts(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
) -> Result<Vec<LedgerAccount>> {
    Ok(ledger(s, ctx)?.accounts(ctx.folder(s, folder).await?).await?)
}

/// One account, by number or by the software's id.
pub async fn account(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
) -> Result<LedgerAccount> {
    let all = accounts(s, ctx, folder).await?;
    all.into_iter()
        .find(|a| a.number == id || a.id == id)
        .ok_or_else(|| AppError::NotFound { resource: Resource::Account, id: id.to_owned() })
}

pub async fn create_account(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    new: &NewLedgerAccount,
) -> Result<LedgerAccount> {
    Ok(ledger(s, ctx)?.create_account(ctx.folder(s, folder).await?, new).await?)
}

pub async fn balances(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    filter: &BalanceFilter,
) -> Result<Vec<AccountBalance>> {
    Ok(ledger(s, ctx)?.balances(ctx.folder(s, folder).await?, filter).await?)
}

/// The folder's journals, each bank journal with the IBAN of the bank account linked to it.
pub async fn journals(s: &AppState, ctx: &Context, folder: Option<&str>) -> Result<Vec<Journal>> {
    let scope = ctx.folder(s, folder).await?;
    let mut journals = ledger(s, ctx)?.journals(scope).await?;
    if let Some(banking) = s.connectors.banking(ctx.kind()) {
        let accounts = banking.bank_accounts(scope).await?;
        for journal in &mut journals {
            journal.iban = accounts
                .iter()
                .find(|b| b.journal_id.as_deref() == Some(journal.id.as_str()))
                .and_then(|b| b.iban.clone());
        }
    }
    Ok(journals)
}

pub async fn journal(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
) -> Result<Journal> {
    let all = journals(s, ctx, folder).await?;
    all.into_iter()
        .find(|j| j.id == id)
        .ok_or_else(|| AppError::NotFound { resource: Resource::Journal, id: id.to_owned() })
}

pub async fn create_journal(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    new: &NewJournal,
) -> Result<Journal> {
    Ok(ledger(s, ctx)?.create_journal(ctx.folder(s, folder).await?, new).await?)
}

pub async fn vat_codes(s: &AppState, ctx: &Context, folder: Option<&str>) -> Result<Vec<VatCode>> {
    Ok(ledger(s, ctx)?.vat_codes(ctx.folder(s, folder).await?).await?)
}

pub async fn payment_methods(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
) -> Result<Vec<PaymentMethod>> {
    Ok(ledger(s, ctx)?.payment_methods(ctx.folder(s, folder).await?).await?)
}

pub async fn payment_terms(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
) -> Result<Vec<PaymentTerm>> {
    Ok(ledger(s, ctx)?.payment_terms(ctx.folder(s, folder).await?).await?)
}

pub async fn analytic_plans(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
) -> Result<Vec<AnalyticPlan>> {
    let analytics: &dyn Analytics = s
        .connectors
        .analytics(ctx.kind())
        .ok_or_else(|| unsupported("analytic plans", ctx.kind()))?;
    Ok(analytics.analytic_plans(ctx.folder(s, folder).await?).await?)
}

fn banking<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn Banking> {
    s.connectors.banking(ctx.kind()).ok_or_else(|| unsupported("bank accounts", ctx.kind()))
}

pub async fn bank_accounts(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
) -> Result<Vec<BankAccount>> {
    Ok(banking(s, ctx)?.bank_accounts(ctx.folder(s, folder).await?).await?)
}

pub async fn create_bank_account(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    new: &NewBankAccount,
) -> Result<BankAccount> {
    Ok(banking(s, ctx)?.create_bank_account(ctx.folder(s, folder).await?, new).await?)
}

pub async fn employees(s: &AppState, ctx: &Context, folder: Option<&str>) -> Result<Vec<Employee>> {
    let payroll: &dyn Payroll =
        s.connectors.payroll(ctx.kind()).ok_or_else(|| unsupported("employees", ctx.kind()))?;
    Ok(payroll.employees(ctx.folder(s, folder).await?).await?)
}

pub async fn schemes(s: &AppState, ctx: &Context, folder: Option<&str>) -> Result<Vec<Scheme>> {
    let schemes: &dyn Schemes =
        s.connectors.schemes(ctx.kind()).ok_or_else(|| unsupported("schemes", ctx.kind()))?;
    Ok(schemes.schemes(ctx.folder(s, folder).await?).await?)
}
