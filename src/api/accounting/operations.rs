//! Writes of other documents as entries (`/miscellaneous-operation`, `/financial-entries`,
//! `/expenses`, `/bank-transactions`, `/invoices/payments`) and the miscellaneous-operation
//! reads.

use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, FolderQuery, Page, Pagination, WithRaw};
use crate::api::detach::detached;
use crate::api::extract::{
    max_chars, not_blank, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate,
};
use crate::domain::operation::{
    BankStatement, Expense, ExpenseOut, FinancialEntry, FinancialEntryOut, InvoicePayment,
    Operation, OperationIn,
};
use crate::domain::{Invalid, Refusal};
use crate::error::{ErrorBody, Result};
use crate::service::{expenses, operations, treasury};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperationsQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    /// Comma-separated journal ids; by default every miscellaneous (OD-family) journal.
    pub journal_ids: Option<String>,
}

/// Miscellaneous operations: entries of the OD-family journals, amounts signed as Chift signs
/// them (positive = credit). `matched` when a partner line is lettered; pending entries are
/// `draft`.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/miscellaneous-operation", tag = "Accounting",
    operation_id = "accounting_get_miscellaneous_operations", params(ConsumerPath, OperationsQuery),
    responses((status = 200, body = Page<Operation>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_miscellaneous_operations(
    ValidQuery(q): ValidQuery<OperationsQuery>,
    a: Accounting,
) -> Result<Json<Page<Operation>>> {
    let page = Pagination::new(q.page, q.size)?;
    let journals = q.journal_ids.as_ref().map(|ids| {
        ids.split(',').map(str::trim).filter(|i| !i.is_empty()).map(str::to_owned).collect()
    });
    a.paged(
        page,
        operations::list(
            &a.state,
            &a.ctx,
            q.folder_id.as_deref(),
            (q.date_from, q.date_to),
            journals,
        ),
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OperationPath {
    pub operation_id: String,
}

/// One miscellaneous operation.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/miscellaneous-operation/{operation_id}", tag = "Accounting",
    operation_id = "accounting_get_miscellaneous_operation", params(ConsumerPath, OperationPath, FolderQuery),
    responses((status = 200, body = Operation), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_miscellaneous_operation(
    ValidPath(p): ValidPath<OperationPath>,
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
) -> Result<Json<WithRaw<Operation>>> {
    a.single(operations::get(&a.state, &a.ctx, q.folder_id.as_deref(), &p.operation_id)).await
}

impl Validate for OperationIn {
    fn validate(&self) -> Result<(), Invalid> {
        if self.lines.is_empty() {
            return Err(Invalid::body("lines", "at least two lines whose amounts sum to 0")
                .because(Refusal::NoOperationLine));
        }
        if self.lines.len() < 2 {
            return Err(Invalid::body("lines", "at least two lines"));
        }
        Ok(())
    }
}

/// Create a miscellaneous operation (in `journal_id`, else the first open OD journal), sent
/// exactly once. Lines: positive amount = credit, negative = debit, never 0; partner lines
/// name the client or supplier with `partner_id` (else `account_number` is booked as is).
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/miscellaneous-operation", tag = "Accounting",
    operation_id = "accounting_create_miscellaneous_operation", params(ConsumerPath, FolderQuery),
    request_body = OperationIn,
    responses((status = 200, body = Operation), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_miscellaneous_operation(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<OperationIn>,
) -> Result<Json<WithRaw<Operation>>> {
    detached(async move {
        let work = operations::create(&a.state, &a.ctx, q.folder_id.as_deref(), &body);
        a.once(|o: &Operation| Some(o.id.clone()), work).await
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FinancialQuery {
    pub folder_id: Option<String>,
    /// The bank or cash account to book against instead of the journal's.
    pub financial_counterpart_account: Option<String>,
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

impl Validate for FinancialEntry {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("journal_id", Some(&self.journal_id))?;
        max_chars("pdf_name", self.pdf_name.as_deref(), 200)
    }
}

/// Create a financial entry in a bank or cash journal, sent exactly once: each item is booked
/// against the journal's account (positive amount = money received: the bank is debited and
/// `account` credited), with its VAT on top when `tax_info` is given.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/financial-entries", tag = "Accounting",
    operation_id = "accounting_create_financial_entries", params(ConsumerPath, FinancialQuery),
    request_body = FinancialEntry,
    responses((status = 200, body = FinancialEntryOut), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_financial_entries(
    ValidQuery(q): ValidQuery<FinancialQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<FinancialEntry>,
) -> Result<Json<WithRaw<FinancialEntryOut>>> {
    detached(async move {
        let work = treasury::financial_entry(
            &a.state,
            &a.ctx,
            q.folder_id.as_deref(),
            q.financial_counterpart_account.as_deref(),
            &body,
        );
        a.once(|e: &FinancialEntryOut| Some(e.id.clone()), work).await
    })
    .await
}

impl Validate for Expense {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("employee_id", Some(&self.employee_id))?;
        max_chars("pdf_name", self.pdf_name.as_deref(), 200)
    }
}

/// Create an expense claim: the employee's (421) account credited with the total, each line's
/// account debited with its untaxed amount and the deductible VAT on the code's account, in
/// the expense-report journal (else the first purchase journal).
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/expenses", tag = "Accounting",
    operation_id = "accounting_create_expense", params(ConsumerPath, FolderQuery),
    request_body = Expense,
    responses((status = 200, body = ExpenseOut), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_expense(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<Expense>,
) -> Result<Json<WithRaw<ExpenseOut>>> {
    detached(async move {
        let work = expenses::create(&a.state, &a.ctx, q.folder_id.as_deref(), &body);
        a.once(|e: &ExpenseOut| Some(e.id.clone()), work).await
    })
    .await
}

impl Validate for BankStatement {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("bank_account_id", Some(&self.bank_account_id))?;
        if self.opening_balance.is_some() {
            return Err(Invalid::body(
                "opening_balance",
                "MyUnisoft has no equivalent (it keeps no bank statement balance): send null or \
                 leave it out",
            ));
        }
        max_chars("pdf_name", self.pdf_name.as_deref(), 200)
    }
}

/// Record a bank statement: one entry in the bank account's journal; per transaction the bank
/// line, its counterpart (a `customer`/`supplier` counterpart's account, else
/// `general_ledger_account`, else the suspense account 471000) and any fee on 627000. `pdf`
/// is attached to the entry; `opening_balance` is refused (422: MyUnisoft keeps no statement
/// balance).
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/bank-transactions", tag = "Accounting",
    operation_id = "accounting_create_bank_transactions", params(ConsumerPath, FolderQuery),
    request_body = BankStatement,
    responses((status = 200, body = BankStatement), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_bank_transactions(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<BankStatement>,
) -> Result<Json<WithRaw<BankStatement>>> {
    detached(async move {
        let work = treasury::bank_statement(&a.state, &a.ctx, q.folder_id.as_deref(), &body);
        a.once(|b: &BankStatement| b.id.clone(), work).await
    })
    .await
}

impl Validate for InvoicePayment {
    fn validate(&self) -> Result<(), Invalid> {
        not_blank("payment_method_id", Some(&self.payment_method_id))
    }
}

/// Record the payment of invoices: one entry in the first open bank journal (by code), a line
/// per invoice on its partner's account, then each partner's lines matched with its invoices
/// (partially when the invoice is not fully paid). Answers 204.
#[utoipa::path(post, path = "/consumers/{consumer_id}/accounting/invoices/payments", tag = "Accounting",
    operation_id = "accounting_create_invoice_payment", params(ConsumerPath, FolderQuery),
    request_body = InvoicePayment,
    responses((status = 204), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_invoice_payment(
    ValidQuery(q): ValidQuery<FolderQuery>,
    a: Accounting,
    ValidJson(body): ValidJson<InvoicePayment>,
) -> Result<StatusCode> {
    detached(async move {
        let work = treasury::invoice_payment(&a.state, &a.ctx, q.folder_id.as_deref(), &body);
        a.write(|id: &String| Some(id.clone()), work).await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_miscellaneous_operations, create_miscellaneous_operation))
        .routes(routes!(get_miscellaneous_operation))
        .routes(routes!(create_financial_entries))
        .routes(routes!(create_expense))
        .routes(routes!(create_bank_transactions))
        .routes(routes!(create_invoice_payment))
}
