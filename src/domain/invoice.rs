//! Invoices (Chift `InvoiceItem*`): the entry of a sales or purchase document, and the payments
//! lettered with it.

use crate::domain::money::{Money, Rate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounting::JournalType;
use super::journal_entry::{AccountToCreate, AnalyticDistribution, AttachmentsInfo};
use super::third_party::ThirdParty;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceType {
    CustomerInvoice,
    CustomerRefund,
    SupplierInvoice,
    SupplierRefund,
}

impl InvoiceType {
    pub fn is_sale(self) -> bool {
        matches!(self, InvoiceType::CustomerInvoice | InvoiceType::CustomerRefund)
    }

    pub fn is_refund(self) -> bool {
        matches!(self, InvoiceType::CustomerRefund | InvoiceType::SupplierRefund)
    }

    /// +1 when the partner's account is debited (customer invoice, supplier refund), else −1.
    pub fn partner_sign(self) -> Decimal {
        match self {
            InvoiceType::CustomerInvoice | InvoiceType::SupplierRefund => Decimal::ONE,
            InvoiceType::CustomerRefund | InvoiceType::SupplierInvoice => Decimal::NEGATIVE_ONE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatusIn {
    Draft,
    Posted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Cancelled,
    Draft,
    Posted,
    Paid,
}

/// `PaymentStatus` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    #[default]
    All,
    Unpaid,
    Paid,
}

/// One invoice line, written or read. On the mono-plan routes `analytic_account` is used (the
/// default plan, the first analytic axis by id); on the multi-plan routes
/// `analytic_distribution`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceLine {
    #[serde(default)]
    pub line_number: Option<i64>,
    pub unit_price: Money,
    #[serde(default)]
    pub unit_of_measure: Option<String>,
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub quantity: Decimal,
    pub untaxed_amount: Money,
    /// A percentage, such as 20.
    pub tax_rate: Rate,
    pub tax_amount: Money,
    pub total: Money,
    pub account_number: Option<String>,
    /// A VAT code id (`GET /vat-codes`).
    pub tax_code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub analytic_account: Option<String>,
    #[serde(default)]
    pub analytic_distribution: Option<Vec<AnalyticDistribution>>,
}

/// `WithholdingTax`: a tax the payer withholds from the invoice (mostly Spain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WithholdingTax {
    pub tax_rate: Rate,
    pub tax_code: String,
    pub tax_amount: Money,
}

/// `InvoiceCorrection`: accounts and tax codes of an automatic rounding-correction line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceCorrection {
    pub sale_invoice_correction_tax_code: Option<String>,
    pub purchase_invoice_correction_tax_code: Option<String>,
    pub invoice_correction_credit_account_number: Option<String>,
    pub invoice_correction_debit_account_number: Option<String>,
}

/// `PaymentTermAccountInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PaymentTermAccountInfo {
    pub amount: Money,
    pub iban: String,
}

/// `NlPaymentTermsSplit`: the Dutch G/N split of a payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NlPaymentTermsSplit {
    pub g_account: PaymentTermAccountInfo,
    pub n_account: PaymentTermAccountInfo,
}

