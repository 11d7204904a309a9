//! Company bank accounts: `GET /rib` (compact IBAN, `start_date` `YYYYMMDD`) and `POST /rib`
//! (the created RIB, IBAN grouped by four).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::dates;
use crate::errors::{ApiError, ApiResult};
use crate::params::JsonBody;
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::banks::{self, RibInput};
use crate::world::{Folder, Rib};

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/rib", get(list_ribs).post(create_rib))
}

#[derive(Debug, Serialize)]
struct RibOut {
    rib_id: i64,
    diary_id: i64,
    diary_label: String,
    society_id: i64,
    start_date: String,
    owner: String,
    iban: String,
    bic: String,
    is_default: bool,
}

impl RibOut {
    fn of(folder: &Folder, r: &Rib) -> Self {
        RibOut {
            rib_id: r.id,
            diary_id: r.diary_id,
            diary_label: folder.diary(r.diary_id).map(|d| d.long_label()).unwrap_or_default(),
            society_id: folder.id(),
            start_date: r.start_date.map(dates::compact).unwrap_or_default(),
            owner: r.owner.clone(),
            iban: r.iban.clone(),
            bic: r.bic.clone(),
            is_default: r.is_default,
        }
    }
}

async fn list_ribs(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
) -> ApiResult<Json<Vec<RibOut>>> {
    let world = shared.world();
    let folder = world.folder(id)?;
    Ok(Json(folder.ribs.iter().map(|r| RibOut::of(folder, r)).collect()))
}

#[derive(Debug, Serialize)]
struct CreatedRib {
    #[serde(flatten)]
    rib: RibOut,
    banking_integration: bool,
    company_name: String,
    rib_label: Option<String>,
    shared_iban_needing_banking_integration: Vec<String>,
}

async fn create_rib(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    JsonBody(input): JsonBody<RibInput>,
) -> ApiResult<Json<CreatedRib>> {
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    let rib_id = banks::create(folder, ids, input)?;
    let rib =
        folder.ribs.iter().find(|r| r.id == rib_id).ok_or_else(|| ApiError::not_found("RIB"))?;
    let mut out = RibOut::of(folder, rib);
    out.iban = formats::iban::grouped(&rib.iban);
    Ok(Json(CreatedRib {
        rib: out,
        banking_integration: rib.banking_integration,
        company_name: folder.company.name.clone(),
        rib_label: rib.label.clone(),
        shared_iban_needing_banking_integration: Vec::new(),
    }))
}
