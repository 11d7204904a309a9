//! `GET /mad/movements?version=1.0.0`: the movements of one exercise or window, each with its
//! parent entry; streamed for the large-volume folder.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::mad::{self, MadEntry, MadMovement, Selection};
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
    mad_listing(&shared, id, &params, Listing::Movements)
}

/// `GET /mad/entries` and `GET /mad/movements`: one exercise or window of a folder, generated
/// on the fly for the large-volume folder.
pub(super) fn mad_listing(
    shared: &SharedState,
    id: i64,
    params: &Params,
    listing: Listing,
) -> ApiResult<Response> {
    let world = shared.world();
    let folder = world.folder(id)?;
    let selection = Selection::parse(folder, params)?;
    if folder.generated && !selection.draft {
        let count = shared.large_movements();
        if let Some(generator) = Generator::new(folder.clone(), count) {
            drop(world);
            if !shared.pregenerate.load(Ordering::Relaxed) {
                return Ok(large::stream(generator, selection, listing));
            }
            let key = format!("{count}:{listing:?}:{selection:?}");
            let mut cache = shared.rendered.lock().unwrap_or_else(|p| p.into_inner());
            let body = match cache.as_ref() {
                Some((cached, body)) if *cached == key => body.clone(),
                _ => {
                    let body = large::render(generator, selection, listing);
                    *cache = Some((key, body.clone()));
                    body
                }
            };
            return Ok(large::rendered(body));
        }
    }
    let entries = folder.entries_in(selection.draft).iter();
    Ok(match listing {
        Listing::Entries => {
            Json(mad::entries(folder, entries, &selection).collect::<Vec<MadEntry>>())
                .into_response()
        }
        Listing::Movements => {
            Json(mad::movements(folder, entries, &selection).collect::<Vec<MadMovement>>())
                .into_response()
        }
    })
}
