//! `/webhooks`: Chift's webhook subscriptions of the calling account, and the log of their
//! deliveries. Each account sees and changes only its own.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::accounting::Pagination;
use crate::api::extract::{max_chars, ValidJson, ValidPath, ValidQuery, Validate};
use crate::auth::tenant::TenantContext;
use crate::domain::{Invalid, Resource};
use crate::error::{AppError, ErrorBody, Result};
use crate::state::AppState;
use crate::store::{DeliveryLog, NewWebhook, StoreError, Webhook, WebhookPatch, WebhookStatus};
use crate::webhooks::{events, guard};

/// Webhooks one account may have (each event fans out to all of its subscriptions).
const MAX_WEBHOOKS: i64 = 100;

/// `WebhookItem`: an event a webhook can subscribe to.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookItem {
    pub event: String,
    pub api: Option<String>,
}

/// `Status`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Inactive,
}

impl From<Status> for WebhookStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Active => WebhookStatus::Active,
            Status::Inactive => WebhookStatus::Inactive,
        }
    }
}

impl From<WebhookStatus> for Status {
    fn from(s: WebhookStatus) -> Self {
        match s {
            WebhookStatus::Active => Status::Active,
            WebhookStatus::Inactive => Status::Inactive,
        }
    }
}

/// `WebhookInstancePostItem`, plus `thin` (Passerelle): accounting events carry the record's id
/// only, not the record.
// No `Debug`: it holds the signing secret.
#[derive(Deserialize, ToSchema)]
pub struct WebhookInstancePostItem {
    #[schema(max_length = 80)]
    pub event: String,
    #[schema(max_length = 500)]
    pub url: String,
    /// Key of the `X-Chift-Signature` HMAC; never answered. Without one, deliveries are unsigned.
    #[schema(max_length = 100)]
    pub signingsecret: Option<String>,
    pub integrationid: Option<i64>,
    #[serde(default)]
    pub thin: bool,
}

/// `WebhookInstancePatchItem`: absent fields keep their value; `status: active` re-enables a
/// webhook turned off after failing deliveries.
// No `Debug`: it holds the signing secret.
#[derive(Deserialize, ToSchema)]
pub struct WebhookInstancePatchItem {
    pub status: Option<Status>,
    #[schema(max_length = 500)]
    pub url: Option<String>,
    #[schema(max_length = 100)]
    pub signingsecret: Option<String>,
}

/// `WebhookInstanceGetItem` (the signing secret is never answered).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookInstanceGetItem {
    pub webhookid: Uuid,
    pub accountid: Uuid,
    pub createdby: Option<Uuid>,
    pub createdon: DateTime<Utc>,
    pub event: String,
    pub url: String,
    pub status: Status,
    pub integrationid: Option<i64>,
}

impl From<Webhook> for WebhookInstanceGetItem {
    fn from(w: Webhook) -> Self {
        Self {
            webhookid: w.id,
            accountid: w.account_id,
            createdby: None,
            createdon: w.created_at,
            event: w.event,
            url: w.url,
            status: w.status.into(),
            integrationid: w.integration_id,
        }
    }
}

/// `WebhookLogItem`, plus the attempt's number, duration and error (Passerelle).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookLogItem {
    pub webhooklogid: Uuid,
    pub webhookid: Uuid,
    pub event: String,
    pub url: String,
    pub accountid: String,
    pub createdon: DateTime<Utc>,
    /// The receiver's status; 0 when it gave none (unreachable, refused address, timeout).
    pub httpstatus: i64,
    pub integrationid: Option<i64>,
    /// The delivery's `X-Passerelle-Event-Id`.
    pub eventid: Uuid,
    /// 1 for the first attempt of a delivery.
    pub attempt: i64,
    pub duration_ms: i64,
    pub error: Option<String>,
}

