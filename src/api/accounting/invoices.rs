//! `/invoices…`: entries of sales and purchase journals as invoices, their payments, and
//! invoices written as entries.

use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{alias, Accounting, ListQuery, Page, Pagination, Verb, WithRaw};
use crate::api::detach::detached;
use crate::api::extract::{max_chars, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate};
use crate::domain::invoice::{Invoice, InvoiceIn, InvoiceType, Payment, PaymentStatus};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::invoices::{self as service, InvoiceFilter};
use crate::service::invoices::{refuse_unsupported, WriteOptions};
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
    pub include_payments: bool,
    #[serde(default)]
    pub payment_status: PaymentStatus,
    /// Invoices recorded after this instant (MyUnisoft keeps no modification date).
    pub updated_after: Option<DateTime<Utc>>,
    #[serde(default)]
    pub include_invoice_lines: bool,
    #[serde(default)]
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
    pub include_payments: bool,
    /// No-op: a single invoice always comes with its lines.
    #[serde(default)]
    #[param(default = false)]
    #[allow(dead_code)] // accepted as a no-op (README)
    pub include_invoice_lines: bool,
    #[serde(default)]
    pub include_partner_info: bool,
}

/// `folder_id` and Chift's options of an invoice creation.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceWriteQuery {
    pub folder_id: Option<String>,
    /// `mmYYYY`: the period to book in. MyUnisoft books an entry in the period of its date, so
    /// the invoice date must fall in it (else 422, nothing written).
    pub force_financial_period: Option<String>,
    /// Merge the lines sharing account, VAT code and analytics into one entry line each
    /// (default true); the invoice read back keeps the lines as sent.
    #[serde(default = "yes")]
    #[param(default = true)]
    pub regroup_lines: bool,
    /// No-op: the answer always carries the id MyUnisoft gave.
    #[serde(default)]
    #[param(default = false)]
    #[allow(dead_code)] // accepted as a no-op (README)
    pub ignore_accounting_id: bool,
    /// No-op: the `currency_exchange_rate` sent is always the one booked.
    #[serde(default)]
    #[param(default = false)]
    #[allow(dead_code)] // accepted as a no-op (README)
    pub force_currency_exchange: bool,
}

fn yes() -> bool {
    true
}

impl InvoiceWriteQuery {
    fn options(&self) -> WriteOptions {
        WriteOptions {
            regroup_lines: self.regroup_lines,
            financial_period: self.force_financial_period.clone(),
        }
    }
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
    security(("bearer" = [])))]
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
    security(("bearer" = [])))]
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
    security(("bearer" = [])))]
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
        max_chars("pdf_name", self.pdf_name.as_deref(), 200)?;
        refuse_unsupported(self)
    }
}

async fn create(
    a: Accounting,
    q: InvoiceWriteQuery,
    inv: InvoiceIn,
    multi: bool,
) -> Result<Json<WithRaw<Invoice>>> {
    let options = q.options();
    let folder = q.folder_id;
    detached(async move {
        let work = service::create(&a.state, &a.ctx, folder.as_deref(), &inv, multi, &options);
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
/// invoice read back. `status: draft` creates a pending entry. `payment_method_id` is set on
/// the partner line (and read back on `due_dates`). `regroup_lines` (default true) merges the
/// lines sharing account, VAT code and analytics; `force_financial_period` must be the invoice
/// date's month; `withholding_tax`, `invoice_correction` and `nl_payment_terms_split` are
/// refused (422: MyUnisoft has no equivalent); `ignore_accounting_id` and
/// `force_currency_exchange` are no-ops.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/invoices", tag = "Accounting",
    operation_id = "accounting_create_invoice", params(ConsumerPath, InvoiceWriteQuery),
    request_body = InvoiceIn,
    responses((status = 200, body = Invoice), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_invoice(
    ValidQuery(q): ValidQuery<InvoiceWriteQuery>,
    a: Accounting,
    ValidJson(inv): ValidJson<InvoiceIn>,
) -> Result<Json<WithRaw<Invoice>>> {
    create(a, q, inv, false).await
}

/// The same, with `analytic_distribution` (every plan) on the lines.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/invoices/multi-analytic-plans", tag = "Accounting",
    operation_id = "accounting_create_invoice_multiple_plans", params(ConsumerPath, InvoiceWriteQuery),
    request_body = InvoiceIn,
    responses((status = 200, body = Invoice), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_invoice_multiple_plans(
    ValidQuery(q): ValidQuery<InvoiceWriteQuery>,
    a: Accounting,
    ValidJson(inv): ValidJson<InvoiceIn>,
) -> Result<Json<WithRaw<Invoice>>> {
    create(a, q, inv, true).await
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
