//! MyUnisoft's wire types, spelled as MyUnisoft spells them. Private to the connector: nothing
//! upstream-shaped leaves `mapping/`. Fields MyUnisoft may omit default instead of failing.

mod analytics;
mod entries;
mod posting;
mod third_party;

pub(crate) use analytics::*;
pub(crate) use entries::*;
pub(crate) use posting::*;
pub(crate) use third_party::*;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A value MyUnisoft sends as a plain string in lists and as `{label, value}` in details.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum TextOrLabel {
    Text(String),
    Label {
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        value: Option<String>,
    },
}

impl TextOrLabel {
    /// The human text: the string, or the label (falling back on the value).
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            TextOrLabel::Text(s) => Some(s.as_str()),
            TextOrLabel::Label { label, value } => label.as_deref().or(value.as_deref()),
        }
        .filter(|s| !s.trim().is_empty())
    }
}

/// `GET /key/info?mode=extended`.
#[derive(Debug, Deserialize)]
pub(crate) struct KeyInfo {
    pub target: KeyTarget,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyTarget {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub schema_id: Option<i64>,
    #[serde(default)]
    pub society_id: Option<i64>,
}

/// `GET /society` with a firm token and no `society-id`.
#[derive(Debug, Deserialize)]
pub(crate) struct SocietyList {
    #[serde(default)]
    pub society_array: Vec<Society>,
}

/// A folder, as listed (`CompanyListEntity`) or in detail (`Company`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Society {
    pub society_id: i64,
    pub name: String,
    #[serde(default)]
    pub siret: Option<String>,
    #[serde(default)]
    pub address_number: Option<String>,
    #[serde(default)]
    pub road_type: Option<TextOrLabel>,
    #[serde(default)]
    pub street_name: Option<String>,
    #[serde(default)]
    pub complement: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<TextOrLabel>,
    #[serde(default)]
    pub country: Option<TextOrLabel>,
    #[serde(default)]
    pub analytics: bool,
}

/// `GET /society/exercice` (dates `YYYYMMDD`).
#[derive(Debug, Deserialize)]
pub(crate) struct Exercice {
    pub exercice_id: i64,
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub closed: bool,
}

