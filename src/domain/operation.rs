//! The other documents that become entries: miscellaneous operations, financial (bank and
//! cash) entries, bank statements, expense claims and invoice payments (Chift's shapes).

use crate::domain::money::{Money, Rate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::journal_entry::{EntryLineType, TaxInfo};

/// Fields of a request never echoed in its answer (the file went upstream).
fn withheld<T>(_: &T) -> bool {
    true
}

/// `MiscellaneousOperationLineType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperationLineType {
    CustomerAccount,
    SupplierAccount,
    GeneralAccount,
}

/// `MiscellaneousOperationLine`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OperationLine {
    #[serde(default)]
    pub line_number: Option<i64>,
    pub description: Option<String>,
    /// Positive = credit, negative = debit.
    pub amount: Money,
    pub r#type: OperationLineType,
    pub account_number: String,
    /// The client or supplier of a partner line.
    pub partner_id: Option<String>,
    /// An analytic account of the default plan.
    pub analytic_account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperationStatusIn {
    Draft,
    Posted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperationStatus {
    Cancelled,
    Draft,
    Posted,
    Matched,
}

/// `MiscellaneousOperationIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OperationIn {
    pub operation_number: Option<String>,
    pub currency: String,
    #[serde(default)]
    pub currency_exchange_rate: Option<Rate>,
    pub lines: Vec<OperationLine>,
    pub operation_date: chrono::NaiveDate,
    pub journal_id: Option<String>,
    pub status: Option<OperationStatusIn>,
}

/// `MiscellaneousOperationOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Operation {
    pub id: String,
    pub operation_number: Option<String>,
    pub currency: String,
    pub currency_exchange_rate: Rate,
    pub lines: Vec<OperationLine>,
    pub operation_date: chrono::NaiveDate,
    pub journal_id: String,
    pub status: OperationStatus,
}

/// `FinancialEntryLineItem` / `…Out`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FinancialLine {
    pub account_type: EntryLineType,
    /// A ledger account number, or the partner's id for partner lines.
    pub account: String,
    /// Positive = money received (the bank or cash account is debited), negative = paid out.
    pub amount: Money,
    pub description: Option<String>,
    pub tax_info: Option<TaxInfo>,
    /// Accepted and not acted on: MyUnisoft letters nothing by itself; match the line with
    /// `POST /matching`.
    pub automated_matching_number: Option<String>,
    /// The bank or cash account the line is booked against (answers only).
    #[serde(default)]
    pub counterpart_account: Option<String>,
}

/// `FinancialEntryItemIn` / `…Out`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FinancialEntry {
    /// The entry's id (answers only).
    #[serde(default)]
    pub id: Option<String>,
    pub date: chrono::NaiveDate,
    pub journal_id: String,
    pub currency: String,
    #[serde(default)]
    pub currency_exchange_rate: Option<Rate>,
    pub reference: Option<String>,
    pub number: Option<String>,
    pub items: Vec<FinancialLine>,
    /// Base64 of a PDF, attached to the entry in MyUnisoft (never echoed in the answer).
    #[serde(default, skip_serializing_if = "withheld")]
    pub pdf: Option<String>,
    #[serde(default, skip_serializing_if = "withheld")]
    pub pdf_name: Option<String>,
}

/// `ExpenseLineItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ExpenseLine {
    pub total: Money,
    pub untaxed_amount: Money,
    pub tax_amount: Money,
    pub description: Option<String>,
    pub account_number: String,
    pub tax_rate: Rate,
    /// A VAT code id, checked against `tax_rate`.
    pub tax_id: String,
}

/// `ExpenseItemIn` / `ExpenseItemOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Expense {
    /// The expense's entry id (answers only).
    #[serde(default)]
    pub id: Option<String>,
    /// The employee (`GET /employees`) whose account is credited.
    pub employee_id: String,
    pub total: Money,
    pub untaxed_amount: Money,
    pub tax_amount: Money,
    pub reference: Option<String>,
    pub number: Option<String>,
    pub currency: String,
    #[serde(default)]
    pub currency_exchange_rate: Option<Rate>,
    pub date: chrono::NaiveDate,
    /// Base64 of a PDF, attached to the entry in MyUnisoft (never echoed in the answer).
    #[serde(default, skip_serializing_if = "withheld")]
    pub pdf: Option<String>,
    #[serde(default, skip_serializing_if = "withheld")]
    pub pdf_name: Option<String>,
    pub lines: Vec<ExpenseLine>,
}

/// `BankTransactionCounterpartType`: whose account a transaction's counterpart is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BankTransactionCounterpartType)]
pub enum CounterpartType {
    Customer,
    Supplier,
    Employee,
}

/// `BankTransactionCounterpartItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TransactionCounterpart {
    /// `customer` or `supplier` with `id` books the line on that partner.
    pub counterpart_type: Option<CounterpartType>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub iban: Option<String>,
    pub bank_account: Option<String>,
}

/// `BankTransactionItemIn` / `…Out`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BankTransaction {
    /// The transaction's line id (answers only).
    #[serde(default)]
    pub id: Option<String>,
    /// The account the other side is booked on; without it (and without a partner
    /// counterpart) the suspense account 471000.
    pub general_ledger_account: Option<String>,
    pub description: Option<String>,
    pub external_transaction_id: Option<String>,
    /// Gross: positive = received, negative = paid out.
    pub amount: Money,
    /// Bank charges taken on the transaction (booked on 627000).
    #[serde(default)]
    pub fee_amount: Option<Money>,
    #[serde(default)]
    pub tax_amount: Option<Money>,
    #[serde(default)]
    pub currency_exchange_rate: Option<Rate>,
    pub counterpart: Option<TransactionCounterpart>,
}

/// `BankStatementItemIn` / `…Out`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BankStatement {
    /// The statement's entry id (answers only).
    #[serde(default)]
    pub id: Option<String>,
    pub bank_statement_date: chrono::NaiveDate,
    pub bank_account_id: String,
    pub currency: String,
    pub external_bank_statement_id: Option<String>,
    /// Refused when set: MyUnisoft keeps no statement balance to check it against.
    #[serde(default, skip_serializing_if = "withheld")]
    pub opening_balance: Option<Money>,
    /// Base64 of a PDF, attached to the entry in MyUnisoft (never echoed in the answer).
    #[serde(default, skip_serializing_if = "withheld")]
    pub pdf: Option<String>,
    #[serde(default, skip_serializing_if = "withheld")]
    pub pdf_name: Option<String>,
    pub items: Vec<BankTransaction>,
}

/// `AccountingInvoicePaymentItemIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoicePaymentItem {
    pub invoice_id: String,
    /// Strictly positive.
    pub amount: Money,
}

/// `AccountingInvoicePaymentIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoicePayment {
    pub date: chrono::NaiveDate,
    /// A payment method id (`GET /payment-methods`).
    pub payment_method_id: String,
    pub currency: String,
    #[serde(default)]
    pub currency_exchange_rate: Option<Rate>,
    pub reference: Option<String>,
    pub number: Option<String>,
    pub items: Vec<InvoicePaymentItem>,
}
