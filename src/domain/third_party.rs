//! Third parties: clients and suppliers (Chift `ClientItem*`, `SupplierItem*`, `ContactItem`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Resource;

/// Whose account a partner line is on, and which side of the ledger a third party is on. The
/// API's `partner_type` names clients and suppliers only: employees are never read from a
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PartnerKind)]
pub enum PartyKind {
    Client,
    Supplier,
    #[serde(skip)]
    Employee,
}

impl PartyKind {
    /// The kind a client or supplier is merged from; an employee has no counterpart.
    pub fn other(self) -> Self {
        match self {
            PartyKind::Client => PartyKind::Supplier,
            PartyKind::Supplier => PartyKind::Client,
            PartyKind::Employee => PartyKind::Employee,
        }
    }

    pub fn noun(self) -> &'static str {
        self.resource().noun()
    }

    pub fn resource(self) -> Resource {
        match self {
            PartyKind::Client => Resource::Client,
            PartyKind::Supplier => Resource::Supplier,
            PartyKind::Employee => Resource::Employee,
        }
    }

    /// The root of the kind's accounts in the French chart (PCG).
    pub fn root(self) -> &'static str {
        match self {
            PartyKind::Client => "411",
            PartyKind::Supplier => "401",
            PartyKind::Employee => "421",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressType {
    Main,
    Delivery,
    Invoice,
}

/// `AddressItemOut` (also the update shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub address_type: AddressType,
    pub name: Option<String>,
    /// Street number, with its repetition index (`12 BIS`).
    pub number: Option<String>,
    /// The address complement.
    pub r#box: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// Street type and name (`Quai DE LA RECOUVRANCE`).
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
}

/// A code and its label (payment terms and methods, APE code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Labelled {
    pub id: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
}

/// A bank account of a third party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartnerIban {
    pub iban: String,
    pub bic: Option<String>,
    pub bank_name: Option<String>,
    /// SEPA mandate reference.
    pub mandate_reference: Option<String>,
}

/// `BankAccountRoutingType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BankAccountRoutingType)]
pub enum RoutingType {
    Ach,
    SortCode,
    Bsb,
    Transit,
    Ifsc,
    Clabe,
    Unknown,
}

/// `RoutingCodeItem`: a domestic routing code (banks outside the IBAN scheme).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = RoutingCodeItem)]
pub struct RoutingCode {
    pub r#type: RoutingType,
    pub value: Option<String>,
}

/// `BankAccountsItem`: a bank account of a client or supplier, as Chift lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = BankAccountsItem)]
pub struct PartnerBankAccount {
    /// The first account of the record is the primary one.
    pub is_primary: bool,
    /// MyUnisoft keeps no currency on a third party's IBAN: null.
    pub currency: Option<String>,
    pub iban: Option<String>,
    pub bic_swift: Option<String>,
    /// Only for banks outside the IBAN scheme, which MyUnisoft does not hold: null.
    pub account_number: Option<String>,
    pub routing_code: Option<RoutingCode>,
}

impl PartnerBankAccount {
    /// Chift's list of `ibans`, the first one primary.
    pub fn list(ibans: &[PartnerIban]) -> Vec<Self> {
        ibans
            .iter()
            .enumerate()
            .map(|(i, b)| PartnerBankAccount {
                is_primary: i == 0,
                currency: None,
                iban: Some(b.iban.clone()),
                bic_swift: b.bic.clone(),
                account_number: None,
                routing_code: None,
            })
            .collect()
    }
}

/// `ClientItemOut` / `SupplierItemOut`. The fields after `addresses` are what MyUnisoft holds that
/// Chift has no field for (extra keys, which Chift clients keep).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThirdParty {
    pub id: String,
    pub external_reference: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub function: Option<String>,
    pub is_company: bool,
    pub company_id: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// ISO 639-1.
    pub language: Option<String>,
    pub internal_notes: Option<String>,
    pub website: Option<String>,
    pub vat: Option<String>,
    /// SIREN.
    pub company_number: Option<String>,
    pub iban: Option<String>,
    pub bank_account: Option<String>,
    pub currency: Option<String>,
    pub active: bool,
    pub account_number: Option<String>,
    pub third_party_account: Option<String>,
    /// MyUnisoft keeps no modification date on accounts: always null.
    pub last_updated_on: Option<chrono::DateTime<chrono::Utc>>,
    pub addresses: Vec<Address>,
    /// The record's IBANs (MyUnisoft `iban_list`), the first one primary.
    #[serde(default)]
    pub bank_accounts: Vec<PartnerBankAccount>,
    // --- MyUnisoft fields without a Chift field ---
    /// Every IBAN on the record (Chift's `iban` is the first).
    pub ibans: Vec<PartnerIban>,
    /// Payment terms (`payment_deadline`).
    pub payment_terms: Option<Labelled>,
    /// Default payment method (`payment_type`).
    pub payment_method: Option<Labelled>,
    /// Manager of the company (`person_in_charge`).
    pub director: Option<String>,
    pub profession: Option<String>,
    /// NAF/APE activity code.
    pub activity: Option<Labelled>,
    pub is_foreign: Option<bool>,
    /// "Divers" tab: referent, group.
    pub referent: Option<String>,
    pub group: Option<String>,
    /// Archived in MyUnisoft (`misc_archived`); `active` is false then.
    pub archived: bool,
    /// Closed ledger account; `active` is false then.
    pub closed: bool,
}

impl ThirdParty {
    /// Whether `search` (case-insensitive) is in the name, email, account number, SIREN, VAT
    /// number, external reference or the contact's names.
    pub fn matches(&self, search: &str) -> bool {
        let needle = search.trim().to_lowercase();
        [
            &self.name,
            &self.email,
            &self.account_number,
            &self.company_number,
            &self.first_name,
            &self.last_name,
            &self.vat,
            &self.external_reference,
        ]
        .into_iter()
        .flatten()
        .any(|field| field.to_lowercase().contains(&needle))
    }
}

/// `AddressItemIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewAddress {
    pub address_type: AddressType,
    pub name: Option<String>,
    pub number: Option<String>,
    pub r#box: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub street: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
}

/// `ClientItemIn` / `SupplierItemIn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewThirdParty {
    pub external_reference: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: String,
    pub function: Option<String>,
    pub is_company: Option<bool>,
    pub company_id: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub internal_notes: Option<String>,
    pub website: Option<String>,
    pub vat: Option<String>,
    pub company_number: Option<String>,
    pub iban: Option<String>,
    pub bank_account: Option<String>,
    pub currency: Option<String>,
    pub active: Option<bool>,
    pub addresses: Vec<NewAddress>,
    pub account_number: Option<String>,
}

/// `ClientItemUpdate` / `SupplierItemUpdate`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThirdPartyPatch {
    pub external_reference: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub function: Option<String>,
    pub is_company: Option<bool>,
    pub company_id: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub internal_notes: Option<String>,
    pub website: Option<String>,
    pub vat: Option<String>,
    pub company_number: Option<String>,
    pub iban: Option<String>,
    pub bank_account: Option<String>,
    pub currency: Option<String>,
    pub active: Option<bool>,
    pub addresses: Option<Vec<Address>>,
}

/// `ContactItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub function: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_type_reads_clients_and_suppliers_only() {
        let read = |s: &str| serde_json::from_value::<PartyKind>(serde_json::json!(s));
        assert_eq!(read("client").unwrap(), PartyKind::Client);
        assert_eq!(read("supplier").unwrap(), PartyKind::Supplier);
        let refused = read("employee").unwrap_err().to_string();
        assert_eq!(refused, "unknown variant `employee`, expected `client` or `supplier`");
    }
}
