//! Bank accounts (MyUnisoft RIBs and their bank journals).

use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, FolderQuery, ListQuery, Page, WithRaw};
use crate::api::extract::{not_blank, ConsumerPath, ValidJson, ValidQuery, Validate};
use crate::domain::accounting::{BankAccount, NewBankAccount};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::accounting as service;
use crate::state::AppState;

/// Bank accounts: each MyUnisoft RIB with its bank journal (`code`, `journal_id`) and the
/// journal's 512 ledger account.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/bank-accounts", tag = "Accounting",
    operation_id = "accounting_get_bank_accounts", params(ConsumerPath, ListQuery),
    responses((status = 200, body = Page<BankAccount>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_bank_accounts(
    ValidQuery(q): ValidQuery<ListQuery>,
    a: Accounting,
) -> Result<Json<Page<BankAccount>>> {
    let page = q.pagination()?;
    a.paged(page, service::bank_accounts(&a.state, &a.ctx, q.folder_id.as_deref())).await
}

impl Validate for NewBankAccount {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("code", Some(&self.code))?;
        not_blank("bank_name", Some(&self.bank_name))?;
        not_blank("currency", Some(&self.currency))
    }
}

/// Create a bank account: a RIB on the bank journal `code` (1-4 characters). A missing journal
/// is created with a new 512xxx ledger account; if a later step fails, the error says what was
/// created. MyUnisoft needs an `iban`, EUR, and a `bic` (an extension of Chift's schema). IBAN
/// and BIC are checked before anything is written.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/bank-accounts", tag = "Accounting",
    operation_id = "accounting_create_bank_account", params(ConsumerPath, FolderQuery),
    request_body = NewBankAccount,
    responses((status = 200, body = BankAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_bank_account(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<NewBankAccount>,
) -> Result<Json<WithRaw<BankAccount>>> {
    a.single(service::create_bank_account(&a.state, &a.ctx, q.folder_id.as_deref(), &body)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_bank_accounts, create_bank_account))
}
