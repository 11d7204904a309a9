//! Analytic accounts: the values of an analytic plan (Chift `AnalyticAccountItem*`).

use crate::domain::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which analytic plan a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRef<'a> {
    /// The plan the mono-plan routes use; each connector says which one that is.
    Default,
    /// A plan id from `GET /analytic-plans`.
    Id(&'a str),
}

/// `AnalyticAccountItemOutMultiAnalyticPlans` (the mono-plan routes answer the same fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalyticAccount {
    pub id: String,
    pub active: bool,
    pub code: Option<String>,
    pub name: String,
    pub currency: Option<String>,
    /// `debit − credit`.
    pub balance: Money,
    pub credit: Money,
    pub debit: Money,
    /// The id of the analytic plan the account belongs to.
    pub analytic_plan: String,
}

/// `AnalyticAccountItemIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewAnalyticAccount {
    /// Defaults to true; false creates the account closed.
    pub active: Option<bool>,
    pub code: String,
    pub name: String,
    /// The folder's currency.
    pub currency: String,
}

/// `AnalyticAccountItemUpdate`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalyticAccountPatch {
    pub active: Option<bool>,
    pub code: Option<String>,
    pub name: Option<String>,
    /// Accepted when it is the folder's currency (analytic accounts have no currency of their own).
    pub currency: Option<String>,
}
