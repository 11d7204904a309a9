//! Analytic accounts (MyUnisoft analytic sections), in the default plan or in a named one.

use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, FolderQuery, ListQuery, Page, WithRaw};
use crate::api::extract::{not_blank, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate};
use crate::domain::analytics::{
    AnalyticAccount, AnalyticAccountPatch, NewAnalyticAccount, PlanRef,
};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::analytics as service;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AccountPath {
    pub analytic_account_id: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanPath {
    /// An analytic plan id from `GET /analytic-plans`.
    pub analytic_plan: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AccountInPlanPath {
    pub analytic_account_id: String,
    /// An analytic plan id from `GET /analytic-plans`.
    pub analytic_plan: String,
}

impl Validate for NewAnalyticAccount {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("code", Some(&self.code))?;
        not_blank("name", Some(&self.name))?;
        not_blank("currency", Some(&self.currency))
    }
}

impl Validate for AnalyticAccountPatch {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("code", self.code.as_deref())?;
        not_blank("name", self.name.as_deref())
    }
}

/// Analytic accounts of the default plan (MyUnisoft: the sections of the folder's first analytic
/// axis by id), closed ones included with `active: false`. Empty when analytics is off for the
/// folder. `debit`, `credit` and `balance` (`debit − credit`) are what the movements of the open
/// fiscal year allocate to the account.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/analytic-accounts", tag = "Accounting",
    operation_id = "accounting_get_analytic_accounts", params(ConsumerPath, ListQuery),
    responses((status = 200, body = Page<AnalyticAccount>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_analytic_accounts(
    ValidQuery(q): ValidQuery<ListQuery>,
    a: Accounting,
) -> Result<Json<Page<AnalyticAccount>>> {
    let page = q.pagination()?;
    a.paged(page, service::list(&a.state, &a.ctx, q.folder_id.as_deref(), Some(PlanRef::Default)))
        .await
}

/// Analytic accounts of every plan (MyUnisoft: the sections of every analytic axis), each with
/// its `analytic_plan`; closed ones included with `active: false`. Balances as in
/// `GET /analytic-accounts`.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/analytic-accounts/multi-analytic-plans", tag = "Accounting",
    operation_id = "accounting_get_analytic_accounts_multi_plans", params(ConsumerPath, ListQuery),
    responses((status = 200, body = Page<AnalyticAccount>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_analytic_accounts_multi_plans(
    ValidQuery(q): ValidQuery<ListQuery>,
    a: Accounting,
) -> Result<Json<Page<AnalyticAccount>>> {
    let page = q.pagination()?;
    a.paged(page, service::list(&a.state, &a.ctx, q.folder_id.as_deref(), None)).await
}

/// One analytic account of the default plan (the folder's first analytic axis by id); 404 when
/// it belongs to another plan.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/analytic-accounts/{analytic_account_id}", tag = "Accounting",
    operation_id = "accounting_get_analytic_account", params(ConsumerPath, AccountPath, FolderQuery),
    responses((status = 200, body = AnalyticAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_analytic_account(
    ValidPath(p): ValidPath<AccountPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
) -> Result<Json<WithRaw<AnalyticAccount>>> {
    let work = service::get(
        &a.state,
        &a.ctx,
        q.folder_id.as_deref(),
        PlanRef::Default,
        &p.analytic_account_id,
    );
    a.single(work).await
}

/// One analytic account of `analytic_plan`; 404 when it belongs to another plan.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/analytic-accounts/{analytic_account_id}/multi-analytic-plans/{analytic_plan}", tag = "Accounting",
    operation_id = "accounting_get_analytic_account_multi_plans", params(ConsumerPath, AccountInPlanPath, FolderQuery),
    responses((status = 200, body = AnalyticAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_analytic_account_multi_plans(
    ValidPath(p): ValidPath<AccountInPlanPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
) -> Result<Json<WithRaw<AnalyticAccount>>> {
    let plan = PlanRef::Id(&p.analytic_plan);
    a.single(service::get(&a.state, &a.ctx, q.folder_id.as_deref(), plan, &p.analytic_account_id))
        .await
}

/// Create an analytic account in the default plan (a section of the folder's first analytic axis
/// by id). `currency` must be EUR, the folder's; `active: false` creates it closed. The folder
/// must have analytics enabled (422 on `folder_id` otherwise); a code already used answers 422
/// on `code`.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/analytic-accounts", tag = "Accounting",
    operation_id = "accounting_create_analytic_account", params(ConsumerPath, FolderQuery),
    request_body = NewAnalyticAccount,
    responses((status = 200, body = AnalyticAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_analytic_account(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<NewAnalyticAccount>,
) -> Result<Json<WithRaw<AnalyticAccount>>> {
    a.single(service::create(&a.state, &a.ctx, q.folder_id.as_deref(), PlanRef::Default, &body))
        .await
}

/// Create an analytic account in `analytic_plan` (a section of that MyUnisoft axis). Rules as for
/// `POST /analytic-accounts`.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/analytic-accounts/multi-analytic-plans/{analytic_plan}", tag = "Accounting",
    operation_id = "accounting_create_analytic_account_multi_plans", params(ConsumerPath, PlanPath, FolderQuery),
    request_body = NewAnalyticAccount,
    responses((status = 200, body = AnalyticAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_analytic_account_multi_plans(
    ValidPath(p): ValidPath<PlanPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<NewAnalyticAccount>,
) -> Result<Json<WithRaw<AnalyticAccount>>> {
    let plan = PlanRef::Id(&p.analytic_plan);
    a.single(service::create(&a.state, &a.ctx, q.folder_id.as_deref(), plan, &body)).await
}

/// Change an analytic account of the default plan: `code`, `name` and `active` (closing or
/// reopening the MyUnisoft section); only the fields given change. `currency`, when given, must
/// be EUR.
#[utoipa::path(patch, path = "/consumers/{consumer_id}/accounting/analytic-accounts/{analytic_account_id}", tag = "Accounting",
    operation_id = "accounting_update_analytic_account", params(ConsumerPath, AccountPath, FolderQuery),
    request_body = AnalyticAccountPatch,
    responses((status = 200, body = AnalyticAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn update_analytic_account(
    ValidPath(p): ValidPath<AccountPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<AnalyticAccountPatch>,
) -> Result<Json<WithRaw<AnalyticAccount>>> {
    let id = &p.analytic_account_id;
    a.single(service::update(&a.state, &a.ctx, q.folder_id.as_deref(), PlanRef::Default, id, &body))
        .await
}

/// Change an analytic account of `analytic_plan`. Rules as for
/// `PATCH /analytic-accounts/{analytic_account_id}`.
#[utoipa::path(patch, path = "/consumers/{consumer_id}/accounting/analytic-accounts/{analytic_account_id}/multi-analytic-plans/{analytic_plan}", tag = "Accounting",
    operation_id = "accounting_update_analytic_account_multi_plans", params(ConsumerPath, AccountInPlanPath, FolderQuery),
    request_body = AnalyticAccountPatch,
    responses((status = 200, body = AnalyticAccount), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn update_analytic_account_multi_plans(
    ValidPath(p): ValidPath<AccountInPlanPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<AnalyticAccountPatch>,
) -> Result<Json<WithRaw<AnalyticAccount>>> {
    let (plan, id) = (PlanRef::Id(&p.analytic_plan), &p.analytic_account_id);
    a.single(service::update(&a.state, &a.ctx, q.folder_id.as_deref(), plan, id, &body)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_analytic_accounts, create_analytic_account))
        .routes(routes!(get_analytic_accounts_multi_plans))
        .routes(routes!(get_analytic_account, update_analytic_account))
        .routes(routes!(create_analytic_account_multi_plans))
        .routes(routes!(get_analytic_account_multi_plans, update_analytic_account_multi_plans))
}
