//! `GET /mad/movements?version=1.0.0`: the movements of one exercise or window, each with its
//! parent entry; streamed for the large-volume folder.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::mad::{self, MadMovement, Selection};
use crate::sandbox::errors::ApiResult;
use crate::sandbox::large::{self, Generator, Listing};
use crate::sandbox::params::Params;
use crate::sandbox::scope::FolderId;
use crate::sandbox::server::SharedState;

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/mad/movements", get(mad_movements))
}

async fn mad_movements(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
) -> ApiResult<Response> {
    let world = shared.world();
    let folder = world.folder(id)?;
    let selection = Selection::parse(folder, &params)?;
    if folder.generated && !selection.draft {
        let count = shared.large_movements();
        if let Some(generator) = Generator::new(folder.clone(), count) {
            return Ok(large::stream(generator, selection, Listing::Movements));
        }
    }
    let list: Vec<MadMovement> =
        mad::movements(folder, folder.entries_in(selection.draft).iter(), &selection).collect();
    Ok(Json(list).into_response())
}
