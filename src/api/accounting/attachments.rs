//! `/attachments` and `/invoices/pdf/{invoice_id}`: files attached to invoices and entries.

use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, Page, Pagination};
use crate::api::detach::detached;
use crate::api::extract::{
    max_chars, BoolParam, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate,
};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::attachments::{self as service, AttachmentIn, AttachmentOut};
use crate::state::AppState;

/// `DocumentType`: both are entries in MyUnisoft.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Invoice,
    Entry,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentsQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    pub r#type: DocumentType,
    /// The invoice's or entry's id.
    pub document_id: String,
}

/// The files attached to an invoice or entry, with their content (base64). With
/// `type=invoice`, a document that is not an invoice is a 404.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/attachments", tag = "Accounting",
    operation_id = "accounting_get_attachments", params(ConsumerPath, AttachmentsQuery),
    responses((status = 200, body = Page<AttachmentOut>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_attachments(
    ValidQuery(q): ValidQuery<AttachmentsQuery>,
    a: Accounting,
) -> Result<Json<Page<AttachmentOut>>> {
    let asked = Pagination::new(q.page, q.size)?;
    // A page holds at most the gateway's attachments per page; `size` says how many it held.
    let page = Pagination { size: asked.size.min(a.state.limits.attachments_per_page), ..asked };
    let invoice = matches!(q.r#type, DocumentType::Invoice);
    let window = (page.skip(), page.size as usize);
    let listed =
        service::list(&a.state, &a.ctx, q.folder_id.as_deref(), &q.document_id, invoice, window);
    a.paged_upstream(page, listed).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PdfPath {
    pub invoice_id: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PdfQuery {
    pub folder_id: Option<String>,
    #[serde(default)]
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub overwrite_existing: bool,
}

impl Validate for AttachmentIn {
    fn validate(&self) -> Result<(), Invalid> {
        max_chars("name", self.name.as_deref(), 200)
    }
}

/// Attach a PDF (≤ 50 MB) to an invoice or entry: uploaded once to MyUnisoft's documents of the
/// entry (posted or pending), named `{name}-{6 hex}.pdf` (cut to MyUnisoft's 50 characters) so
/// that a lost answer can be settled by looking for it. Answers 204. MyUnisoft cannot delete a document, so
/// `overwrite_existing=true` on an entry that has one is refused (422).
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/invoices/pdf/{invoice_id}", tag = "Accounting",
    operation_id = "accounting_add_attachment", params(ConsumerPath, PdfPath, PdfQuery),
    request_body = AttachmentIn,
    responses((status = 204), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn add_attachment(
    ValidPath(p): ValidPath<PdfPath>,
    ValidQuery(q): ValidQuery<PdfQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<AttachmentIn>,
) -> Result<StatusCode> {
    detached(async move {
        let folder = q.folder_id.as_deref();
        let work =
            service::attach(&a.state, &a.ctx, folder, &p.invoice_id, &body, q.overwrite_existing);
        a.write(|_| Some(p.invoice_id.clone()), work).await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_attachments)).routes(routes!(add_attachment))
}
