//! Journals (MyUnisoft diaries).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{
    context, paged, single, ChiftHeaders, ConsumerPath, FolderQuery, ListQuery, Page, WithRaw,
};
use crate::api::extract::{not_blank, ValidJson, ValidPath, ValidQuery, Validate};
use crate::auth::tenant::TenantContext;
use crate::domain::accounting::{Journal, NewJournal};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::accounting as service;
use crate::state::AppState;

/// The journals. MyUnisoft types map to Chift's: VTE → customer_invoice, ACH/NDF →
/// supplier_invoice, BQ/CAISSE → financial_operation, OD family → miscellaneous_operation,
/// others (AN, untyped) → unknown. `blocked` covers closed journals too.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/journals", tag = "Accounting",
    operation_id = "accounting_get_journals", params(ConsumerPath, ListQuery),
    responses((status = 200, body = Page<Journal>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_journals(
    State(s): State<AppState>,
    t: TenantContext,
    h: ChiftHeaders,
    ValidPath(p): ValidPath<ConsumerPath>,
    ValidQuery(q): ValidQuery<ListQuery>,
) -> Result<Json<Page<Journal>>> {
    let page = q.pagination()?;
    let ctx = context(&s, &t, p.consumer_id, &h).await?;
    paged(&h, page, service::journals(&s, &ctx, q.folder_id.as_deref())).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct JournalPath {
    pub consumer_id: Uuid,
    pub journal_id: String,
}

/// One journal (the Chift SDK's `Journal.get`).
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/journals/{journal_id}", tag = "Accounting",
    operation_id = "accounting_get_journal", params(JournalPath, FolderQuery),
    responses((status = 200, body = Journal), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_journal(
    State(s): State<AppState>,
    t: TenantContext,
    h: ChiftHeaders,
    ValidPath(p): ValidPath<JournalPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
) -> Result<Json<WithRaw<Journal>>> {
    let ctx = context(&s, &t, p.consumer_id, &h).await?;
    single(&h, service::journal(&s, &ctx, q.folder_id.as_deref(), &p.journal_id)).await
}

impl Validate for NewJournal {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("code", Some(&self.code))?;
        not_blank("name", Some(&self.name))
    }
}

/// Create a journal. `code`: 1 to 4 letters or digits (MyUnisoft). Bank and cash journals need a
/// `counterpart_account` that exists in the chart (512…/53…). MyUnisoft has no refund journals:
/// refund types create sales or purchase journals.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/journal", tag = "Accounting",
    operation_id = "accounting_create_journal", params(ConsumerPath, FolderQuery),
    request_body = NewJournal,
    responses((status = 200, body = Journal), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_journal(
    State(s): State<AppState>,
    t: TenantContext,
    h: ChiftHeaders,
    ValidPath(p): ValidPath<ConsumerPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    ValidJson(body): ValidJson<NewJournal>,
) -> Result<Json<WithRaw<Journal>>> {
    let ctx = context(&s, &t, p.consumer_id, &h).await?;
    single(&h, service::create_journal(&s, &ctx, q.folder_id.as_deref(), &body)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_journals))
        .routes(routes!(get_journal))
        .routes(routes!(create_journal))
}
