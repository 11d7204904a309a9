//! MAD entries (`GET /mad/entries`, `GET /mad/entry`): an entry with its movements (whose line
//! shape `GET /mad/movements` shares).

use serde::Deserialize;

use super::{
    Lettering, MovementAccount, MovementAxis, MovementCurrency, MovementPayment, MovementValue,
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MadEntry {
    pub producer_id: String,
    pub date: chrono::NaiveDate,
    #[serde(default)]
    pub due_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub currency: Option<MovementCurrency>,
    pub journal: EntryJournal,
    #[serde(default)]
    pub attachments: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub movements: Vec<EntryMovement>,
    #[serde(default)]
    pub additional_producer_properties: Option<EntryProperties>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntryJournal {
    pub producer_id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntryProperties {
    #[serde(default)]
    pub partner_metadata: Option<PartnerMetadata>,
    /// Seconds since the epoch.
    #[serde(default)]
    pub created_at: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PartnerMetadata {
    pub partner_id: String,
    /// The `json` string sent with the entry.
    #[serde(default)]
    pub json: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntryMovement {
    #[serde(default)]
    pub producer_id: String,
    #[serde(default)]
    pub description: Option<String>,
    pub value: MovementValue,
    #[serde(default)]
    pub due_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub lettering: Option<Lettering>,
    #[serde(default)]
    pub free_number: Option<String>,
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub account: Option<MovementAccount>,
    #[serde(default)]
    pub payment: Option<MovementPayment>,
    #[serde(default)]
    pub analytics: Vec<MovementAxis>,
}