/// `InvoiceItemIn…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceIn {
    pub invoice_type: InvoiceType,
    /// The invoice number (`piece2`): separators dropped, then 1–25 letters or digits.
    /// Passerelle numbers it when absent.
    pub invoice_number: Option<String>,
    pub currency: String,
    pub untaxed_amount: Money,
    pub tax_amount: Money,
    pub total: Money,
    /// A free reference (`piece`), such as the supplier's own number.
    pub reference: Option<String>,
    pub payment_communication: Option<String>,
    pub customer_memo: Option<String>,
    pub payment_term_id: Option<String>,
    pub invoice_date: chrono::NaiveDate,
    pub due_date: chrono::NaiveDate,
    pub partner_id: Option<String>,
    pub journal_id: Option<String>,
    pub status: Option<InvoiceStatusIn>,
    pub pdf: Option<String>,
    pub pdf_name: Option<String>,
    /// Units of `currency` per euro; required when `currency` is not EUR.
    #[serde(default)]
    pub currency_exchange_rate: Option<Rate>,
    /// A client or supplier account to find or create when `partner_id` is absent.
    pub partner_info: Option<AccountToCreate>,
    pub lines: Vec<InvoiceLine>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
    /// A payment method id (`GET /payment-methods`), set on the partner line.
    pub payment_method_id: Option<String>,
    /// Kept with the entry and read back.
    pub delivery_date: Option<chrono::NaiveDate>,
    /// Refused when set: MyUnisoft has no withholding tax.
    #[serde(default)]
    pub withholding_tax: Option<WithholdingTax>,
    /// Refused when set: MyUnisoft books no correction line; totals must be the sums of the lines.
    #[serde(default)]
    pub invoice_correction: Option<InvoiceCorrection>,
    /// ISO 3166-1 alpha-2; kept with the entry.
    #[serde(default)]
    pub shipping_country: Option<String>,
    /// Refused when set: MyUnisoft has no Dutch G/N split payment.
    #[serde(default)]
    pub nl_payment_terms_split: Option<NlPaymentTermsSplit>,
}

/// `InvoiceItemDueDatesOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceDueDate {
    pub due_date: chrono::NaiveDate,
    /// The payment method's name (MyUnisoft's payment type on the partner line).
    #[serde(default)]
    pub payment_method: Option<String>,
    pub payment_method_id: Option<String>,
    pub amount: Money,
}

/// `AccountingInfoOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountingInfo {
    pub main_currency: String,
    pub main_currency_total: Money,
    pub account_number: Option<String>,
}

/// `Payment`: an entry lettered with the invoice's partner line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub amount: Money,
    pub dedicated_amount: Money,
    pub payment_date: chrono::NaiveDate,
    pub journal_type: JournalType,
    pub journal_id: String,
    pub journal_name: String,
    pub reconciled: bool,
    pub communication: Option<String>,
    pub matching_number: Option<String>,
}

/// `InvoiceApprovalStatus`: MyUnisoft has no approval workflow, so every invoice is `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = InvoiceApprovalStatus)]
pub enum ApprovalStatus {
    Unknown,
    Pending,
    Approved,
    Rejected,
}

/// `InvoiceItemOut…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Invoice {
    pub id: String,
    pub invoice_type: InvoiceType,
    pub invoice_number: Option<String>,
    pub currency: String,
    pub untaxed_amount: Money,
    pub tax_amount: Money,
    pub total: Money,
    pub reference: Option<String>,
    pub payment_communication: Option<String>,
    pub customer_memo: Option<String>,
    pub payment_term_id: Option<String>,
    pub invoice_date: chrono::NaiveDate,
    pub due_date: chrono::NaiveDate,
    pub partner_id: Option<String>,
    pub journal_id: String,
    pub status: InvoiceStatus,
    /// With `include_invoice_lines=true` (always on the single-invoice routes and on creation).
    pub lines: Vec<InvoiceLine>,
    /// With `include_payments=true`, else null.
    pub payments: Option<Vec<Payment>>,
    pub last_updated_on: Option<chrono::DateTime<chrono::Utc>>,
    /// With `include_partner_info=true`, else null.
    pub partner: Option<ThirdParty>,
    pub due_dates: Vec<InvoiceDueDate>,
    pub attachments_info: AttachmentsInfo,
    pub accounting_info: AccountingInfo,
    pub approval_status: ApprovalStatus,
    pub payment_method_id: Option<String>,
    /// Always null: MyUnisoft has no withholding tax.
    #[serde(default)]
    pub withholding_tax: Option<WithholdingTax>,
    /// As sent when Passerelle wrote the invoice; MyUnisoft has no delivery date otherwise.
    #[serde(default)]
    pub delivery_date: Option<chrono::NaiveDate>,
}
