//! `/invoices…`: entries of sales and purchase journals as invoices, their payments, and
//! invoices written as entries.

use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{alias, Accounting, FolderQuery, ListQuery, Page, Pagination, Verb, WithRaw};
use crate::api::detach::detached;
use crate::api::extract::{
    max_chars, BoolParam, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate,
};
use crate::domain::invoice::{Invoice, InvoiceIn, InvoiceType, Payment, PaymentStatus};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::invoices::{self as service, InvoiceFilter};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TypePath {
    pub invoice_type: InvoiceType,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InvoicePath {
    /// The invoice's id (its partner id), MyUnisoft entry id or invoice number.
    pub invoice_id: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoicesQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    /// Comma-separated journal ids.
    pub journal_ids: Option<String>,
    #[serde(default)]
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub include_payments: bool,
    #[serde(default)]
    #[param(default = "all")]
    pub payment_status: PaymentStatus,
    /// Invoices recorded after this instant (MyUnisoft keeps no modification date).
    pub updated_after: Option<DateTime<Utc>>,
    #[serde(default)]
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub include_invoice_lines: bool,
    #[serde(default)]
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub include_partner_info: bool,
    /// `pending`, `approved` or `rejected`: MyUnisoft has no approval workflow, every invoice is
    /// `unknown`, so any value selects none.
    pub approval_status: Option<ApprovalFilter>,
}

/// `InvoiceApprovalStatusFilter`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalFilter {
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    pub folder_id: Option<String>,
    #[serde(default)]
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub include_payments: bool,
    #[serde(default)]
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub include_partner_info: bool,
}

impl InvoicesQuery {
    fn filter(&self) -> Result<InvoiceFilter, Invalid> {
        if let (Some(from), Some(to)) = (self.date_from, self.date_to) {
            if from > to {
                return Err(Invalid::query("date_from", "must not be after date_to"));
            }
        }
        Ok(InvoiceFilter {
            date_from: self.date_from,
            date_to: self.date_to,
            journal_ids: self.journal_ids.as_ref().map(|ids| {
                ids.split(',').map(str::trim).filter(|i| !i.is_empty()).map(str::to_owned).collect()
            }),
            payment_status: self.payment_status,
            updated_after: self.updated_after,
            include_payments: self.include_payments,
            include_invoice_lines: self.include_invoice_lines,
            include_partner_info: self.include_partner_info,
        })
    }
}

