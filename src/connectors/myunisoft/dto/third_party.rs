//! Third-party accounts (401/411) with their complementary information, read and write shapes
//! (MyUnisoft names them differently: `complementary_informations`/`indice_repetition`/`typevoie`
//! on read, `complementary_info`/`repetition_index`/`way_type_id` on write).

use serde::{Deserialize, Serialize};

/// `GET /account/v2?details=true` items.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AccountDetails {
    pub account_id: i64,
    pub account_number: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub complementary_informations: Option<Info>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Info {
    pub name: Option<String>,
    pub siren: Option<String>,
    pub ape: Option<Ape>,
    pub is_foreign: Option<bool>,
    pub person_in_charge: Option<String>,
    pub profession: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub address_number: Option<String>,
    pub indice_repetition: Option<String>,
    pub typevoie: Option<WayType>,
    pub address: Option<String>,
    pub address_complement: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub id_country: Option<i64>,
    pub contact_firstname: Option<String>,
    pub contact_lastname: Option<String>,
    pub function: Option<String>,
    pub tel: Option<String>,
    pub tel2: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub contact_list: Vec<InfoContact>,
    #[serde(default)]
    pub iban_list: Vec<InfoIban>,
    pub payment_type: Option<InfoPaymentType>,
    pub payment_deadline: Option<InfoDeadline>,
    pub comment: Option<String>,
    pub misc_language_id: Option<i64>,
    pub misc_doubtful_id: Option<i64>,
    pub misc_referent: Option<String>,
    pub misc_group: Option<String>,
    pub misc_archived: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Ape {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WayType {
    pub lib: Option<String>,
    pub id_type_voie: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InfoContact {
    pub id_contact_compte_tiers: i64,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub function: Option<String>,
    pub tel1: Option<String>,
    pub tel2: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub ordre: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InfoIban {
    pub id_iban_compte_tiers: Option<i64>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub rum: Option<String>,
    pub etablissement: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InfoPaymentType {
    pub payment_type_id: i64,
    pub code: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InfoDeadline {
    pub id_payment_deadline: i64,
    pub label: Option<String>,
}

/// `GET /country`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Country {
    pub id: i64,
    pub iso: String,
    pub label: String,
}

/// `POST /account` and `PUT /account` with complementary information.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ThirdPartyWrite {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<i64>,
    pub account_number: String,
    pub label: String,
    pub provider: bool,
    pub complementary_info: InfoWrite,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct InfoWrite {
    pub name: Option<String>,
    pub siren: Option<String>,
    pub id_ape: Option<i64>,
    pub is_foreign: Option<bool>,
    pub person_in_charge: Option<String>,
    pub profession: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub address_number: Option<String>,
    pub repetition_index: Option<String>,
    pub way_type_id: Option<i64>,
    pub address: Option<String>,
    pub address_complement: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub id_country: Option<i64>,
    pub contact_firstname: Option<String>,
    pub contact_lastname: Option<String>,
    pub function: Option<String>,
    pub tel: Option<String>,
    pub tel2: Option<String>,
    pub email: Option<String>,
    /// Sent back whole: `PUT /account` replaces the list.
    pub contact_list: Vec<ContactWrite>,
    pub iban_list: Vec<IbanWrite>,
    pub id_payment_deadline: Option<i64>,
    pub payment_type_id: Option<i64>,
    pub comment: Option<String>,
    pub misc_language_id: Option<i64>,
    pub misc_doubtful_id: Option<i64>,
    pub misc_referent: Option<String>,
    pub misc_group: Option<String>,
    pub misc_archived: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ContactWrite {
    pub id_contact_compte_tiers: i64,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub function: Option<String>,
    pub tel1: Option<String>,
    pub tel2: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct IbanWrite {
    /// The existing record's id, so that it is kept rather than replaced.
    pub id: Option<i64>,
    pub iban: String,
    pub bic: Option<String>,
    pub etablissement: Option<String>,
    pub rum: Option<String>,
}
