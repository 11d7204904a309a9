//! Journal entries as read (Chift `JournalEntryMultiAnalyticPlan` / `…MonoAnalyticPlan`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `AnalyticDistributionDetail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalyticShare {
    pub analytic_account: String,
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub percentage: Decimal,
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
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub debit: Decimal,
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub credit: Decimal,
    pub currency: String,
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub currency_exchange_rate: Decimal,
    pub matching_numbers: Vec<String>,
    pub analytic_distribution: Vec<AnalyticDistribution>,
    pub analytic_account: Option<String>,
    pub analytic_account_name: Option<String>,
    /// The line's due date (an extra field).
    pub due_date: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DueDate {
    pub due_date: chrono::NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentStatus {
    Unknown,
    Yes,
    YesToRequest,
    No,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentsInfo {
    pub status: AttachmentStatus,
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
    #[serde(with = "crate::domain::money::option")]
    #[schema(value_type = Option<f64>)]
    pub document_exchange_rate: Option<Decimal>,
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
