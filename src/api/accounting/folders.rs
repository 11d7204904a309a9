//! `/folders`: the companies reachable through the connection.

use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Accounting, WithRaw};
use crate::api::extract::{ConsumerPath, ValidPath};
use crate::domain::accounting::Folder;
use crate::error::{ErrorBody, Result};
use crate::service::accounting as service;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FolderPath {
    /// The MyUnisoft society id.
    pub folder_id: String,
}

/// The folders (MyUnisoft societies) the connection reaches: all of a firm token's, or a society
/// token's one. A bare array (no pagination, no `raw_data`).
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/folders", tag = "Accounting",
    operation_id = "accounting_get_folders", params(ConsumerPath),
    responses((status = 200, body = Vec<Folder>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_folders(a: Accounting) -> Result<Json<Vec<Folder>>> {
    Ok(Json(service::folders(&a.state, &a.ctx).await?))
}

/// One folder.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/folders/{folder_id}", tag = "Accounting",
    operation_id = "accounting_get_folder", params(ConsumerPath, FolderPath),
    responses((status = 200, body = Folder), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_folder(
    ValidPath(p): ValidPath<FolderPath>,
    a: Accounting,
) -> Result<Json<WithRaw<Folder>>> {
    a.single(service::folder(&a.state, &a.ctx, &p.folder_id)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_folders)).routes(routes!(get_folder))
}
