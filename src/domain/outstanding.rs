//! Open items of clients and suppliers (Chift `OutstandingItem`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::accounting::JournalType;

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
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
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
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub currency_exchange_rate: Decimal,
    /// The original amount, positive when the third party owes it (a client's invoice) or is
    /// owed it (a supplier's invoice); negative for refunds and unmatched payments.
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
    /// What is still open, with the sign of `amount`.
    #[serde(with = "crate::domain::money")]
    #[schema(value_type = f64)]
    pub open_amount: Decimal,
    pub partner_id: String,
    pub account_number: String,
    pub reference: Option<String>,
    pub matching_numbers: Vec<String>,
    pub payment_communication: Option<String>,
    pub posted: bool,
}
