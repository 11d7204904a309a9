//! `/integrations`: the connectors Passerelle offers and the credentials each one needs.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::extract::ValidPath;
use crate::app::AppState;
use crate::auth::tenant::TenantContext;
use crate::domain::connection::ConnectorKind;
use crate::error::{AppError, ErrorBody, Result};

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
    pub credentials: Vec<IntegrationCredential>,
}

impl From<ConnectorKind> for IntegrationItem {
    fn from(kind: ConnectorKind) -> Self {
        Self {
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

/// List the available integrations (a bare array).
#[utoipa::path(get, path = "/integrations", tag = "Integrations", operation_id = "get_integrations",
    responses((status = 200, body = Vec<IntegrationItem>), (status = "4XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_integrations(_: TenantContext) -> Json<Vec<IntegrationItem>> {
    Json(
        ConnectorKind::ALL
            .into_iter()
            .map(IntegrationItem::from)
            .collect(),
    )
}

/// Get one integration by its `integrationid`.
#[utoipa::path(get, path = "/integrations/{integration_id}", tag = "Integrations",
    operation_id = "get_integration", params(IntegrationPath),
    responses((status = 200, body = IntegrationItem), (status = "4XX", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_integration(
    _: TenantContext,
    ValidPath(path): ValidPath<IntegrationPath>,
) -> Result<Json<IntegrationItem>> {
    let kind = ConnectorKind::from_integration_id(path.integration_id).ok_or_else(|| {
        AppError::NotFound {
            resource: "integration",
            id: path.integration_id.to_string(),
        }
    })?;
    Ok(Json(kind.into()))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_integrations))
        .routes(routes!(get_integration))
}
