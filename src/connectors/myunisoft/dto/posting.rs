//! The JSON entry import (`POST /entry?type=e`, `POST /entry/temp?type=o`), the partner-id
//! lookup (`GET /entry/id?id_origin=`) and lettering (`GET /account/next_lettering`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `NewEntry`.
#[derive(Debug, Serialize)]
pub(crate) struct NewEntry {
    pub date_piece: String,
    pub etablissement_id: i64,
    pub diary_id: i64,
    pub entry_origin_partner_id: String,
    pub json: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_to: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pj_list: Vec<Document>,
    pub entry_list: Vec<NewLine>,
}

/// `PJ`.
#[derive(Debug, Serialize)]
pub(crate) struct Document {
    pub name: String,
    #[serde(rename = "type")]
    pub mime: String,
    pub content: String,
}

/// `NewEntryLine`: amounts in EUR, exactly one side non-zero.
#[derive(Debug, Serialize)]
pub(crate) struct NewLine {
    pub account_id: i64,
    pub label: String,
    #[serde(with = "crate::domain::money")]
    pub debit: Decimal,
    #[serde(with = "crate::domain::money")]
    pub credit: Decimal,
    pub deadline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub piece: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub piece2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::domain::money::option")]
    pub value_currency: Option<Decimal>,
    pub payment_type_id: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub analytique: Vec<Repartition>,
}

/// `AnalyticRepartition`.
#[derive(Debug, Serialize)]
pub(crate) struct Repartition {
    pub id_axe: i64,
    pub code: String,
    pub label: String,
    pub repartition: Vec<RepartitionShare>,
}

/// `RepartitionInfo`.
#[derive(Debug, Serialize)]
pub(crate) struct RepartitionShare {
    pub id_section: i64,
    pub code: String,
    pub label: String,
    #[serde(with = "crate::domain::money")]
    pub rate: Decimal,
    #[serde(with = "crate::domain::money")]
    pub amount: Decimal,
}

/// `GET /entry/id?id_origin=`: the current id of an entry created with a partner id.
#[derive(Debug, Deserialize)]
pub(crate) struct EntryLocation {
    pub id_entry: i64,
}

/// `GET /account/next_lettering`.
#[derive(Debug, Deserialize)]
pub(crate) struct NextLettering {
    pub next_lettering: String,
}

/// `PUT /entry/lettering`.
#[derive(Debug, Serialize)]
pub(crate) struct LetterLines {
    pub lettering: String,
    pub line_entry_list: Vec<LineRef>,
}

#[derive(Debug, Serialize)]
pub(crate) struct LineRef {
    pub line_entry_id: i64,
}
