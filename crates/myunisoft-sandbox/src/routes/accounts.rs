//! Chart of accounts: `GET /account?mode=1|2`, `GET /account/v2`, `POST /account`
//! (find-or-create), `PUT /account` and `PUT /account/contact` (firm access only).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::vat::VatParamOut;
use super::wire::{AccountRef, Amount, SUCCESS};
use crate::errors::{ApiError, ApiResult};
use crate::params::{JsonBody, Params};
use crate::scope::{FirmCaller, FolderId};
use crate::server::SharedState;
use crate::world::accounts::{self as rules, AccountInput, ContactInput};
use crate::world::{catalog, Account, Contact, Folder, Iban, ThirdInfo};

pub(super) fn router() -> Router<SharedState> {
    Router::new()
        .route("/account", get(list_accounts).post(upsert_account).put(replace_account))
        .route("/account/v2", get(list_accounts_v2))
        .route("/account/contact", put(replace_contacts))
}

async fn list_accounts(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Response> {
    let world = shared.world();
    let folder = world.folder(id)?;
    match params.get("mode") {
        Some("1") => {
            let q = params.get("q").map(str::to_lowercase);
            let limit = params.parsed::<usize>("limit")?.unwrap_or(5);
            let list: Vec<AccountRef> = folder
                .accounts
                .iter()
                .filter(|a| {
                    q.as_deref().is_none_or(|q| {
                        a.label.to_lowercase().contains(q) || a.number.to_lowercase().starts_with(q)
                    })
                })
                .take(limit)
                .map(AccountRef::of)
                .collect();
            Ok(Json(list).into_response())
        }
        Some("2") => {
            let begin_by = params.get("begin_by");
            let account_id = params.parsed::<i64>("account_id")?;
            let balances = folder.balances();
            let array: Vec<DetailedAccount> = sorted(folder)
                .into_iter()
                .filter(|a| begin_by.is_none_or(|p| a.number.starts_with(p)))
                .filter(|a| account_id.is_none_or(|id| a.id == id))
                .enumerate()
                .map(|(i, a)| DetailedAccount::of(folder, a, i + 1, &balances))
                .collect();
            Ok(Json(AccountPage {
                rows_number: array.len(),
                pages_number: 1,
                account_array: array,
            })
            .into_response())
        }
        _ => Err(ApiError::param("mode")),
    }
}

/// The chart in account-number order.
fn sorted(folder: &Folder) -> Vec<&Account> {
    let mut accounts: Vec<&Account> = folder.accounts.iter().collect();
    accounts.sort_by(|a, b| a.number.cmp(&b.number));
    accounts
}

#[derive(Debug, Serialize)]
struct AccountPage {
    rows_number: usize,
    pages_number: u32,
    account_array: Vec<DetailedAccount>,
}

/// `DetailedAccount` (`mode=2`).
#[derive(Debug, Serialize)]
struct DetailedAccount {
    row_number: usize,
    account_id: i64,
    account_number: String,
    label: String,
    society_id: i64,
    solde: Amount,
    sens: &'static str,
    comment: Option<String>,
    intraco: bool,
    btp_autoliquidation: bool,
    presta: bool,
    exoneration: bool,
    das_2: bool,
    blocked: bool,
    closed: bool,
    vat_param: Option<VatParamOut>,
    counterpart_account: Option<AccountRef>,
    array_counterpart_account: Option<Vec<CounterpartLine>>,
    complementary_informations: Complementary,
}

impl DetailedAccount {
    fn of(
        folder: &Folder,
        a: &Account,
        row_number: usize,
        balances: &HashMap<i64, Decimal>,
    ) -> Self {
        let solde = balances.get(&a.id).copied().unwrap_or_default();
        DetailedAccount {
            row_number,
            account_id: a.id,
            account_number: a.number.clone(),
            label: a.label.clone(),
            society_id: folder.id(),
            solde: Amount(solde),
            sens: sens(solde),
            comment: a.comment.clone(),
            intraco: a.intraco,
            btp_autoliquidation: a.btp_autoliquidation,
            presta: a.presta,
            exoneration: a.exoneration,
            das_2: a.das_2,
            blocked: a.blocked,
            closed: a.closed,
            vat_param: vat_param(folder, a),
            counterpart_account: AccountRef::by_id(folder, a.counterpart_id),
            array_counterpart_account: counterparts(folder, a),
            complementary_informations: Complementary::of(folder, a.info.as_ref()),
        }
    }
}

fn sens(solde: Decimal) -> &'static str {
    if solde > Decimal::ZERO {
        "D"
    } else if solde < Decimal::ZERO {
        "C"
    } else {
        ""
    }
}

