//! `/consumers/{consumer_id}/connections`: a consumer's links to its accounting software.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::detach::detached;
use crate::api::extract::{
    max_chars, not_blank, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate,
};
use crate::auth::tenant::TenantContext;
use crate::domain::connection::{Connection, Credential};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::connect;
use crate::service::connections::{self as service, ConnectionRequest};
use crate::state::AppState;
use crate::store::TransactionRecord;

/// The idempotency header of writes.
pub const CLIENT_REQUEST_ID: &str = "x-chift-client-requestid";
const MAX_CLIENT_REQUEST_ID: usize = 255;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionStatus {
    Active,
    Inactive,
}

/// `ConnectionItem`. Credentials are never part of it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConnectionItem {
    pub connectionid: Uuid,
    pub name: String,
    pub integration: String,
    pub integrationid: i64,
    pub api: String,
    /// What activation learned: `{"access": "society", "society_id"}` or
    /// `{"access": "firm", "folders": [...]}`; with the data layer enabled, also `datalayer`:
    /// `{last_error, last_error_at, webhooks: subscribed|refused|not_offered, webhooks_refused?,
    /// polling_interval_secs}`.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
    pub status: ConnectionStatus,
    /// On-premise agents only: always null.
    #[schema(schema_with = always_null)]
    pub agent: Option<serde_json::Value>,
    /// The data layer's state (`not_enabled` until enabled).
    pub datalayer: Option<crate::api::datalayer::DatalayerInfo>,
}

/// A field Passerelle always answers `null`.
fn always_null() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Null)
        .build()
}

impl From<Connection> for ConnectionItem {
    fn from(c: Connection) -> Self {
        use crate::domain::connection::ConnectionStatus as S;
        Self {
            connectionid: c.id,
            name: c.name,
            integration: c.kind.name().to_owned(),
            integrationid: c.kind.integration_id(),
            api: c.kind.api().to_owned(),
            data: c.facts.as_ref().and_then(|f| serde_json::to_value(f).ok()),
            status: match c.status {
                S::Active => ConnectionStatus::Active,
                S::Inactive => ConnectionStatus::Inactive,
            },
            agent: None,
            datalayer: None,
        }
    }
}

/// `CredentialItem`.
#[derive(Deserialize, ToSchema)]
pub struct CredentialItem {
    pub key: String,
    pub value: String,
}

/// Never shows the value.
impl std::fmt::Debug for CredentialItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialItem").field("key", &self.key).finish_non_exhaustive()
    }
}

fn credential_list(items: Vec<CredentialItem>) -> Vec<Credential> {
    items.into_iter().map(|c| Credential { key: c.key, value: c.value }).collect()
}

/// `PostConnectionItem`. Without `credentials`, the answer's `url` is an activation link to the
/// hosted connect page (single use, 30 minutes) where the customer gives their own key; with
/// them (MyUnisoft: `api_token`), the connection is created at once. `integrationid` defaults to
/// MyUnisoft and `name` to the integration's name. `country`, `redirect` and `apis` are accepted
/// and ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostConnectionItem {
    pub integrationid: Option<i64>,
    #[schema(max_length = 80)]
    pub name: Option<String>,
    pub credentials: Option<Vec<CredentialItem>>,
    pub country: Option<String>,
    pub redirect: Option<bool>,
    pub apis: Option<Vec<String>>,
}

/// `PatchConnectionItem`: a new name and/or new credentials. Without `credentials`, the answer's
/// `url` is an activation link where the customer gives a new key and chooses folders again; the
/// connection keeps its id, data and history.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchConnectionItem {
    #[schema(max_length = 80)]
    pub name: Option<String>,
    pub credentials: Option<Vec<CredentialItem>>,
    pub redirect: Option<bool>,
}

fn check_name(name: Option<&str>) -> Result<(), Invalid> {
    not_blank("name", name)?;
    max_chars("name", name, 80)
}

impl Validate for PostConnectionItem {
    fn validate(&self) -> Result<(), Invalid> {
        check_name(self.name.as_deref())
    }
}

