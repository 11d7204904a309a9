//! Fiscal years, the chart of accounts and the trial balance.

use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, FolderQuery, ListQuery, Page, Pagination, WithRaw};
use crate::api::extract::{not_blank, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate};
use crate::domain::accounting::{
    AccountBalance, AccountTypeFilter, BalanceFilter, BookYear, LedgerAccount, NewLedgerAccount,
};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::accounting as service;
use crate::state::AppState;

/// Fiscal years, oldest first.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/bookyears", tag = "Accounting",
    operation_id = "accounting_get_bookyears", params(ConsumerPath, ListQuery),
    responses((status = 200, body = Page<BookYear>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_bookyears(
    ValidQuery(q): ValidQuery<ListQuery>,
    a: Accounting,
) -> Result<Json<Page<BookYear>>> {
    let page = q.pagination()?;
    a.paged(page, service::bookyears(&a.state, &a.ctx, q.folder_id.as_deref())).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    /// Comma-separated account classes, e.g. `6,7`.
    pub classes: Option<String>,
    pub r#type: Option<AccountTypeFilter>,
}

/// The chart of accounts in number order, filtered by `classes` and `type`. `active` is false for
/// accounts MyUnisoft has closed or blocked.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/chart-of-accounts", tag = "Accounting",
    operation_id = "accounting_get_chart_of_accounts", params(ConsumerPath, ChartQuery),
    responses((status = 200, body = Page<LedgerAccount>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_chart_of_accounts(
    ValidQuery(q): ValidQuery<ChartQuery>,
    a: Accounting,
) -> Result<Json<Page<LedgerAccount>>> {
    let page = Pagination::new(q.page, q.size)?;
    let classes: Vec<String> = q
        .classes
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = classes.iter().find(|c| !c.chars().all(|ch| ch.is_ascii_digit())) {
        return Err(Invalid::query(
            "classes",
            format!("`{bad}` is not an account class; use digits such as 6,7"),
        )
        .into());
    }
    let work = async {
        let all = service::accounts(&a.state, &a.ctx, q.folder_id.as_deref()).await?;
        Ok(all
            .into_iter()
            .filter(|a| {
                classes.is_empty() || classes.iter().any(|c| a.number.starts_with(c.as_str()))
            })
            .filter(|a| q.r#type.is_none_or(|t| t.accepts(a.r#type)))
            .collect())
    };
    a.paged(page, work).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AccountPath {
    /// The account number (or MyUnisoft's account id).
    pub account_id: String,
}

/// One account, by number or by MyUnisoft's id (the Chift SDK's `Account.get`).
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/chart-of-accounts/{account_id}", tag = "Accounting",
    operation_id = "accounting_get_account", params(ConsumerPath, AccountPath, FolderQuery),
    responses((status = 200, body = LedgerAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_account(
    ValidPath(p): ValidPath<AccountPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
) -> Result<Json<WithRaw<LedgerAccount>>> {
    a.single(service::account(&a.state, &a.ctx, q.folder_id.as_deref(), &p.account_id)).await
}

impl Validate for NewLedgerAccount {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("number", Some(&self.number))?;
        not_blank("name", Some(&self.name))
    }
}

/// Find-or-create a ledger account (MyUnisoft `POST /account` is an upsert: an existing number
/// is returned as it is). The number must start with a digit 1-9 and have at most 20 characters.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/accounts", tag = "Accounting",
    operation_id = "accounting_create_ledger_account", params(ConsumerPath, FolderQuery),
    request_body = NewLedgerAccount,
    responses((status = 200, body = LedgerAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_ledger_account(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<NewLedgerAccount>,
) -> Result<Json<WithRaw<LedgerAccount>>> {
    a.single(service::create_account(&a.state, &a.ctx, q.folder_id.as_deref(), &body)).await
}

impl Validate for BalanceFilter {
    fn validate(&self) -> Result<(), Invalid> {
        if self.accounts.is_empty() {
            return Err(Invalid::body(
                "accounts",
                "must list account numbers or prefixes, e.g. [\"6\"]",
            ));
        }
        if self.end.len() != 6 {
            return Err(Invalid::body("end", "must be a month YYYYMM"));
        }
        Ok(())
    }
}

/// Trial balance of the accounts whose number starts with one of `accounts`, cumulated from the
/// start of the fiscal year containing `end` (`YYYYMM`) to the end of that month; `period_*` cover
/// `start`..`end`. Aggregated from MyUnisoft's movements; off-books journals are left out.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/chart-of-accounts/balance", tag = "Accounting",
    operation_id = "accounting_get_accounts_balances", params(ConsumerPath, ListQuery),
    request_body = BalanceFilter,
    responses((status = 200, body = Page<AccountBalance>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_accounts_balances(
    ValidQuery(q): ValidQuery<ListQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<BalanceFilter>,
) -> Result<Json<Page<AccountBalance>>> {
    let page = q.pagination()?;
    a.paged(page, service::balances(&a.state, &a.ctx, q.folder_id.as_deref(), &body)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_bookyears))
        .routes(routes!(get_chart_of_accounts))
        .routes(routes!(get_account))
        .routes(routes!(create_ledger_account))
        .routes(routes!(get_accounts_balances))
}