/// `GET /account?mode=2`.
#[derive(Debug, Deserialize)]
pub(crate) struct AccountPage {
    #[serde(default)]
    pub account_array: Vec<DetailedAccount>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DetailedAccount {
    pub account_id: i64,
    pub account_number: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub vat_param: Option<VatRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct VatRef {
    #[serde(default)]
    pub vat_param_id: Option<i64>,
}

/// `POST /account` (find-or-create).
#[derive(Debug, Serialize)]
pub(crate) struct UpsertAccount<'a> {
    pub account_number: &'a str,
    pub label: &'a str,
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpsertedAccount {
    pub account_id: i64,
    pub account_number: String,
    #[serde(default)]
    pub label: String,
}

/// `GET /diary`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Diary {
    pub diary_id: i64,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub diary_type_code: Option<String>,
    #[serde(default)]
    pub account: Option<DiaryAccount>,
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub closed: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DiaryAccount {
    #[serde(default)]
    pub number: Option<String>,
}

/// `POST /diary`.
#[derive(Debug, Serialize)]
pub(crate) struct NewDiary<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub diary_type_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diary_account_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreatedDiary {
    pub diary_id: i64,
}

/// `GET /vat_param`.
#[derive(Debug, Deserialize)]
pub(crate) struct VatParam {
    pub vat_param_id: i64,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub account_ded: Option<AccountRef>,
    #[serde(default)]
    pub account_coll: Option<AccountRef>,
    pub vat: VatRate,
    #[serde(default)]
    pub vat_type: Option<Coded>,
    #[serde(default)]
    pub vat_exigility: Option<Coded>,
    #[serde(default)]
    pub blocked: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AccountRef {
    #[serde(default)]
    pub account_number: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct VatRate {
    #[serde(with = "crate::domain::money")]
    pub rate: Decimal,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Coded {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

/// `GET /payment_type`.
#[derive(Debug, Deserialize)]
pub(crate) struct PaymentType {
    pub payment_type_id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

/// `GET /analytics/axes`.
#[derive(Debug, Deserialize)]
pub(crate) struct Axis {
    pub id_axe: i64,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
}

/// `GET /rib`.
#[derive(Debug, Deserialize)]
pub(crate) struct Rib {
    pub rib_id: i64,
    #[serde(default)]
    pub diary_id: Option<i64>,
    #[serde(default)]
    pub diary_label: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub iban: Option<String>,
    #[serde(default)]
    pub bic: Option<String>,
    #[serde(default)]
    pub rib_label: Option<String>,
}

/// `POST /rib`.
#[derive(Debug, Serialize)]
pub(crate) struct NewRib<'a> {
    pub banking_integration: bool,
    pub bic: &'a str,
    pub diary_id: i64,
    pub iban: &'a str,
    pub is_default: bool,
    pub owner: &'a str,
    pub rib_label: &'a str,
    pub start_date: String,
}

/// `GET /mad/accounts` items (personnel accounts carry `employee`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MadAccount {
    pub producer_id: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub employee: Option<MadEmployee>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MadEmployee {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_number_bis: Option<String>,
    #[serde(default)]
    pub profession: Option<String>,
}

/// `GET /account/v2?details=true` items: only what payment terms need.
#[derive(Debug, Deserialize)]
pub(crate) struct AccountV2 {
    #[serde(default)]
    pub complementary_informations: Option<ComplementaryInformations>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ComplementaryInformations {
    #[serde(default)]
    pub payment_deadline: Option<PaymentDeadline>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PaymentDeadline {
    pub id_payment_deadline: i64,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub number_of_days: Option<i64>,
    #[serde(default)]
    pub end_month: Option<bool>,
}

/// `GET /mad/movements` items: a line (the shape of a MAD entry's movements) with its parent
/// entry. It reads as its line (`Deref`).
#[derive(Debug, Deserialize)]
pub(crate) struct Movement {
    #[serde(flatten)]
    pub line: EntryMovement,
    pub entry: MovementEntry,
}

impl std::ops::Deref for Movement {
    type Target = EntryMovement;

    fn deref(&self) -> &EntryMovement {
        &self.line
    }
}

/// `{"state": "none" | "partial" | "complete", "value": null | "*AAC" | "AAC"}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Lettering {
    pub state: LetteringState,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LetteringState {
    None,
    Partial,
    Complete,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MovementPayment {
    pub producer_id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// One axis of a movement's analytic allocation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MovementAxis {
    #[serde(default)]
    pub producer_id: String,
    #[serde(default)]
    pub sections: Vec<MovementSection>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MovementSection {
    pub producer_id: String,
    #[serde(with = "crate::domain::money")]
    pub amount: Decimal,
    /// Share of the line, in percent.
    #[serde(default, with = "crate::domain::money::option")]
    pub rate: Option<Decimal>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct MovementValue {
    #[serde(with = "crate::domain::money")]
    pub debit: Decimal,
    #[serde(with = "crate::domain::money")]
    pub credit: Decimal,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MovementAccount {
    #[serde(default)]
    pub producer_id: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MovementEntry {
    pub date: chrono::NaiveDate,
    pub journal: MovementJournal,
    #[serde(default)]
    pub due_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub currency: Option<MovementCurrency>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MovementJournal {
    #[serde(default)]
    pub producer_id: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `{"code": "USD", "rate": 1.0489}`: units of the currency per euro.
#[derive(Debug, Deserialize)]
pub(crate) struct MovementCurrency {
    pub code: String,
    #[serde(default, with = "crate::domain::money::option")]
    pub rate: Option<Decimal>,
}

/// `GET /mad/movements` items, reduced to what a FEC line needs (fec.md 8.2); the rest of each
/// item is skipped by the parser without being kept.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FecMovement {
    #[serde(default)]
    pub description: Option<String>,
    pub value: MovementValue,
    #[serde(default)]
    pub account: Option<MovementAccount>,
    pub entry: FecEntry,
    #[serde(default)]
    pub lettering: Option<Lettering>,
    #[serde(default)]
    pub free_number: Option<String>,
    #[serde(default)]
    pub invoice_number: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FecEntry {
    pub producer_id: String,
    pub date: chrono::NaiveDate,
    pub journal: FecJournal,
    #[serde(default)]
    pub additional_producer_properties: Option<FecEntryProperties>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FecJournal {
    #[serde(default)]
    pub customer_reference_code: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FecEntryProperties {
    #[serde(default)]
    pub validation_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub accounted_at: Option<chrono::NaiveDate>,
}
