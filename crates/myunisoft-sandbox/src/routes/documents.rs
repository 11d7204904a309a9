//! Entry documents: `POST /document/add_all_types` (raw bytes attached to an entry) and the
//! GED download of an attachment (`/api/ged/ged/document/{id}-{token}/download`, the URL MAD
//! entries give).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::wire::{Success, SUCCESS};
use crate::errors::{ApiError, ApiResult};
use crate::params::Params;
use crate::scope::FolderId;
use crate::server::SharedState;
use crate::world::entries::{self, Location};

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/document/add_all_types", post(add))
}

/// The GED routes (served under `/api/ged`).
pub(crate) fn ged_router() -> Router<SharedState> {
    Router::new().route("/ged/document/{key}/download", get(download))
}

/// The path of a document's download, as MAD entries give it.
pub(crate) fn download_path(id: i64) -> String {
    format!("/api/ged/ged/document/{id}-sbx/download")
}

async fn add(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
    params: Params,
    body: Bytes,
) -> ApiResult<Json<Success>> {
    let location = match params.get("location") {
        Some("ENTRIES") => Location::Posted,
        Some("ENTRIES_TEMP") => Location::Pending,
        _ => return Err(ApiError::param("location")),
    };
    let entry: i64 = params.required("object_id")?;
    let name = params
        .get("filename_extension")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::param("filename_extension"))?
        .to_owned();
    let mut world = shared.world();
    let (folder, ids) = world.folder_mut(id)?;
    entries::attach(folder, ids, location, entry, &name, body.to_vec())?;
    Ok(Json(SUCCESS))
}

async fn download(
    State(shared): State<SharedState>,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let id: i64 = key
        .split_once('-')
        .and_then(|(id, _)| id.parse().ok())
        .ok_or_else(|| ApiError::not_found("Document"))?;
    let world = shared.world();
    let document = entries::document(&world, id).ok_or_else(|| ApiError::not_found("Document"))?;
    let disposition = format!("attachment; filename=\"{}\"", document.name.replace('"', ""));
    Ok((
        [(header::CONTENT_TYPE, document.mime.clone()), (header::CONTENT_DISPOSITION, disposition)],
        document.content.clone(),
    )
        .into_response())
}
