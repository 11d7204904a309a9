//! Journal entries as read (Chift `JournalEntryMultiAnalyticPlan` / `…MonoAnalyticPlan`).

use crate::domain::money::{Money, Rate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `AnalyticDistributionDetail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalyticShare {
    pub analytic_account: String,
    pub percentage: Rate,
}

/// `AnalyticDistribution`: one plan's split of a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalyticDistribution {
    pub analytic_plan: String,
    pub analytic_accounts: Vec<AnalyticShare>,
}

/// `JournalItem…`: one line. Both analytic shapes are filled: `analytic_distribution` (every
/// plan) and `analytic_account` (the default plan's largest share).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JournalItem {
    pub id: String,
    pub account_number: String,
    pub account_name: String,
    pub partner_id: Option<String>,
    pub partner_name: Option<String>,
    pub description: Option<String>,
    pub debit: Money,
    pub credit: Money,
    pub currency: String,
    pub currency_exchange_rate: Rate,
    pub matching_numbers: Vec<String>,
    pub analytic_distribution: Vec<AnalyticDistribution>,
    pub analytic_account: Option<String>,
    pub analytic_account_name: Option<String>,
    /// The line's due date (an extra field).
    pub due_date: Option<chrono::NaiveDate>,
    /// The lettering leaves part of the line open (MyUnisoft's partial lettering).
    #[serde(skip)]
    pub matching_partial: bool,
    /// The payment method the line is to be paid with (MyUnisoft's payment type on the line).
    #[serde(skip)]
    pub payment_method: Option<PaymentMethodRef>,
}

/// A payment method named on a line: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentMethodRef {
    pub id: String,
    pub name: Option<String>,
}

/// `JournalItemDueDatesOut`: what the partner lines due on a date add up to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DueDate {
    pub due_date: chrono::NaiveDate,
    /// The payment method's name (MyUnisoft's payment type on the partner line).
    #[serde(default)]
    pub payment_method: Option<String>,
    #[serde(default)]
    pub payment_method_id: Option<String>,
    #[serde(default)]
    pub debit: Money,
    #[serde(default)]
    pub credit: Money,
}

impl DueDate {
    /// The due dates of `items` that are partner lines, by date and payment method.
    pub fn of_lines<'a>(items: impl IntoIterator<Item = &'a JournalItem>) -> Vec<DueDate> {
        let mut out: Vec<DueDate> = Vec::new();
        for item in items {
            let Some(due_date) = item.due_date else { continue };
            let method = item.payment_method.as_ref();
            let id = method.map(|m| m.id.clone());
            match out.iter_mut().find(|d| d.due_date == due_date && d.payment_method_id == id) {
                Some(d) => {
                    d.debit = d.debit + item.debit;
                    d.credit = d.credit + item.credit;
                }
                None => out.push(DueDate {
                    due_date,
                    payment_method: method.and_then(|m| m.name.clone()),
                    payment_method_id: id,
                    debit: item.debit,
                    credit: item.credit,
                }),
            }
        }
        out.sort_by_key(|d| d.due_date);
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentStatus {
    Unknown,
    Yes,
    YesToRequest,
    No,
}

/// `ItemAttachmentInfoAttachment`: a file attached to an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = ItemAttachmentInfoAttachment)]
pub struct AttachedFile {
    pub filename: Option<String>,
    /// Always null: MyUnisoft's download links carry a token, so the file is read through
    /// `GET /attachments` (status `yes_to_request`).
    pub url: Option<String>,
}

/// `ItemAttachmentInfoOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentsInfo {
    pub status: AttachmentStatus,
    /// The names of the files attached (`GET /attachments` gives their content).
    #[serde(default)]
    pub attachments: Vec<AttachedFile>,
}

impl AttachmentsInfo {
    /// No file attached.
    pub fn none() -> Self {
        AttachmentsInfo { status: AttachmentStatus::No, attachments: Vec::new() }
    }
}

/// A journal entry. `id` is the partner id it was created with when it has one (it survives
/// MyUnisoft's validation of a pending entry), else MyUnisoft's entry id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JournalEntry {
    pub id: String,
    pub reference: Option<String>,
    pub name: Option<String>,
    pub journal_id: String,
    pub journal_name: Option<String>,
    pub date: chrono::NaiveDate,
    pub due_date: Option<chrono::NaiveDate>,
    pub due_dates: Vec<DueDate>,
    pub posted: bool,
    pub attachments_info: AttachmentsInfo,
    pub items: Vec<JournalItem>,
    /// When MyUnisoft recorded it (an extra field; MyUnisoft keeps no modification date).
    pub created_on: Option<chrono::DateTime<chrono::Utc>>,
    /// MyUnisoft's own entry id (an extra field; it changes when a pending entry is validated).
    pub entry_id: String,
    /// A foreign document's currency and its rate (units per euro); lines are in EUR.
    pub document_currency: Option<String>,
    pub document_exchange_rate: Option<Rate>,
    /// What Passerelle kept with an entry it wrote (the request's own values).
    #[serde(skip)]
    pub metadata: Option<serde_json::Value>,
}

