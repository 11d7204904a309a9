//! The normalized accounting models (Chift's schemas), whatever the software behind them.

use crate::domain::money::{Money, Rate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `FolderItem`: one company (dossier) reachable through a connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Folder {
    /// Pass it back as `folder_id`.
    pub id: String,
    pub name: String,
    /// Whether calls may go to the folder: the customer's choice on the connect page (every folder
    /// when the key was pushed through the API).
    pub selected: Option<bool>,
    pub active: Option<bool>,
    pub vat: Option<String>,
    /// SIREN or SIRET.
    pub company_number: Option<String>,
    pub main_currency: Option<String>,
    pub addresses: Option<Vec<FolderAddress>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FolderAddress {
    pub street: Option<String>,
    pub number: Option<String>,
    pub r#box: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// `BookYear`: a fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BookYear {
    /// The software's id of the fiscal year (an extra field).
    pub id: String,
    pub name: String,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub closed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Bank,
    Cash,
    OtherFinancial,
    Receivable,
    Payable,
    Income,
    Expense,
    OtherExpense,
    Vat,
    Other,
}

/// `AccountTypeFilter` of `GET /chart-of-accounts?type=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountTypeFilter {
    Bank,
    Cash,
    Income,
    Expense,
    OtherExpense,
    Vat,
}

impl AccountTypeFilter {
    pub fn accepts(self, t: AccountType) -> bool {
        matches!(
            (self, t),
            (AccountTypeFilter::Bank, AccountType::Bank)
                | (AccountTypeFilter::Cash, AccountType::Cash)
                | (AccountTypeFilter::Income, AccountType::Income)
                | (AccountTypeFilter::Expense, AccountType::Expense)
                | (AccountTypeFilter::OtherExpense, AccountType::OtherExpense)
                | (AccountTypeFilter::Vat, AccountType::Vat)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountTaxCode {
    pub id: String,
    pub default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountTaxMode {
    Free,
    Restricted,
    Forced,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountTaxInformation {
    pub tax_codes: Vec<AccountTaxCode>,
    pub mode: AccountTaxMode,
}

/// `AccountItem`: one ledger account of the chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LedgerAccount {
    /// The software's id of the account (an extra field); `GET /chart-of-accounts/{id}` accepts it.
    pub id: String,
    pub number: String,
    pub name: String,
    pub active: bool,
    pub r#type: AccountType,
    pub tax_information: Option<AccountTaxInformation>,
    /// Always null: MyUnisoft keeps no category on an account (its class is its first digit).
    #[serde(default)]
    pub accounting_category: Option<String>,
    /// Always null: MyUnisoft links no reporting scheme (RGS, SBR…) to accounts.
    #[serde(default)]
    pub scheme_ids: Option<Vec<String>>,
}

/// `LedgerAccountItemIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewLedgerAccount {
    pub name: String,
    pub number: String,
    pub r#type: Option<AccountType>,
}

/// `AccountBalanceFilter`: account numbers or prefixes, and months `YYYYMM`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BalanceFilter {
    pub accounts: Vec<String>,
    pub start: Option<String>,
    pub end: String,
}

/// `AccountBalance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountBalance {
    pub account_number: String,
    pub account_name: Option<String>,
    pub debit: Money,
    pub credit: Money,
    pub balance: Money,
    pub period_debit: Money,
    pub period_credit: Money,
    pub period_balance: Money,
}

/// `JournalType` (read side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JournalType {
    CustomerInvoice,
    CustomerRefund,
    SupplierInvoice,
    SupplierRefund,
    FinancialOperation,
    MiscellaneousOperation,
    Unknown,
}

/// `JournalInType` (create side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JournalInType {
    CustomerInvoice,
    CustomerRefund,
    SupplierInvoice,
    SupplierRefund,
    Bank,
    Cash,
    MiscellaneousOperation,
}

/// `NextDocumentNumber`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NextDocumentNumber {
    pub bookyear_name: Option<String>,
    pub next_document_number: Option<String>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
}

