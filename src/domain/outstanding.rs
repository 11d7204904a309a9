//! Open items of clients and suppliers (Chift `OutstandingItem`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::accounting::JournalType;
use crate::domain::money::{Money, Rate};

/// `OutstandingType`: whose open items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutstandingType {
    Client,
    Supplier,
}

/// What `GET /outstandings` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutstandingFilter {
    pub kind: OutstandingType,
    /// Include entries still awaiting validation.
    pub unposted_allowed: bool,
}

/// `OutstandingItemDueDatesOut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OutstandingDueDate {
    pub due_date: chrono::NaiveDate,
    pub payment_method: Option<String>,
    pub payment_method_id: Option<String>,
    pub amount: Money,
}

/// `OriginalOutstandingItem`: the document an open item carried over from an earlier fiscal
/// year comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OriginalOutstanding {
    pub id: Option<String>,
    pub number: Option<String>,
    pub journal_id: Option<String>,
    pub journal_type: Option<JournalType>,
    pub date: Option<chrono::NaiveDate>,
    pub due_date: Option<chrono::NaiveDate>,
    pub reference: Option<String>,
}

/// `OutstandingItem`: one open invoice, refund or unmatched payment of a third party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Outstanding {
    pub id: String,
    pub number: Option<String>,
    pub journal_id: String,
    pub journal_type: JournalType,
    pub date: chrono::NaiveDate,
    pub due_date: Option<chrono::NaiveDate>,
    pub due_dates: Vec<OutstandingDueDate>,
    pub currency: String,
    pub currency_exchange_rate: Rate,
    /// The original amount, positive when the third party owes it (a client's invoice) or is
    /// owed it (a supplier's invoice); negative for refunds and unmatched payments.
    pub amount: Money,
    /// What is still open, with the sign of `amount`.
    pub open_amount: Money,
    pub partner_id: String,
    pub account_number: String,
    pub reference: Option<String>,
    pub matching_numbers: Vec<String>,
    pub payment_communication: Option<String>,
    pub posted: bool,
    /// Always null: MyUnisoft carries an earlier year's open items into the next as opening
    /// lines with no link to the entry they came from.
    #[serde(default)]
    pub original_document: Option<OriginalOutstanding>,
}