/// What narrows a list of entries.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub unposted_allowed: bool,
    pub journal_id: Option<String>,
    pub date_from: Option<chrono::NaiveDate>,
    pub date_to: Option<chrono::NaiveDate>,
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Only the lines of this client or supplier (the entries may then look unbalanced).
    pub partner_id: Option<String>,
}

impl EntryFilter {
    /// Whether `e` is in the window and journal asked for and was changed after
    /// `updated_after` (MyUnisoft keeps no modification date: an entry counts as changed when
    /// it was recorded). `partner_id` narrows lines, not entries.
    pub fn admits(&self, e: &JournalEntry) -> bool {
        let in_window =
            self.date_from.is_none_or(|d| e.date >= d) && self.date_to.is_none_or(|d| e.date <= d);
        let in_journal = self.journal_id.as_ref().is_none_or(|j| &e.journal_id == j);
        let changed = match (self.updated_after, e.created_on) {
            (Some(after), Some(created)) => created > after,
            _ => true,
        };
        in_window && in_journal && changed
    }
}

/// `EntryLineType`: what `account` names on a line written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryLineType {
    GeneralAccount,
    CustomerAccount,
    SupplierAccount,
    EmployeeAccount,
}

/// `AccountToCreate`: an account to create when it does not exist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountToCreate {
    pub account_number: String,
    pub account_name: String,
}

/// `TaxInfo`: a VAT line added beside a general-account line, on the same side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaxInfo {
    /// A VAT code id (`GET /vat-codes`).
    pub tax_code: String,
    pub tax_amount: Money,
    /// The VAT account; by default the code's collected account beside a class 7 line, its
    /// deductible account beside a class 6 or 2 line, else by side (debit deducts).
    pub vat_account: Option<String>,
    /// For a reverse-charge code: the account of the offsetting VAT line (by default the code's
    /// other account).
    pub reversed_vat_account: Option<String>,
    pub description: Option<String>,
}

/// `GenericJournalItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GenericJournalItem {
    pub account_type: EntryLineType,
    /// A ledger account number, or the partner's id for partner lines.
    pub account: Option<String>,
    /// Books the line on this general account instead of the partner's.
    pub force_general_account: Option<String>,
    #[serde(default)]
    pub prioritise_thirdparty_account: Option<bool>,
    /// The line label (at most 50 characters); the entry number when absent.
    pub description: Option<String>,
    pub debit: Money,
    pub credit: Money,
    #[serde(default)]
    pub analytic_distribution: Option<Vec<AnalyticDistribution>>,
    /// Kept with the entry: MyUnisoft lines carry no VAT code.
    pub tax_code: Option<String>,
    pub tax_info: Option<TaxInfo>,
    pub account_info: Option<AccountToCreate>,
}

/// `GenericJournalEntry`: an entry to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GenericJournalEntry {
    /// A free reference (`piece`): letters and digits, separators dropped, at most 25.
    pub reference: Option<String>,
    /// The due date of the partner lines.
    pub due_date: Option<chrono::NaiveDate>,
    pub journal_id: String,
    /// The document number (`piece2`): letters and digits, separators dropped, at most 25.
    pub number: String,
    pub currency: String,
    /// Units of `currency` per euro; required when `currency` is not EUR.
    #[serde(default)]
    pub currency_exchange_rate: Option<Rate>,
    pub date: chrono::NaiveDate,
    pub items: Vec<GenericJournalItem>,
    /// Base64 of a PDF to attach.
    pub pdf: Option<String>,
    pub pdf_name: Option<String>,
    /// `false` posts the entry for review (MyUnisoft's pending entries).
    pub posted: Option<bool>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
}