fn vat_param(folder: &Folder, a: &Account) -> Option<VatParamOut> {
    a.vat_param_id.and_then(|id| folder.vat_param(id)).map(|v| VatParamOut::of(folder, v))
}

#[derive(Debug, Serialize)]
struct CounterpartLine {
    account_id: i64,
    account_number: String,
    label: String,
    num_ordre: String,
    vat_param: Option<VatParamOut>,
}

fn counterparts(folder: &Folder, a: &Account) -> Option<Vec<CounterpartLine>> {
    let target = a.counterpart_id.and_then(|id| folder.account(id))?;
    Some(vec![CounterpartLine {
        account_id: target.id,
        account_number: target.number.clone(),
        label: target.label.clone(),
        num_ordre: "1".into(),
        vat_param: vat_param(folder, target),
    }])
}

/// `complementary_informations` (all fields null for an account without any).
#[derive(Debug, Default, Serialize)]
struct Complementary {
    id_info_compte_tiers: Option<i64>,
    type_info_compte_tiers: Option<i64>,
    name: Option<String>,
    siren: Option<String>,
    ape: Option<Ape>,
    is_foreign: Option<bool>,
    person_in_charge: Option<String>,
    profession: Option<String>,
    firstname: Option<String>,
    lastname: Option<String>,
    address_number: Option<String>,
    indice_repetition: Option<String>,
    typevoie: Option<RoadType>,
    address: Option<String>,
    address_complement: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    id_country: Option<i64>,
    contact_firstname: Option<String>,
    contact_lastname: Option<String>,
    function: Option<String>,
    tel: Option<String>,
    tel2: Option<String>,
    email: Option<String>,
    contact_list: Vec<ContactOut>,
    iban_list: Vec<IbanOut>,
    payment_type_id: Option<i64>,
    payment_type: Option<PaymentTypeRef>,
    id_payment_deadline: Option<u8>,
    payment_deadline: Option<Deadline>,
    amount_type_paid: Option<AmountTypePaid>,
    comment: Option<String>,
    misc_language_id: Option<u16>,
    misc_doubtful_id: Option<i64>,
    misc_referent: Option<String>,
    misc_group: Option<String>,
    misc_archived: Option<bool>,
}

#[derive(Debug, Serialize)]
struct Ape {
    id: i64,
    info: &'static str,
    label: String,
    value: &'static str,
}

#[derive(Debug, Serialize)]
struct RoadType {
    lib: &'static str,
    id_type_voie: u8,
}

#[derive(Debug, Serialize)]
struct ContactOut {
    id_contact_compte_tiers: i64,
    firstname: String,
    lastname: String,
    function: String,
    tel1: String,
    tel2: String,
    email: String,
    ordre: i64,
}

#[derive(Debug, Serialize)]
struct IbanOut {
    id_iban_compte_tiers: i64,
    iban: String,
    bic: String,
    rum: String,
    rum_date_signature: Option<String>,
    etablissement: String,
    first_prlv: bool,
    document: Option<String>,
}

#[derive(Debug, Serialize)]
struct PaymentTypeRef {
    payment_type_id: i64,
    code: &'static str,
    label: &'static str,
}

#[derive(Debug, Serialize)]
struct Deadline {
    id_payment_deadline: u8,
    label: &'static str,
    number_of_days: u32,
    end_month: bool,
    day_number: Option<u32>,
}

#[derive(Debug, Serialize)]
struct AmountTypePaid {
    id_amount_type_paid: i64,
    label: String,
}

impl Ape {
    /// The APE code of that id, if the catalogue has it.
    fn of(id: i64) -> Option<Self> {
        catalog::ape(id).map(|(id, code, text)| Ape {
            id,
            info: text,
            label: format!("{code}-{text}"),
            value: code,
        })
    }
}

impl ContactOut {
    fn of(c: &Contact) -> Self {
        ContactOut {
            id_contact_compte_tiers: c.id,
            firstname: c.firstname.clone(),
            lastname: c.lastname.clone(),
            function: c.function.clone(),
            tel1: c.tel1.clone(),
            tel2: c.tel2.clone(),
            email: c.email.clone(),
            ordre: c.order,
        }
    }
}