impl From<DeliveryLog> for WebhookLogItem {
    fn from(l: DeliveryLog) -> Self {
        Self {
            webhooklogid: l.id,
            webhookid: l.webhook_id,
            event: l.event,
            url: l.url,
            accountid: l.account_id.to_string(),
            createdon: l.created_at,
            httpstatus: l.http_status,
            integrationid: None,
            eventid: l.event_id,
            attempt: l.attempt,
            duration_ms: l.duration_ms,
            error: l.error,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookPath {
    pub webhookid: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    pub status: Option<Status>,
}

/// Pages of `GET /webhooks/{webhookid}/logs`, newest attempt first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogsQuery {
    /// From 1 (default 1).
    pub page: Option<u32>,
    /// 1 to 100 (default 50).
    pub size: Option<u32>,
}

impl Validate for WebhookInstancePostItem {
    fn validate(&self) -> Result<(), Invalid> {
        max_chars("event", Some(&self.event), 80)?;
        max_chars("url", Some(&self.url), 500)?;
        max_chars("signingsecret", self.signingsecret.as_deref(), 100)?;
        if !events::catalogue().iter().any(|(e, _)| *e == self.event) {
            return Err(Invalid::body("event", "unknown event; GET /webhooks/list lists them"));
        }
        Ok(())
    }
}

impl Validate for WebhookInstancePatchItem {
    fn validate(&self) -> Result<(), Invalid> {
        max_chars("url", self.url.as_deref(), 500)?;
        max_chars("signingsecret", self.signingsecret.as_deref(), 100)
    }
}

async fn checked_url(state: &AppState, url: &str) -> Result<String> {
    guard::check(url, state.webhooks.allow_private)
        .await
        .map(|_| url.to_owned())
        .map_err(|refused| Invalid::body("url", refused.0).into())
}

fn not_found(id: Uuid) -> AppError {
    AppError::NotFound { resource: Resource::Webhook, id: id.to_string() }
}

fn duplicate(e: StoreError, event: &str) -> AppError {
    match e {
        StoreError::Conflict(_) => Invalid::body(
            "url",
            format!("this account already has a webhook for {event} to this URL"),
        )
        .into(),
        other => other.into(),
    }
}

/// The events a webhook can subscribe to.
#[utoipa::path(get, path = "/webhooks/list", tag = "Webhooks",
    operation_id = "webhooks_get_webhook_types",
    responses((status = 200, body = Vec<WebhookItem>), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn list_types(_tenant: TenantContext) -> Json<Vec<WebhookItem>> {
    let items = events::catalogue()
        .into_iter()
        .map(|(event, api)| WebhookItem { event, api: api.map(str::to_owned) });
    Json(items.collect())
}

/// Subscribe a URL to an event. The URL must be https and resolve to public addresses only.
#[utoipa::path(post, path = "/webhooks", tag = "Webhooks",
    operation_id = "webhooks_create_webhook", request_body = WebhookInstancePostItem,
    responses((status = 200, body = WebhookInstanceGetItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidJson(body): ValidJson<WebhookInstancePostItem>,
) -> Result<Json<WebhookInstanceGetItem>> {
    if state.store.webhooks().count(tenant.account_id).await? >= MAX_WEBHOOKS {
        let rule = format!("an account has at most {MAX_WEBHOOKS} webhooks; delete one first");
        return Err(Invalid::body("event", rule).into());
    }
    let url = checked_url(&state, &body.url).await?;
    let new = NewWebhook {
        event: body.event,
        url,
        secret: body.signingsecret,
        integration_id: body.integrationid,
        thin: body.thin,
    };
    let hook = state
        .store
        .webhooks()
        .insert(&state.keyring, tenant.account_id, &new)
        .await
        .map_err(|e| duplicate(e, &new.event))?;
    tracing::info!(webhook.id = %hook.id, event = %hook.event, "webhook subscribed");
    Ok(Json(hook.into()))
}

/// The account's webhooks.
#[utoipa::path(get, path = "/webhooks", tag = "Webhooks", operation_id = "webhooks_get_webhooks",
    params(StatusQuery),
    responses((status = 200, body = Vec<WebhookInstanceGetItem>), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn list(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidQuery(q): ValidQuery<StatusQuery>,
) -> Result<Json<Vec<WebhookInstanceGetItem>>> {
    let hooks = state.store.webhooks().list(tenant.account_id, q.status.map(Into::into)).await?;
    Ok(Json(hooks.into_iter().map(Into::into).collect()))
}

/// One webhook of the account; another account's is a 404.
#[utoipa::path(get, path = "/webhooks/{webhookid}", tag = "Webhooks",
    operation_id = "webhooks_get_webhook", params(WebhookPath),
    responses((status = 200, body = WebhookInstanceGetItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<WebhookPath>,
) -> Result<Json<WebhookInstanceGetItem>> {
    let hook = state.store.webhooks().find(tenant.account_id, path.webhookid).await?;
    Ok(Json(hook.ok_or_else(|| not_found(path.webhookid))?.into()))
}

/// Change a webhook's status, URL or signing secret.
#[utoipa::path(patch, path = "/webhooks/{webhookid}", tag = "Webhooks",
    operation_id = "webhooks_update_webhook", params(WebhookPath),
    request_body = WebhookInstancePatchItem,
    responses((status = 200, body = WebhookInstanceGetItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn update(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<WebhookPath>,
    ValidJson(body): ValidJson<WebhookInstancePatchItem>,
) -> Result<Json<WebhookInstanceGetItem>> {
    let url = match body.url {
        Some(url) => Some(checked_url(&state, &url).await?),
        None => None,
    };
    let patch =
        WebhookPatch { status: body.status.map(Into::into), url, secret: body.signingsecret };
    let hook = state
        .store
        .webhooks()
        .update(&state.keyring, tenant.account_id, path.webhookid, &patch)
        .await
        .map_err(|e| duplicate(e, "its event"))?
        .ok_or_else(|| not_found(path.webhookid))?;
    if patch.status == Some(WebhookStatus::Active) {
        crate::webhooks::outbox::wake();
    }
    Ok(Json(hook.into()))
}

/// Delete a webhook with its logs and undelivered events.
#[utoipa::path(delete, path = "/webhooks/{webhookid}", tag = "Webhooks",
    operation_id = "webhooks_delete_webhook", params(WebhookPath),
    responses((status = 204), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<WebhookPath>,
) -> Result<StatusCode> {
    if !state.store.webhooks().delete(tenant.account_id, path.webhookid).await? {
        return Err(not_found(path.webhookid));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The webhook's delivery attempts, newest first, paged.
#[utoipa::path(get, path = "/webhooks/{webhookid}/logs", tag = "Webhooks",
    operation_id = "webhooks_get_webhook_logs", params(WebhookPath, LogsQuery),
    responses((status = 200, body = Vec<WebhookLogItem>), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn logs(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<WebhookPath>,
    ValidQuery(q): ValidQuery<LogsQuery>,
) -> Result<Json<Vec<WebhookLogItem>>> {
    let page = Pagination::new(q.page, q.size)?;
    let hooks = state.store.webhooks();
    hooks
        .find(tenant.account_id, path.webhookid)
        .await?
        .ok_or_else(|| not_found(path.webhookid))?;
    let logs = hooks.logs(tenant.account_id, path.webhookid, page.page, page.size).await?;
    Ok(Json(logs.into_iter().map(Into::into).collect()))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_types))
        .routes(routes!(create, list))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(logs))
}

/// The body of `account.connection.created|updated|deleted`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionEventBody {
    pub accountid: Uuid,
    pub event: String,
    pub consumerid: Uuid,
    /// Unix time in seconds.
    pub created: i64,
    pub connectionid: Uuid,
    /// `active` (the connection's status).
    pub status: String,
    pub integrationid: i64,
}

/// The body of `account.issue.created`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueCreatedEventBody {
    pub accountid: Uuid,
    pub event: String,
    /// Null for a webhook's delivery issue.
    pub consumerid: Option<Uuid>,
    pub created: i64,
    pub issueid: Uuid,
    /// The failing connection (the webhook, for delivery failures).
    pub connectionid: Uuid,
    pub error_code: String,
    /// `error` or `warning`.
    pub level: String,
}

/// The body of `account.datalayer.refresh_executed`: a sync run of the connection's data layer
/// ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatalayerEventBody {
    pub accountid: Uuid,
    pub event: String,
    pub consumerid: Uuid,
    pub created: i64,
    pub connectionid: Uuid,
    /// `ok`, or `failed` (the failure is also counted in the connection's issue
    /// `ERROR_DATALAYER_SYNC`).
    pub status: String,
    /// Why the run failed; null when it succeeded.
    pub error: Option<String>,
}

/// The body of `accounting.<record>.<change>` (Passerelle's events; Chift has none): a record of
/// the connection's folder created, changed or deleted, through Passerelle or in the software.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordEventBody {
    pub accountid: Uuid,
    pub event: String,
    pub consumerid: Uuid,
    pub created: i64,
    pub connectionid: Uuid,
    pub folder_id: Option<String>,
    /// `client`, `supplier`, `journal_entry`, `invoice`, `analytic_account`, `account`, `bookyear`.
    pub record_type: String,
    pub record_id: String,
    /// `created`, `updated` (a book year's closing, an invoice's payment status) or `deleted`.
    pub change: String,
    /// The record as the API answers it (`GET` of its route). Absent from thin subscriptions'
    /// events and from deletions.
    pub record: Option<serde_json::Value>,
}

/// The OpenAPI 3.1 `webhooks` section: every event, its body and its headers.
pub struct EventDocs;

impl utoipa::Modify for EventDocs {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::PartialSchema;
        let components = openapi.components.get_or_insert_with(Default::default);
        let bodies = [
            ("ConnectionEventBody", ConnectionEventBody::schema()),
            ("IssueCreatedEventBody", IssueCreatedEventBody::schema()),
            ("DatalayerEventBody", DatalayerEventBody::schema()),
            ("RecordEventBody", RecordEventBody::schema()),
        ];
        for (name, schema) in bodies {
            components.schemas.insert(name.to_owned(), schema);
        }
        let mut section = serde_json::Map::new();
        for (event, _) in events::catalogue() {
            let body = match event.as_str() {
                events::ISSUE_CREATED => "IssueCreatedEventBody",
                events::DATALAYER_REFRESHED => "DatalayerEventBody",
                e if e.starts_with("account.connection.") => "ConnectionEventBody",
                _ => "RecordEventBody",
            };
            let header = |name: &str, text: &str| {
                serde_json::json!({"name": name, "in": "header", "required": true,
                    "description": text, "schema": {"type": "string"}})
            };
            let operation = serde_json::json!({"post": {
                "summary": format!("`{event}`, POSTed to the URL of each active subscription"),
                "description": "Delivered at least once, in order per (webhook, record), retried \
                    with exponential backoff and jitter (30 s doubling up to 6 h) until accepted \
                    with a 2xx; a webhook failing for 24 h is turned off (PATCH status=active \
                    turns it on). Redirects are not followed; the answer's body is ignored.",
                "parameters": [
                    header("X-Chift-Signature", "Lower-case hex HMAC-SHA256 of the body with the \
                        webhook's signing secret (absent when it has none)."),
                    header("X-Passerelle-Event-Id", "The delivery's id, the same on every attempt: \
                        deduplicate on it."),
                    header("X-Passerelle-Timestamp", "Unix seconds of this attempt: refuse old \
                        replays."),
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema":
                    {"$ref": format!("#/components/schemas/{body}")}}}},
                "responses": {"200": {"description": "Any 2xx acknowledges the delivery."}},
                "tags": ["Webhooks"],
            }});
            section.insert(event, operation);
        }
        let extensions = openapi.extensions.get_or_insert_with(Default::default);
        extensions.insert("webhooks".to_owned(), serde_json::Value::Object(section));
    }
}
