//! `GET /mad/accounts?version=1.0.0[&classAccount=421%]`: the chart in the MAD shape. Roots 40
//! and 41 carry a `company`, root 421 an `employee`, other accounts their counterpart and
//! correspondence accounts.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::wire::{Amount, MadAccountRef};
use crate::errors::ApiResult;
use crate::params::Params;
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::{catalog, Account, Folder, ThirdInfo};

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/mad/accounts", get(mad_accounts))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadAccount {
    producer_id: String,
    number: String,
    name: String,
    closed: bool,
    #[serde(flatten)]
    kind: Kind,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Kind {
    #[serde(rename_all = "camelCase")]
    General {
        counterpart_account: Option<MadAccountRef>,
        correspondance_account: Option<MadAccountRef>,
    },
    #[serde(rename_all = "camelCase")]
    Company {
        counterpart_account: Option<MadAccountRef>,
        company: Box<CompanyAccount>,
    },
    Employee {
        employee: Box<EmployeeAccount>,
    },
}

#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
struct CompanyAccount {
    name: Option<String>,
    SIREN: Option<String>,
    CEO: Option<String>,
    payment: Option<Payment>,
    address: Option<Address>,
    ape: Option<Ape>,
    vat: Option<Vat>,
    IBANs: Vec<String>,
    contacts: Vec<ContactOut>,
    miscellaneous: Option<Miscellaneous>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(non_snake_case)]