/// Invoices of one type: entries of sales (customer_*) or purchase (supplier_*) journals whose
/// partner line is on the type's side. Totals reconcile with the entry to the cent; lines come
/// with `include_invoice_lines=true` (as sent for invoices Passerelle wrote, else one per
/// revenue or expense line with the tax spread at the VAT code's rate); `payment_status` reads
/// the partner line's lettering (paid = fully lettered). Pending entries are `draft`.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/invoices/type/{invoice_type}", tag = "Accounting",
    operation_id = "accounting_get_invoices_by_type", params(ConsumerPath, TypePath, InvoicesQuery),
    responses((status = 200, body = Page<Invoice>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_invoices_by_type(
    ValidPath(p): ValidPath<TypePath>,
    ValidQuery(q): ValidQuery<InvoicesQuery>,
    a: Accounting,
) -> Result<Json<Page<Invoice>>> {
    let page = Pagination::new(q.page, q.size)?;
    let filter = q.filter()?;
    let work = async {
        let all = service::list(&a.state, &a.ctx, q.folder_id.as_deref(), p.invoice_type, &filter)
            .await?;
        Ok(if q.approval_status.is_some() { Vec::new() } else { all })
    };
    a.paged(page, work).await
}

/// One invoice, always with its lines.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/invoices/{invoice_id}", tag = "Accounting",
    operation_id = "accounting_get_invoice", params(ConsumerPath, InvoicePath, InvoiceQuery),
    responses((status = 200, body = Invoice), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_invoice(
    ValidPath(p): ValidPath<InvoicePath>,
    ValidQuery(q): ValidQuery<InvoiceQuery>,
    a: Accounting,
) -> Result<Json<WithRaw<Invoice>>> {
    let filter = InvoiceFilter {
        include_payments: q.include_payments,
        include_partner_info: q.include_partner_info,
        ..InvoiceFilter::default()
    };
    a.single(service::get(&a.state, &a.ctx, q.folder_id.as_deref(), &p.invoice_id, &filter)).await
}

/// The payments of an invoice: entries (bank, cash, write-offs) lettered with its partner line.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/invoices/id/{invoice_id}/payments", tag = "Accounting",
    operation_id = "accounting_get_payments_by_invoice", params(ConsumerPath, InvoicePath, ListQuery),
    responses((status = 200, body = Page<Payment>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_payments_by_invoice(
    ValidPath(p): ValidPath<InvoicePath>,
    ValidQuery(q): ValidQuery<ListQuery>,
    a: Accounting,
) -> Result<Json<Page<Payment>>> {
    let page = q.pagination()?;
    a.paged(page, service::payments(&a.state, &a.ctx, q.folder_id.as_deref(), &p.invoice_id)).await
}

impl Validate for InvoiceIn {
    fn validate(&self) -> Result<(), Invalid> {
        max_chars("pdf_name", self.pdf_name.as_deref(), 200)
    }
}

async fn create(
    a: Accounting,
    folder: Option<String>,
    inv: InvoiceIn,
    multi: bool,
) -> Result<Json<WithRaw<Invoice>>> {
    detached(async move {
        let work = service::create(&a.state, &a.ctx, folder.as_deref(), &inv, multi);
        a.once(|i: &Invoice| Some(i.id.clone()), work).await
    })
    .await
}

/// Create an invoice: an entry in the sales (customer_*) or purchase (supplier_*) journal
/// (`journal_id`, else the first open one by code), sent exactly once. The partner line
/// carries the total and the due date; each line its untaxed amount on `account_number`; VAT
/// goes to the VAT code's account (payable for sales, deductible for purchases; reverse-charge
/// codes post both). Checked first: line totals, tax = untaxed × rate (to the cent), the code's
/// rate, header totals = sums of lines, due date not before the invoice date. Partners are
/// `partner_id`, or `partner_info` found or created (a later failure says what was created).
/// Line descriptions are cut to MyUnisoft's 50 characters in the books and kept whole in the
/// invoice read back. `status: draft` creates a pending entry. `regroup_lines`,
/// `force_financial_period` and `force_currency_exchange` are accepted and have no effect.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/invoices", tag = "Accounting",
    operation_id = "accounting_create_invoice", params(ConsumerPath, FolderQuery),
    request_body = InvoiceIn,
    responses((status = 200, body = Invoice), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_invoice(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(inv): ValidJson<InvoiceIn>,
) -> Result<Json<WithRaw<Invoice>>> {
    create(a, q.folder_id, inv, false).await
}

/// The same, with `analytic_distribution` (every plan) on the lines.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/invoices/multi-analytic-plans", tag = "Accounting",
    operation_id = "accounting_create_invoice_multiple_plans", params(ConsumerPath, FolderQuery),
    request_body = InvoiceIn,
    responses((status = 200, body = Invoice), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_invoice_multiple_plans(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(inv): ValidJson<InvoiceIn>,
) -> Result<Json<WithRaw<Invoice>>> {
    create(a, q.folder_id, inv, true).await
}

pub fn router() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .routes(routes!(get_invoices_by_type))
        .routes(routes!(get_invoice))
        .routes(routes!(get_payments_by_invoice))
        .routes(routes!(create_invoice))
        .routes(routes!(create_invoice_multiple_plans));
    let router = alias(
        router,
        Verb::Get,
        (
            "/consumers/{consumer_id}/accounting/invoices/type/{invoice_type}",
            "/consumers/{consumer_id}/accounting/invoices/multi-analytic-plans/type/{invoice_type}",
        ),
        (
            "accounting_get_invoices_by_type_multi_analytic_plans",
            "The same invoices with every analytic plan on their lines (`analytic_distribution`).",
        ),
        get_invoices_by_type,
    );
    alias(
        router,
        Verb::Get,
        (
            "/consumers/{consumer_id}/accounting/invoices/{invoice_id}",
            "/consumers/{consumer_id}/accounting/invoices/multi-analytic-plans/{invoice_id}",
        ),
        (
            "accounting_get_invoice_multi_analytic_plans",
            "One invoice with every analytic plan on its lines.",
        ),
        get_invoice,
    )
}