/// The suspense account bank lines without a known counterpart are booked on.
pub const SUSPENSE_ACCOUNT: &str = "471000";

/// `Journal`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Journal {
    pub id: String,
    pub code: Option<String>,
    pub name: String,
    pub journal_type: JournalType,
    pub counterpart_account: Option<String>,
    pub currency: Option<String>,
    pub blocked: bool,
    /// The IBAN of the bank account (MyUnisoft RIB) linked to a bank journal.
    #[serde(default)]
    pub iban: Option<String>,
    /// Always empty: MyUnisoft imposes no numbering of its own (documents keep their number).
    #[serde(default)]
    pub next_document_numbers: Vec<NextDocumentNumber>,
    /// False: MyUnisoft books lines in euros, so a document in another currency needs its
    /// `currency_exchange_rate`.
    #[serde(default)]
    pub other_currencies_allowed: bool,
    /// For bank and cash journals, the suspense account transactions without a known
    /// counterpart are booked on (471000); else null.
    #[serde(default)]
    pub unallocated_account: Option<String>,
}

/// `JournalIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewJournal {
    pub code: String,
    pub name: String,
    pub journal_type: JournalInType,
    pub counterpart_account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VatCodeType {
    Sale,
    Purchase,
    Both,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VatCodeScope {
    Nat,
    Eu,
    Int,
    Unknown,
}

/// `AccountingVatCode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VatCode {
    pub id: String,
    pub code: Option<String>,
    pub active: bool,
    pub label: String,
    pub scope: VatCodeScope,
    pub rate: Rate,
    pub r#type: VatCodeType,
    pub deductible_account: Option<String>,
    pub payable_account: Option<String>,
    pub reversed: bool,
    /// Always null: MyUnisoft VAT codes are not restricted to one country.
    #[serde(default)]
    pub country: Option<String>,
    /// False: MyUnisoft has no withholding tax.
    #[serde(default)]
    pub withholding_tax: bool,
}

/// `AnalyticPlanItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalyticPlan {
    pub id: String,
    pub name: String,
    pub active: bool,
    /// The plan's code in the software (an extra field).
    pub code: Option<String>,
    /// Always null: MyUnisoft's analytic axes have no hierarchy.
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// `AccountingPaymentMethod`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PaymentMethod {
    pub id: String,
    pub name: Option<String>,
    /// The software's short code, e.g. `VIRT` (an extra field).
    pub code: Option<String>,
}

/// `AccountingPaymentTerms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PaymentTerm {
    pub id: String,
    pub name: Option<String>,
    /// Days until due (an extra field).
    pub days: Option<i64>,
    /// Counted from the end of the month (an extra field).
    pub end_of_month: Option<bool>,
}

/// `BankAccountItemOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BankAccount {
    pub id: String,
    pub code: Option<String>,
    pub currency: Option<String>,
    pub account_name: Option<String>,
    pub account_number: Option<String>,
    pub iban: Option<String>,
    pub bank_name: Option<String>,
    pub journal_id: Option<String>,
    pub ledger_account: Option<String>,
    /// The suspense account bank lines without a known counterpart are booked on (471000).
    #[serde(default)]
    pub unallocated_account: Option<String>,
}

/// `BankAccountItemIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewBankAccount {
    /// The bank journal's code (≤ 4 characters in MyUnisoft); created when it does not exist.
    pub code: String,
    pub currency: String,
    pub account_name: Option<String>,
    pub account_number: Option<String>,
    pub iban: Option<String>,
    pub bank_name: String,
    /// The bank's BIC: not in Chift's schema, but MyUnisoft requires one (RIB2).
    pub bic: Option<String>,
}

/// `EmployeeItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Employee {
    pub id: String,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub function: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub reference: Option<String>,
    pub account_number: Option<String>,
}

/// `SchemeItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Scheme {
    pub id: String,
    pub code: String,
    pub name: String,
}