impl Validate for PatchConnectionItem {
    fn validate(&self) -> Result<(), Invalid> {
        check_name(self.name.as_deref())
    }
}

/// `LinkItem`: the activation link to hand to the customer (a write without credentials), or
/// where the connection can be read back (a write with credentials).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkItem {
    pub url: String,
}

fn link(state: &AppState, c: &Connection) -> LinkItem {
    LinkItem {
        url: format!("{}/consumers/{}/connections/{}", state.public_url, c.consumer_id, c.id),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConnectionPath {
    pub consumer_id: Uuid,
    pub connectionid: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TransactionPath {
    pub consumer_id: Uuid,
    pub connection_id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransactionQuery {
    pub client_request_id: String,
}

/// `HTTPMethod`: the methods of the writes a transaction records.
#[derive(ToSchema)]
#[schema(as = HTTPMethod)]
#[allow(clippy::upper_case_acronyms, dead_code)]
enum HttpMethod {
    POST,
    PUT,
    PATCH,
    DELETE,
}

/// `ApiTransactionLookupOut`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiTransactionLookupOut {
    pub created_on: DateTime<Utc>,
    /// The write's method (Chift's `HTTPMethod`): Passerelle records writes only.
    #[schema(value_type = HttpMethod)]
    pub method: String,
    pub route: String,
    pub status_code: u16,
    pub created_entity_id: Option<String>,
}

/// The `x-chift-client-requestid` header, if any (≤ 255 characters).
pub(crate) fn client_request_id(headers: &HeaderMap) -> Result<Option<String>, Invalid> {
    let Some(value) = headers.get(CLIENT_REQUEST_ID) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| Invalid::header(CLIENT_REQUEST_ID, "must be printable ASCII"))?
        .trim();
    if value.is_empty() || value.len() > MAX_CLIENT_REQUEST_ID {
        return Err(Invalid::header(CLIENT_REQUEST_ID, "must be 1 to 255 characters"));
    }
    Ok(Some(value.to_owned()))
}

/// List a consumer's connections (a bare array).
#[utoipa::path(get, path = "/consumers/{consumer_id}/connections", tag = "Connections",
    operation_id = "connections_get_connections", params(ConsumerPath),
    responses((status = 200, body = Vec<ConnectionItem>), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn list_connections(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<ConsumerPath>,
) -> Result<Json<Vec<ConnectionItem>>> {
    let connections = service::list(&state, &tenant, path.consumer_id).await?;
    let mut items: Vec<ConnectionItem> =
        connections.into_iter().map(ConnectionItem::from).collect();
    for item in &mut items {
        crate::api::datalayer::describe(&state, item).await?;
    }
    Ok(Json(items))
}

/// Create a connection: without `credentials`, answer an activation link to the hosted connect
/// page (single use, 30 minutes; the connection exists once the customer completed it, and their
/// browser goes back to the consumer's `redirect_url` with `consumerId`, `connectionId`,
/// `connectionStatus`, `error` and `isExpiredError`); with them, check them upstream and store
/// them encrypted (never returned). With `x-chift-client-requestid`, a replay of a write with
/// credentials answers 409 `REQUEST_ALREADY_PROCESSED` once the first call is done
/// (`REQUEST_IN_PROCESS` while it runs) and finishes a call whose outcome was uncertain.
#[utoipa::path(post, path = "/consumers/{consumer_id}/connections", tag = "Connections",
    operation_id = "connections_create_connection", params(ConsumerPath),
    request_body = PostConnectionItem,
    responses((status = 200, body = LinkItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_connection(
    State(state): State<AppState>,
    tenant: TenantContext,
    headers: HeaderMap,
    ValidPath(path): ValidPath<ConsumerPath>,
    ValidJson(body): ValidJson<PostConnectionItem>,
) -> Result<Json<LinkItem>> {
    let Some(given) = body.credentials else {
        let url =
            connect::link_for_new(&state, &tenant, path.consumer_id, body.integrationid, body.name)
                .await?;
        return Ok(Json(LinkItem { url }));
    };
    let request = ConnectionRequest {
        integration_id: body.integrationid,
        name: body.name,
        credentials: credential_list(given),
    };
    let request_id = client_request_id(&headers)?;
    let created = detached(async move {
        let created = service::create(&state, &tenant, path.consumer_id, request, request_id);
        Ok(link(&state, &created.await?))
    });
    Ok(Json(created.await?))
}

/// Get one connection.
#[utoipa::path(get, path = "/consumers/{consumer_id}/connections/{connectionid}",
    tag = "Connections", operation_id = "connections_get_connection", params(ConnectionPath),
    responses((status = 200, body = ConnectionItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_connection(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<ConnectionPath>,
) -> Result<Json<ConnectionItem>> {
    let connection = service::get(&state, &tenant, path.consumer_id, path.connectionid).await?;
    let mut item = ConnectionItem::from(connection);
    crate::api::datalayer::describe(&state, &mut item).await?;
    Ok(Json(item))
}

/// Rename a connection and replace its credentials, or (without `credentials`) answer an
/// activation link where the customer gives a new key and chooses folders again.
#[utoipa::path(patch, path = "/consumers/{consumer_id}/connections/{connectionid}",
    tag = "Connections", operation_id = "connections_update_connection", params(ConnectionPath),
    request_body = PatchConnectionItem,
    responses((status = 200, body = LinkItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn update_connection(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<ConnectionPath>,
    ValidJson(body): ValidJson<PatchConnectionItem>,
) -> Result<Json<LinkItem>> {
    let (consumer, id) = (path.consumer_id, path.connectionid);
    let Some(given) = body.credentials else {
        let url = connect::link_for_existing(&state, &tenant, consumer, id, body.name).await?;
        return Ok(Json(LinkItem { url }));
    };
    let credentials = Some(credential_list(given));
    let updated = service::update(&state, &tenant, consumer, id, body.name, credentials).await?;
    Ok(Json(link(&state, &updated)))
}

/// Delete a connection and its credentials.
#[utoipa::path(delete, path = "/consumers/{consumer_id}/connections/{connectionid}",
    tag = "Connections", operation_id = "connections_delete_connection", params(ConnectionPath),
    responses((status = 204), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn delete_connection(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<ConnectionPath>,
) -> Result<StatusCode> {
    service::delete(&state, &tenant, path.consumer_id, path.connectionid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The outcome of a write sent with `x-chift-client-requestid` through this connection.
#[utoipa::path(get, path = "/consumers/{consumer_id}/connections/{connection_id}/transactions",
    tag = "Connections", operation_id = "get_transaction_by_client_request_id_consumers__consumer_id__connections__connection_id__transactions_get",
    params(TransactionPath, TransactionQuery),
    responses((status = 200, body = ApiTransactionLookupOut), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_transaction(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<TransactionPath>,
    ValidQuery(q): ValidQuery<TransactionQuery>,
) -> Result<Json<ApiTransactionLookupOut>> {
    let record = service::transaction(
        &state,
        &tenant,
        path.consumer_id,
        path.connection_id,
        q.client_request_id.clone(),
    )
    .await?;
    lookup_out(record, &q.client_request_id).map(Json)
}

fn lookup_out(r: TransactionRecord, client_request_id: &str) -> Result<ApiTransactionLookupOut> {
    let status_code = r.status_code.ok_or_else(|| crate::error::AppError::InProcess {
        client_request_id: client_request_id.to_owned(),
    })?;
    Ok(ApiTransactionLookupOut {
        created_on: r.created_at,
        method: r.method,
        route: r.route,
        status_code,
        created_entity_id: r.created_entity_id,
    })
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_connections, create_connection))
        .routes(routes!(get_connection, update_connection, delete_connection))
        .routes(routes!(get_transaction))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_credential_value() {
        let item = CredentialItem { key: "api_token".into(), value: "tok-s3cr3t".into() };
        let shown = format!("{item:?}");
        assert!(!shown.contains("s3cr3t") && shown.contains("api_token"), "{shown}");
    }
}
