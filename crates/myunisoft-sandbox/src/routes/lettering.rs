//! Lettering: `GET /account/next_lettering?account_id=&partial=` and `PUT /entry/lettering`.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::wire::{Success, SUCCESS};
use crate::errors::{ApiError, ApiResult};
use crate::params::{JsonBody, Params};
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::lettering;

pub(super) fn router() -> Router<SharedState> {
    Router::new()
        .route("/account/next_lettering", get(next_lettering))
        .route("/entry/lettering", put(letter))
}

#[derive(Debug, Serialize)]
struct NextLettering {
    next_lettering: String,
}

/// The same code sequence serves complete and partial letterings; `partial` is checked only.
async fn next_lettering(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Json<NextLettering>> {
    let account_id: i64 = params.required("account_id")?;
    params.boolean("partial")?;
    let world = shared.world();
    Ok(Json(NextLettering { next_lettering: lettering::next_code(world.folder(id)?, account_id)? }))
}

#[derive(Debug, Deserialize)]
struct LetteringInput {
    lettering: Option<String>,
    #[serde(default)]
    line_entry_list: Vec<LineRef>,
}

#[derive(Debug, Deserialize)]
struct LineRef {
    line_entry_id: i64,
}

async fn letter(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    JsonBody(input): JsonBody<LetteringInput>,
) -> ApiResult<Json<Success>> {
    let code = input.lettering.ok_or_else(|| ApiError::param("lettering"))?;
    let lines: Vec<i64> = input.line_entry_list.iter().map(|l| l.line_entry_id).collect();
    let mut world = shared.world();
    let (folder, _) = world.folder_mut(id)?;
    lettering::letter(folder, &code, &lines)?;
    Ok(Json(SUCCESS))
}
