//! The MAD views of the folder settings: `GET /mad/journals`, `/mad/vats`, `/mad/payments` and
//! `/mad/banks` (all `?version=1.0.0`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::wire::{Amount, MadAccountRef};
use crate::errors::ApiResult;
use crate::params::Params;
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::catalog;

pub(super) fn router() -> Router<SharedState> {
    Router::new()
        .route("/mad/journals", get(mad_journals))
        .route("/mad/vats", get(mad_vats))
        .route("/mad/payments", get(mad_payments))
        .route("/mad/banks", get(mad_banks))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadJournal {
    producer_id: String,
    name: String,
    customer_reference_code: String,
    #[serde(rename = "type")]
    kind: &'static str,
    counterpart_account: Option<MadAccountRef>,
    additional_producer_properties: JournalProperties,
}

#[derive(Debug, Serialize)]
struct JournalProperties {
    #[serde(rename = "type")]
    kind: &'static str,
    locked: bool,
}

async fn mad_journals(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<MadJournal>>> {
    params.mad_version()?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let list = folder
        .diaries
        .iter()
        .map(|d| MadJournal {
            producer_id: d.id.to_string(),
            name: d.name.clone(),
            customer_reference_code: d.code.clone(),
            kind: d.kind().map_or("", |k| k.mad),
            counterpart_account: d
                .account_id
                .and_then(|a| folder.account(a))
                .filter(|_| matches!(d.type_code(), "BQ" | "CAISSE"))
                .map(MadAccountRef::of),
            additional_producer_properties: JournalProperties {
                kind: d.type_code(),
                locked: d.blocked,
            },
        })
        .collect();
    Ok(Json(list))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadVat {
    producer_id: String,
    customer_reference_code: &'static str,
    rate: Option<Amount>,
    account: VatAccounts,
    #[serde(rename = "type")]
    kind: &'static str,
    exigibility: &'static str,
    additional_producer_properties: VatProperties,
}

#[derive(Debug, Serialize)]
struct VatAccounts {
    deductible: Option<MadAccountRef>,
    collected: Option<MadAccountRef>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VatProperties {
    type_code: &'static str,
    exigibility_code: &'static str,
}

async fn mad_vats(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<MadVat>>> {
    params.mad_version()?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let account = |id: Option<i64>| id.and_then(|id| folder.account(id)).map(MadAccountRef::of);
    let list = folder
        .vat_params
        .iter()
        .map(|v| {
            let kind = catalog::VAT_TYPES.iter().find(|t| t.0 == v.type_id);
            let exigibility = catalog::EXIGIBILITIES.iter().find(|e| e.0 == v.exigibility_id);
            MadVat {
                producer_id: v.id.to_string(),
                customer_reference_code: v.code,
                rate: catalog::vat_rate(v.rate_id).map(Amount),
                account: VatAccounts {
                    deductible: account(v.deductible),
                    collected: account(v.collected),
                },
                kind: kind.map_or("", |t| t.3),
                exigibility: exigibility.map_or("", |e| e.1),
                additional_producer_properties: VatProperties {
                    type_code: kind.map_or("", |t| t.2),
                    exigibility_code: exigibility.map_or("", |e| e.2),
                },
            }
        })
        .collect();
    Ok(Json(list))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MadPayment {
    producer_id: String,
    code: &'static str,
    name: &'static str,
    additional_producer_properties: NativeCode,
}

#[derive(Debug, Serialize)]
struct NativeCode {
    code: &'static str,
}

/// MAD converts payment codes to TRA codes; the native one stays in the extra properties.
fn tra_code(native: &str) -> &'static str {
    match native {
        "CB" => "CB",
        "ESP" => "ESP",
        "LCR" => "LCR",
        "PRLV" => "PRE",
        "VIRT" => "VIR",
        _ => "CHQ",
    }
}

async fn mad_payments(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<MadPayment>>> {
    params.mad_version()?;
    let world = shared.world();
    let list = world
        .folder(id)?
        .payment_types
        .iter()
        .map(|p| MadPayment {
            producer_id: p.id.to_string(),
            code: tra_code(p.code),
            name: p.name,
            additional_producer_properties: NativeCode { code: p.code },
        })
        .collect();
    Ok(Json(list))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(non_snake_case)]
struct MadBank {
    producer_id: String,
    RIB: String,
    IBAN: String,
    BIC: String,
    account: Option<MadAccountRef>,
    journal: BankJournal,
    additional_producer_properties: BankProperties,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BankJournal {
    producer_id: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    customer_reference_code: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BankProperties {
    is_default: bool,
}

async fn mad_banks(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<Vec<MadBank>>> {
    params.mad_version()?;
    let world = shared.world();
    let folder = world.folder(id)?;
    let list = folder
        .ribs
        .iter()
        .map(|r| {
            let diary = folder.diary(r.diary_id);
            MadBank {
                producer_id: r.id.to_string(),
                RIB: r.iban.get(4..).unwrap_or_default().to_owned(),
                IBAN: r.iban.clone(),
                BIC: r.bic.clone(),
                account: diary
                    .and_then(|d| d.account_id)
                    .and_then(|a| folder.account(a))
                    .map(MadAccountRef::of),
                journal: BankJournal {
                    producer_id: r.diary_id.to_string(),
                    name: diary.map(|d| d.name.clone()).unwrap_or_default(),
                    kind: "BANQUE",
                    customer_reference_code: diary.map(|d| d.code.clone()).unwrap_or_default(),
                },
                additional_producer_properties: BankProperties { is_default: r.is_default },
            }
        })
        .collect();
    Ok(Json(list))
}