struct EmployeeAccount {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
    phone_number_bis: Option<String>,
    NIR: Option<String>,
    profession: Option<String>,
    payment: Option<Payment>,
    address: Option<Address>,
    IBANs: Vec<String>,
    contacts: Vec<ContactOut>,
    miscellaneous: Option<EmployeeMiscellaneous>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Payment {
    producer_id: String,
    code: &'static str,
}

/// MAD `Address`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Address {
    country: Option<&'static str>,
    city: Option<String>,
    full_name: Option<String>,
    address_number: Option<String>,
    address_complement: Option<String>,
    locating_index: Option<String>,
    postal_code: Option<String>,
    street_name: Option<String>,
    street_type: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Ape {
    producer_id: String,
    code: &'static str,
    name: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Vat {
    producer_id: String,
    customer_reference_code: &'static str,
    rate: Option<Amount>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ContactOut {
    firstname: Option<String>,
    lastname: Option<String>,
    phone_number: Option<String>,
    role: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Serialize)]
struct Miscellaneous {
    referent: Option<String>,
    language: Option<&'static str>,
    group: Option<String>,
    archived: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EmployeeMiscellaneous {
    #[serde(flatten)]
    common: Miscellaneous,
    doubtful_account: Option<MadAccountRef>,
}

async fn mad_accounts(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<MadAccount>>> {
    params.mad_version()?;
    let roots = params.class_accounts();
    let world = shared.world();
    let folder = world.folder(id)?;
    let list = folder
        .accounts
        .iter()
        .filter(|a| roots.is_empty() || roots.iter().any(|r| a.number.starts_with(r.as_str())))
        .map(|a| mad_account(folder, a))
        .collect();
    Ok(Json(list))
}

fn mad_account(folder: &Folder, a: &Account) -> MadAccount {
    let counterpart = a.counterpart_id.and_then(|id| folder.account(id)).map(MadAccountRef::of);
    let kind = if a.is_employee() {
        Kind::Employee { employee: Box::new(employee(folder, a.info.as_ref())) }
    } else if a.is_company() {
        Kind::Company { counterpart_account: counterpart, company: Box::new(company(folder, a)) }
    } else {
        Kind::General { counterpart_account: counterpart, correspondance_account: None }
    };
    MadAccount {
        producer_id: a.id.to_string(),
        number: a.number.clone(),
        name: a.label.clone(),
        closed: a.closed,
        kind,
    }
}

fn company(folder: &Folder, a: &Account) -> CompanyAccount {
    let info = a.info.as_ref();
    let vat = a.vat_param_id.and_then(|id| folder.vat_param(id)).map(|v| Vat {
        producer_id: v.id.to_string(),
        customer_reference_code: v.code,
        rate: catalog::vat_rate(v.rate_id).map(Amount),
    });
    CompanyAccount {
        name: info.and_then(|i| i.name.clone()),
        SIREN: info.and_then(|i| i.siren.clone()),
        CEO: info.and_then(|i| i.person_in_charge.clone()),
        payment: info.and_then(|i| payment(folder, i)),
        address: info.and_then(address),
        ape: info.and_then(|i| i.ape_id).and_then(catalog::ape).map(|(id, code, name)| Ape {
            producer_id: id.to_string(),
            code,
            name,
        }),
        vat,
        IBANs: ibans(info),
        contacts: info.map(contacts).unwrap_or_default(),
        miscellaneous: info.map(miscellaneous),
    }
}

fn employee(folder: &Folder, info: Option<&ThirdInfo>) -> EmployeeAccount {
    EmployeeAccount {
        first_name: info.and_then(|i| i.firstname.clone()),
        last_name: info.and_then(|i| i.lastname.clone()),
        email: info.and_then(|i| i.email.clone()),
        phone_number: info.and_then(|i| i.tel.clone()),
        phone_number_bis: info.and_then(|i| i.tel2.clone()),
        NIR: info.and_then(|i| i.nir.clone()),
        profession: info.and_then(|i| i.profession.clone()),
        payment: info.and_then(|i| payment(folder, i)),
        address: info.and_then(address),
        IBANs: ibans(info),
        contacts: info.map(contacts).unwrap_or_default(),
        miscellaneous: info.map(|i| EmployeeMiscellaneous {
            common: miscellaneous(i),
            doubtful_account: i
                .doubtful_id
                .and_then(|id| folder.account(id))
                .map(MadAccountRef::of),
        }),
    }
}

fn payment(folder: &Folder, info: &ThirdInfo) -> Option<Payment> {
    let p = info.payment_type_id.and_then(|id| folder.payment_type(id))?;
    Some(Payment { producer_id: p.id.to_string(), code: p.code })
}

/// `fullName` = `addressNumber [locatingIndex] streetType streetName`, null when a part other
/// than `locatingIndex` is missing.
pub(super) fn address(info: &ThirdInfo) -> Option<Address> {
    let street_type = info.road_type_id.and_then(catalog::road_type);
    let any = info.address_number.is_some()
        || info.address.is_some()
        || info.postal_code.is_some()
        || info.city.is_some()
        || info.country_id.is_some();
    if !any {
        return None;
    }
    let full_name = match (&info.address_number, street_type, &info.address) {
        (Some(number), Some(kind), Some(street)) => {
            let parts = [
                Some(number.as_str()),
                info.repetition_index.as_deref(),
                Some(kind),
                Some(street.as_str()),
            ];
            Some(parts.into_iter().flatten().collect::<Vec<_>>().join(" "))
        }
        _ => None,
    };
    Some(Address {
        country: info.country_id.and_then(catalog::country),
        city: info.city.clone(),
        full_name,
        address_number: info.address_number.clone(),
        address_complement: info.address_complement.clone(),
        locating_index: info.repetition_index.clone(),
        postal_code: info.postal_code.clone(),
        street_name: info.address.clone(),
        street_type,
    })
}

fn ibans(info: Option<&ThirdInfo>) -> Vec<String> {
    info.map(|i| i.ibans.iter().map(|b| b.iban.clone()).filter(|b| !b.is_empty()).collect())
        .unwrap_or_default()
}

/// The main contact first, then the secondary ones in their order.
fn contacts(info: &ThirdInfo) -> Vec<ContactOut> {
    let mut out = Vec::new();
    if info.contact_firstname.is_some() || info.contact_lastname.is_some() {
        out.push(ContactOut {
            firstname: info.contact_firstname.clone(),
            lastname: info.contact_lastname.clone(),
            phone_number: info.tel.clone(),
            role: info.function.clone(),
            email: info.email.clone(),
        });
    }
    let mut secondary: Vec<_> = info.contacts.iter().collect();
    secondary.sort_by_key(|c| c.order);
    let text = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    out.extend(secondary.into_iter().map(|c| ContactOut {
        firstname: text(&c.firstname),
        lastname: text(&c.lastname),
        phone_number: text(&c.tel1),
        role: text(&c.function),
        email: text(&c.email),
    }));
    out
}

fn miscellaneous(info: &ThirdInfo) -> Miscellaneous {
    Miscellaneous {
        referent: info.referent.clone(),
        language: info.language_id.and_then(catalog::language),
        group: info.group.clone(),
        archived: Some(info.archived),
    }
}