impl IbanOut {
    fn of(b: &Iban) -> Self {
        IbanOut {
            id_iban_compte_tiers: b.id,
            iban: b.iban.clone(),
            bic: b.bic.clone(),
            rum: b.rum.clone(),
            rum_date_signature: b.rum_signed.clone(),
            etablissement: b.bank.clone(),
            first_prlv: b.first_direct_debit,
            document: None,
        }
    }
}

impl Deadline {
    /// The payment deadline of that id, if the catalogue has it.
    fn of(id: u8) -> Option<Self> {
        catalog::payment_deadline(id).map(|(id, label, days, end_month)| Deadline {
            id_payment_deadline: id,
            label,
            number_of_days: days,
            end_month,
            day_number: None,
        })
    }
}

impl Complementary {
    fn of(folder: &Folder, info: Option<&ThirdInfo>) -> Self {
        let Some(i) = info else {
            return Complementary::default();
        };
        let mut contacts: Vec<ContactOut> = i.contacts.iter().map(ContactOut::of).collect();
        contacts.sort_by_key(|c| c.ordre);
        Complementary {
            id_info_compte_tiers: Some(i.id),
            type_info_compte_tiers: None,
            name: i.name.clone(),
            siren: i.siren.clone(),
            ape: i.ape_id.and_then(Ape::of),
            is_foreign: Some(i.is_foreign),
            person_in_charge: i.person_in_charge.clone(),
            profession: i.profession.clone(),
            firstname: i.firstname.clone(),
            lastname: i.lastname.clone(),
            address_number: i.address_number.clone(),
            indice_repetition: i.repetition_index.clone(),
            typevoie: i.road_type_id.and_then(|id| {
                catalog::road_type(id).map(|lib| RoadType { lib, id_type_voie: id })
            }),
            address: i.address.clone(),
            address_complement: i.address_complement.clone(),
            postal_code: i.postal_code.clone(),
            city: i.city.clone(),
            id_country: i.country_id,
            contact_firstname: i.contact_firstname.clone(),
            contact_lastname: i.contact_lastname.clone(),
            function: i.function.clone(),
            tel: i.tel.clone(),
            tel2: i.tel2.clone(),
            email: i.email.clone(),
            contact_list: contacts,
            iban_list: i.ibans.iter().map(IbanOut::of).collect(),
            payment_type_id: i.payment_type_id,
            payment_type: i
                .payment_type_id
                .and_then(|id| folder.payment_type(id))
                .map(|p| PaymentTypeRef { payment_type_id: p.id, code: p.code, label: p.name }),
            id_payment_deadline: i.payment_deadline_id,
            payment_deadline: i.payment_deadline_id.and_then(Deadline::of),
            amount_type_paid: None,
            comment: i.comment.clone(),
            misc_language_id: i.language_id,
            misc_doubtful_id: i.doubtful_id,
            misc_referent: i.referent.clone(),
            misc_group: i.group.clone(),
            misc_archived: Some(i.archived),
        }
    }
}

/// `DetailedAccountV2`: the base fields, plus the groups asked for.
#[derive(Debug, Serialize)]
struct AccountV2 {
    account_id: i64,
    account_number: String,
    label: String,
    closed: bool,
    comment: Option<String>,
    das_2: bool,
    presta: bool,
    intraco: bool,
    exoneration: bool,
    btp_autoliquidation: bool,
    analytics: bool,
    society_id: i64,
    id_tva: Option<u8>,
    param_vat_id: Option<i64>,
    id_compte_contrepart: Option<i64>,
    correspondance_no_compte: Option<String>,
    correspondance_label: Option<String>,
    ocr_threshold: u32,
    ocr_autovalidation: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    complementary_informations: Option<Complementary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sens: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    solde: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blocked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_param: Option<Option<VatParamOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counterpart_account: Option<Option<AccountRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    array_counterpart_account: Option<Vec<CounterpartLine>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantities: Option<Vec<serde_json::Value>>,
}

/// Which optional groups `GET /account/v2` adds.
#[derive(Debug, Clone, Copy, Default)]
struct V2Options {
    details: bool,
    compta: bool,
    vat: bool,
    counterpart: bool,
    quantity: bool,
}

