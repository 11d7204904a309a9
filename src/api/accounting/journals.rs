//! Journals (MyUnisoft diaries).

use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, FolderQuery, ListQuery, Page, WithRaw};
use crate::api::extract::{not_blank, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate};
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
    security(("bearerAuth" = [])))]
pub async fn get_journals(
    ValidQuery(q): ValidQuery<ListQuery>,
    a: Accounting,
) -> Result<Json<Page<Journal>>> {
    let page = q.pagination()?;
    a.paged(page, service::journals(&a.state, &a.ctx, q.folder_id.as_deref())).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct JournalPath {
    pub journal_id: String,
}

/// One journal (the Chift SDK's `Journal.get`).
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/journals/{journal_id}", tag = "Accounting",
    operation_id = "accounting_get_journal", params(ConsumerPath, JournalPath, FolderQuery),
    responses((status = 200, body = Journal), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_journal(
    ValidPath(p): ValidPath<JournalPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
) -> Result<Json<WithRaw<Journal>>> {
    a.single(service::journal(&a.state, &a.ctx, q.folder_id.as_deref(), &p.journal_id)).await
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
    security(("bearerAuth" = [])))]
pub async fn create_journal(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<NewJournal>,
) -> Result<Json<WithRaw<Journal>>> {
    a.single(service::create_journal(&a.state, &a.ctx, q.folder_id.as_deref(), &body)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_journals))
        .routes(routes!(get_journal))
        .routes(routes!(create_journal))
}
