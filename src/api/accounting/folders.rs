//! `/folders`: the companies reachable through the connection.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{context, single, ChiftHeaders, ConsumerPath, WithRaw};
use crate::api::extract::ValidPath;
use crate::auth::tenant::TenantContext;
use crate::domain::accounting::Folder;
use crate::error::{ErrorBody, Result};
use crate::service::accounting as service;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FolderPath {
    pub consumer_id: Uuid,
    /// The MyUnisoft society id.
    pub folder_id: String,
}

/// The folders (MyUnisoft societies) the connection reaches: all of a firm token's, or a society
/// token's one. A bare array (no pagination, no `raw_data`).
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/folders", tag = "Accounting",
    operation_id = "accounting_get_folders", params(ConsumerPath),
    responses((status = 200, body = Vec<Folder>), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_folders(
    State(s): State<AppState>,
    t: TenantContext,
    h: ChiftHeaders,
    ValidPath(p): ValidPath<ConsumerPath>,
) -> Result<Json<Vec<Folder>>> {
    let ctx = context(&s, &t, p.consumer_id, &h).await?;
    Ok(Json(service::folders(&s, &ctx).await?))
}

/// One folder.
#[utoipa::path(get, path = "/consumers/{consumer_id}/accounting/folders/{folder_id}", tag = "Accounting",
    operation_id = "accounting_get_folder", params(FolderPath),
    responses((status = 200, body = Folder), (status = "4XX", body = ErrorBody), (status = "5XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_folder(
    State(s): State<AppState>,
    t: TenantContext,
    h: ChiftHeaders,
    ValidPath(p): ValidPath<FolderPath>,
) -> Result<Json<WithRaw<Folder>>> {
    let ctx = context(&s, &t, p.consumer_id, &h).await?;
    single(&h, service::folder(&s, &ctx, &p.folder_id)).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_folders)).routes(routes!(get_folder))
}
