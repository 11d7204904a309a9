//! `/integrations`: the connectors Passerelle offers and the credentials each one needs.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::extract::ValidPath;
use crate::auth::tenant::TenantContext;
use crate::domain::connection::ConnectorKind;
use crate::domain::Resource;
use crate::error::{AppError, ErrorBody, Result};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IntegrationCredential {
    /// The `key` to send in `PostConnectionItem.credentials`.
    pub name: String,
    pub optional: bool,
    pub description: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IntegrationItem {
    /// Pass it as `integrationid` when creating a connection.
    pub integrationid: i64,
    pub name: String,
    #[schema(example = "active")]
    pub status: String,
    /// The Chift API vertical, e.g. `Accounting`.
    pub api: String,
    /// Served by Passerelle at `/integrations/{integrationid}/logo.svg`.
    pub logo_url: String,
    pub icon_url: String,
    pub credentials: Vec<IntegrationCredential>,
}

impl IntegrationItem {
    fn new(kind: ConnectorKind, public_url: &str) -> Self {
        let logo = format!("{public_url}/integrations/{}/logo.svg", kind.integration_id());
        Self {
            logo_url: logo.clone(),
            icon_url: logo,
            integrationid: kind.integration_id(),
            name: kind.name().to_owned(),
            status: "active".to_owned(),
            api: kind.api().to_owned(),
            credentials: kind
                .credentials()
                .iter()
                .map(|c| IntegrationCredential {
                    name: c.key.to_owned(),
                    optional: false,
                    description: c.description.to_owned(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IntegrationPath {
    pub integration_id: i64,
}

fn integration(id: i64) -> Result<ConnectorKind> {
    ConnectorKind::from_integration_id(id)
        .ok_or_else(|| AppError::NotFound { resource: Resource::Integration, id: id.to_string() })
}

/// List the available integrations (a bare array).
#[utoipa::path(get, path = "/integrations", tag = "Integrations", operation_id = "get_integrations",
    responses((status = 200, body = Vec<IntegrationItem>), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn list_integrations(
    State(state): State<AppState>,
    _: TenantContext,
) -> Json<Vec<IntegrationItem>> {
    let items = ConnectorKind::ALL.into_iter().map(|k| IntegrationItem::new(k, &state.public_url));
    Json(items.collect())
}

/// Get one integration by its `integrationid`.
#[utoipa::path(get, path = "/integrations/{integration_id}", tag = "Integrations",
    operation_id = "get_integration", params(IntegrationPath),
    responses((status = 200, body = IntegrationItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_integration(
    State(state): State<AppState>,
    _: TenantContext,
    ValidPath(path): ValidPath<IntegrationPath>,
) -> Result<Json<IntegrationItem>> {
    let kind = integration(path.integration_id)?;
    Ok(Json(IntegrationItem::new(kind, &state.public_url)))
}

/// The integration's logo (public, for partner dashboards).
#[utoipa::path(get, path = "/integrations/{integration_id}/logo.svg", tag = "Integrations",
    operation_id = "get_integration_logo", params(IntegrationPath),
    responses((status = 200, content_type = "image/svg+xml", body = String),
              (status = "4XX", body = ErrorBody)),
    security())]
pub async fn get_integration_logo(ValidPath(path): ValidPath<IntegrationPath>) -> Result<Response> {
    let kind = integration(path.integration_id)?;
    Ok(([(CONTENT_TYPE, "image/svg+xml")], kind.logo_svg()).into_response())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_integrations))
        .routes(routes!(get_integration))
        .routes(routes!(get_integration_logo))
}