impl AccountV2 {
    fn of(folder: &Folder, a: &Account, o: V2Options, balances: &HashMap<i64, Decimal>) -> Self {
        let solde = balances.get(&a.id).copied().unwrap_or_default();
        AccountV2 {
            account_id: a.id,
            account_number: a.number.clone(),
            label: a.label.clone(),
            closed: a.closed,
            comment: a.comment.clone(),
            das_2: a.das_2,
            presta: a.presta,
            intraco: a.intraco,
            exoneration: a.exoneration,
            btp_autoliquidation: a.btp_autoliquidation,
            analytics: a.analytics,
            society_id: folder.id(),
            id_tva: a.vat_param_id.and_then(|id| folder.vat_param(id)).map(|v| v.rate_id),
            param_vat_id: a.vat_param_id,
            id_compte_contrepart: a.counterpart_id,
            correspondance_no_compte: None,
            correspondance_label: None,
            ocr_threshold: 0,
            ocr_autovalidation: false,
            complementary_informations: o
                .details
                .then(|| Complementary::of(folder, a.info.as_ref())),
            sens: o.compta.then(|| sens(solde)),
            solde: o.compta.then_some(Amount(solde)),
            blocked: o.compta.then_some(a.blocked),
            vat_param: o.vat.then(|| vat_param(folder, a)),
            counterpart_account: o.counterpart.then(|| AccountRef::by_id(folder, a.counterpart_id)),
            array_counterpart_account: if o.counterpart {
                Some(counterparts(folder, a).unwrap_or_default())
            } else {
                None
            },
            quantities: o.quantity.then(Vec::new),
        }
    }
}

async fn list_accounts_v2(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<AccountV2>>> {
    let options = V2Options {
        details: params.boolean("details")?,
        compta: params.boolean("compta")?,
        vat: params.boolean("vat")?,
        counterpart: params.boolean("counterpart")?,
        quantity: params.boolean("quantity")?,
    };
    let account_id = params.parsed::<i64>("account_id")?;
    let begin_by = params.get("begin_by");
    if account_id.is_some() && begin_by.is_some() {
        return Err(ApiError::param("begin_by"));
    }
    if let Some(date) = params.get("entry_date") {
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::param("entry_date"));
        }
    }
    let world = shared.world();
    let folder = world.folder(id)?;
    let balances = if options.compta { folder.balances() } else { HashMap::new() };
    let list = sorted(folder)
        .into_iter()
        .filter(|a| begin_by.is_none_or(|p| a.number.starts_with(p)))
        .filter(|a| account_id.is_none_or(|id| a.id == id))
        .map(|a| AccountV2::of(folder, a, options, &balances))
        .collect();
    Ok(Json(list))
}

#[derive(Debug, Serialize)]
struct Upserted {
    account_id: i64,
    account_number: String,
    label: String,
    counterpart_account: Option<AccountRef>,
}

async fn upsert_account(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    JsonBody(input): JsonBody<AccountInput>,
) -> ApiResult<Json<Upserted>> {
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    let account_id = rules::upsert(folder, ids, input)?;
    let account = folder.account(account_id).ok_or_else(|| ApiError::not_found("Compte"))?;
    Ok(Json(Upserted {
        account_id,
        account_number: account.number.clone(),
        label: account.label.clone(),
        counterpart_account: AccountRef::by_id(folder, account.counterpart_id),
    }))
}

async fn replace_account(
    State(shared): State<SharedState>,
    _: FirmCaller,
    FolderId(id): FolderId,
    JsonBody(input): JsonBody<AccountInput>,
) -> ApiResult<Json<AccountV2>> {
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    let account_id = rules::replace(folder, ids, input)?;
    let account = folder.account(account_id).ok_or_else(|| ApiError::not_found("Compte"))?;
    let options =
        V2Options { details: true, compta: true, vat: true, counterpart: true, quantity: false };
    Ok(Json(AccountV2::of(folder, account, options, &folder.balances())))
}

#[derive(Debug, Deserialize)]
struct ContactsInput {
    account_id: Option<i64>,
    #[serde(default)]
    contact_list: Vec<ContactInput>,
}

async fn replace_contacts(
    State(shared): State<SharedState>,
    _: FirmCaller,
    FolderId(id): FolderId,
    JsonBody(input): JsonBody<ContactsInput>,
) -> ApiResult<Response> {
    let account_id = input.account_id.ok_or_else(|| ApiError::param("account_id"))?;
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    rules::replace_contacts(folder, ids, account_id, input.contact_list)?;
    Ok(Json(SUCCESS).into_response())
}
