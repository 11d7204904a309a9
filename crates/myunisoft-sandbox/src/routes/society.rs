//! Folders: `GET /society` (a firm token without `society-id` lists its folders, filtered by
//! `q`, sorted by `sort`, or finds one by `siret`; otherwise the one folder in detail) and
//! `GET /society/accountingParameters` and the MAD view `GET /mad/accountingFolder`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::wire::Amount;
use crate::errors::{ApiError, ApiResult};
use crate::params::Params;
use crate::scope::{FolderId, MaybeFolder};
use crate::server::SharedState;
use crate::world::{catalog, Company, Folder};

pub(super) fn router() -> Router<SharedState> {
    Router::new()
        .route("/society", get(society))
        .route("/society/accountingParameters", get(accounting_parameters))
        .route("/mad/accountingFolder", get(mad_accounting_folder))
}

async fn society(
    State(shared): State<SharedState>,
    MaybeFolder(folder): MaybeFolder,
    params: Params,
) -> ApiResult<Response> {
    let world = shared.world();
    if let Some(FolderId(id)) = folder {
        return Ok(Json(detail(&world.folder(id)?.company)).into_response());
    }
    let companies = world.folders.values().map(|f| &f.company);
    if let Some(siret) = params.get("siret").map(str::trim) {
        let found: Vec<&Company> = companies
            .filter(|c| {
                c.siret
                    .as_deref()
                    .is_some_and(|s| s == siret || (siret.len() == 9 && s.starts_with(siret)))
            })
            .collect();
        return match found.as_slice() {
            [one] => Ok(Json(detail(one)).into_response()),
            [] => Err(ApiError::rule("SOCIETE16", "Société introuvable.")),
            _ => Err(ApiError::rule("SOCIETE17", "Plusieurs sociétés trouvées.")),
        };
    }
    let needle = params.get("q").map(str::to_lowercase);
    let mut list: Vec<ListEntry> = companies
        .filter(|c| needle.as_deref().is_none_or(|q| c.name.to_lowercase().contains(q)))
        .map(ListEntry::of)
        .collect();
    if let Some(sort) = params.get("sort") {
        sort_list(&mut list, sort)?;
    }
    Ok(Json(SocietyList { row_numbers: list.len(), pages_number: None, society_array: list })
        .into_response())
}

#[derive(Debug, Serialize)]
struct SocietyList {
    row_numbers: usize,
    pages_number: Option<u32>,
    society_array: Vec<ListEntry>,
}

/// `CompanyListEntity`.
#[derive(Debug, Serialize)]
struct ListEntry {
    society_id: i64,
    name: String,
    siret: Option<String>,
    ape: Option<&'static str>,
    address_number: Option<String>,
    road_type: Option<&'static str>,
    street_name: Option<String>,
    complement: Option<String>,
    address_bis: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: String,
    address: String,
    insee: Option<String>,
    capital: Amount,
    member_id: i64,
    folder_reference: Option<String>,
    analytics: bool,
    enable_quantity: bool,
    secured: bool,
    safe_status: bool,
    status: &'static str,
    step: &'static str,
    #[serde(rename = "companyType")]
    company_type: &'static str,
    mail_liasse: Option<String>,
    id_type_company: i64,
    coordonnee: Vec<Value>,
}

