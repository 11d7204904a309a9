//! `GET /vat_param`: VAT codes with their deductible and collected accounts (`vat_exigility`
//! sic).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::wire::{AccountRef, Amount};
use crate::errors::ApiResult;
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::{catalog, Folder, VatParam};

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/vat_param", get(list_vat_params))
}

#[derive(Debug, Serialize)]
pub(super) struct VatParamOut {
    vat_param_id: i64,
    code: &'static str,
    account_ded: Option<AccountRef>,
    account_coll: Option<AccountRef>,
    vat: Rate,
    vat_type: Labelled,
    vat_exigility: Labelled,
    blocked: bool,
}

#[derive(Debug, Serialize)]
struct Rate {
    id: u8,
    rate: Option<Amount>,
}

#[derive(Debug, Serialize)]
struct Labelled {
    id: u8,
    label: &'static str,
    code: &'static str,
}

impl VatParamOut {
    pub(super) fn of(folder: &Folder, v: &VatParam) -> Self {
        let vat_type = catalog::VAT_TYPES.iter().find(|t| t.0 == v.type_id);
        let exigibility = catalog::EXIGIBILITIES.iter().find(|e| e.0 == v.exigibility_id);
        VatParamOut {
            vat_param_id: v.id,
            code: v.code,
            account_ded: AccountRef::by_id(folder, v.deductible),
            account_coll: AccountRef::by_id(folder, v.collected),
            vat: Rate { id: v.rate_id, rate: catalog::vat_rate(v.rate_id).map(Amount) },
            vat_type: Labelled {
                id: v.type_id,
                label: vat_type.map_or("", |t| t.1),
                code: vat_type.map_or("", |t| t.2),
            },
            vat_exigility: Labelled {
                id: v.exigibility_id,
                label: exigibility.map_or("", |e| e.1),
                code: exigibility.map_or("", |e| e.2),
            },
            blocked: v.blocked,
        }
    }
}

async fn list_vat_params(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
) -> ApiResult<Json<Vec<VatParamOut>>> {
    let world = shared.world();
    let folder = world.folder(id)?;
    Ok(Json(folder.vat_params.iter().map(|v| VatParamOut::of(folder, v)).collect()))
}