impl ListEntry {
    fn of(c: &Company) -> Self {
        ListEntry {
            society_id: c.id,
            name: c.name.clone(),
            siret: c.siret.clone(),
            ape: c.ape_id.and_then(catalog::ape).map(|a| a.1),
            address_number: c.address_number.clone(),
            road_type: c.road_type_id.and_then(catalog::road_type),
            street_name: c.street_name.clone(),
            complement: c.complement.clone(),
            address_bis: None,
            postal_code: c.postal_code.clone(),
            city: c.city.clone(),
            country: c.country.clone(),
            address: full_address(c),
            insee: c.insee.clone(),
            capital: Amount(c.capital),
            member_id: c.member_id,
            folder_reference: c.folder_reference.clone(),
            analytics: c.analytics,
            enable_quantity: false,
            secured: false,
            safe_status: true,
            status: "",
            step: "",
            company_type: "",
            mail_liasse: None,
            id_type_company: 1,
            coordonnee: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Sort {
    column: String,
    #[serde(default)]
    direction: Option<String>,
}

fn sort_list(list: &mut [ListEntry], sort: &str) -> ApiResult<()> {
    let sort: Sort = serde_json::from_str(sort).map_err(|_| ApiError::param("sort"))?;
    let key = |e: &ListEntry| -> String {
        match sort.column.as_str() {
            "name" => e.name.clone(),
            "city" => e.city.clone().unwrap_or_default(),
            "ape" => e.ape.unwrap_or_default().to_owned(),
            "siret" => e.siret.clone().unwrap_or_default(),
            "folder_reference" => e.folder_reference.clone().unwrap_or_default(),
            _ => String::new(),
        }
    };
    if !["name", "city", "ape", "siret", "status", "step", "folder_reference"]
        .contains(&sort.column.as_str())
    {
        return Err(ApiError::param("sort"));
    }
    list.sort_by_key(key);
    if sort.direction.as_deref() == Some("desc") {
        list.reverse();
    }
    Ok(())
}

/// `"12 Quai DES PECHEURS 29200 BREST FRANCE"`.
fn full_address(c: &Company) -> String {
    let road = c.road_type_id.and_then(catalog::road_type);
    [
        c.address_number.as_deref(),
        road,
        c.street_name.as_deref(),
        c.postal_code.as_deref(),
        c.city.as_deref(),
        Some(&c.country),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// The `Company` detail object.
fn detail(c: &Company) -> Value {
    let ape = c
        .ape_id
        .and_then(catalog::ape)
        .map(|(id, code, text)| json!({"id": id, "label": code, "value": text}));
    let road = c
        .road_type_id
        .and_then(|id| catalog::road_type(id).map(|l| json!({"id": id, "label": l, "value": l})));
    let city = c.city.as_ref().map(|city| json!({"label": city, "value": city}));
    let head = json!({
        "ape": ape,
        "register": null,
        "legal_form": {"id": c.legal_form.0, "label": c.legal_form.1, "code": c.legal_form.1},
        "road_type": road,
        "owner_company": {"id": c.member_id, "label": "CABINET MARTIN & ASSOCIES", "value": "CABINET MARTIN & ASSOCIES"},
        "bilan": null,
        "impot": null,
        "vat_regime": {"id": c.vat_regime.0, "label": c.vat_regime.1, "value": c.vat_regime.2},
        "coordonnee": null,
        "footer": null,
        "city": city,
        "gescom": null,
        "comment": "",
        "society_id": c.id,
        "name": c.name,
        "siret": c.siret,
        "activity": "",
        "rof_tva": "",
        "rof_tdfc": "IS1",
        "rof_cfe": "",
        "rof_cvae": "",
        "address_number": c.address_number,
        "id_accountant": 311,
        "id_rm": 312,
        "id_collab": null,
        "accountant": {"id_ex": 311, "prenom": "Paul", "nom": "MARTIN"},
        "rm": {"id_ex": 312, "prenom": "Claire", "nom": "DUVAL"},
        "collab": null,
    });
    let rest = json!({
        "secured": false,
        "analytics": c.analytics,
        "enable_quantity": false,
        "folder_reference": c.folder_reference,
        "adherent_code": "",
        "formule_code": "BUSI",
        "safe_status": true,
        "logo": null,
        "address_bis": null,
        "street_name": c.street_name,
        "complement": c.complement,
        "postal_code": c.postal_code,
        "country": c.country,
        "address": full_address(c),
        "id_centre_gestion": 0,
        "code_sheet_group": "ISBICN",
        "registration_date": crate::dates::iso(c.registration_date),
        "close_entries_VAT": false,
        "id_type_company": 1,
        "id_parent_society": 0,
        "secondary_establishments": null,
        "date_engage_letter": "",
    });
    merged(head, rest)
}

/// One JSON object from two (keeps `json!` within its recursion limit).
fn merged(mut head: Value, rest: Value) -> Value {
    if let (Value::Object(head), Value::Object(rest)) = (&mut head, rest) {
        head.extend(rest);
    }
    head
}

async fn accounting_parameters(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
) -> ApiResult<Json<Value>> {
    let world = shared.world();
    Ok(Json(parameters(world.folder(id)?)))
}

fn parameters(f: &Folder) -> Value {
    merged(entry_parameters(f), closing_and_payment_parameters(f))
}

/// The accounting type, the plan, the account lengths, and the accounts and diaries proposed
/// when entering.
fn entry_parameters(f: &Folder) -> Value {
    let (sales, purchases, expenses) = (diary_ref(f, "02"), diary_ref(f, "01"), diary_ref(f, "09"));
    json!({
        "comptability_type_id": 1,
        "comptability_type": {"id": 1, "label": "Engagement", "code": "ENGA"},
        "mission_type_id": 1,
        "mission_type": {"id": 1, "label": "Tenue", "code": "TENU"},
        "customer_waiting_account": "",
        "accounting_firm_waiting_account": "",
        "accounting_plan_id": -100,
        "accounting_plan": {"id": -100, "label": "Etalon MYUNISOFT"},
        "max_car_third_p_account": f.max_third_party_len,
        "max_car_general_account": f.max_general_len,
        "auto_complete_account": true,
        "account_income_lettering": account_ref(f, "758000"),
        "account_expense_lettering": account_ref(f, "658000"),
        "diary_lettering": obj_of(diary_ref(f, "60")),
        "maximum_difference_amount": 0.9,
        "enable_create_account_ocr": true,
        "account_purchases": account_ref(f, "607000"),
        "account_sales": account_ref(f, "707000"),
        "account_expense_report": account_ref(f, "625600"),
        "diary_purchases_id": id_of(&purchases),
        "diary_purchases": obj_of(purchases),
        "diary_sales_id": id_of(&sales),
        "diary_sales": obj_of(sales),
        "expense_report_id": id_of(&expenses),
        "expense_report": obj_of(expenses),
    })
}

/// Depreciation, bank reconciliation, and the customers' and providers' payment terms.
fn closing_and_payment_parameters(f: &Folder) -> Value {
    let od = diary_ref(f, "20");
    let (customer_payment, provider_payment) = (payment_ref(f, "VIRT"), payment_ref(f, "PRLV"));
    json!({
        "annual_depreciation_period": 360,
        "diary_dotation_id": id_of(&od),
        "diary_dotation": obj_of(od),
        "enable_autolettering": true,
        "enable_RB_autoentries": true,
        "bank_reconciliation_state": true,
        "ics": "",
        "customer_payment_deadline_id": 3,
        "customer_payment_deadline": deadline_ref(3),
        "customer_reglement_type_id": id_of(&customer_payment),
        "customer_reglement_type": obj_of(customer_payment),
        "provider_payment_deadline_id": 2,
        "provider_payment_deadline": deadline_ref(2),
        "provider_reglement_type_id": id_of(&provider_payment),
        "provider_reglement_type": obj_of(provider_payment),
        "diary_situation_id": null,
        "account_prov_depreciation": null,
        "account_dotation_prov": null,
        "account_reprise_prov": null,
        "account_irrecoverable_debts": null,
        "account_irrecoverable_vat": null,
        "account_vat_regularize": null,
        "account_purchases_provider": null,
        "account_sales_customer": null,
        "wallets": [{"id": 1, "label": "TOUTES"}],
    })
}

/// `{id, label}` of the account with that number.
fn account_ref(f: &Folder, number: &str) -> Option<Value> {
    f.account_by_number(number)
        .map(|a| json!({"id": a.id, "label": format!("{} - {}", a.number, a.label)}))
}

/// The id and `{id, label}` of the diary with that code.
fn diary_ref(f: &Folder, code: &str) -> Option<(i64, Value)> {
    f.diary_by_code(code).map(|d| (d.id, json!({"id": d.id, "label": d.long_label()})))
}

/// The id and `{id, label}` of the payment type with that code.
fn payment_ref(f: &Folder, code: &str) -> Option<(i64, Value)> {
    f.payment_types
        .iter()
        .find(|p| p.code == code)
        .map(|p| (p.id, json!({"id": p.id, "label": p.name})))
}

/// The payment deadline of that id, as the parameters show it.
fn deadline_ref(id: u8) -> Option<Value> {
    catalog::payment_deadline(id).map(|(id, label, days, end_month)| {
        json!({"id": id, "label": label, "number_of_days": days, "end_month": end_month, "day_number": null})
    })
}

fn id_of(v: &Option<(i64, Value)>) -> Option<i64> {
    v.as_ref().map(|(id, _)| *id)
}

fn obj_of(v: Option<(i64, Value)>) -> Option<Value> {
    v.map(|(_, o)| o)
}

/// `GET /mad/accountingFolder?version=1.0.0`: one folder, or all of them for a firm token
/// without `society-id`.
async fn mad_accounting_folder(
    State(shared): State<SharedState>,
    MaybeFolder(folder): MaybeFolder,
    params: Params,
) -> ApiResult<Response> {
    params.mad_version()?;
    let world = shared.world();
    match folder {
        Some(FolderId(id)) => Ok(Json(mad_folder(&world.folder(id)?.company)).into_response()),
        None => {
            let all: Vec<Value> = world.folders.values().map(|f| mad_folder(&f.company)).collect();
            Ok(Json(all).into_response())
        }
    }
}

fn mad_folder(c: &Company) -> Value {
    let street_type = c.road_type_id.and_then(catalog::road_type);
    let full_name = match (&c.address_number, street_type, &c.street_name) {
        (Some(number), Some(kind), Some(street)) => Some(format!("{number} {kind} {street}")),
        _ => None,
    };
    json!({
        "name": c.name,
        "reference": c.folder_reference,
        "address": {
            "country": c.country, "city": c.city, "fullName": full_name,
            "addressNumber": c.address_number, "locatingIndex": null, "addressComplement": c.complement,
            "postalCode": c.postal_code, "streetName": c.street_name, "streetType": street_type,
        },
        "contact": {
            "firstName": c.director.0, "lastName": c.director.1,
            "phoneNumber": null, "mobilePhoneNumber": null, "mail": null,
        },
        "RCS": { "producerId": c.rcs.0.to_string(), "name": c.rcs.1 },
        "SIRET": c.siret,
        "capital": Amount(c.capital),
    })
}
