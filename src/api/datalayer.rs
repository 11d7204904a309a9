//! The data layer's surface: `enable_datalayer`, `refresh_datalayer` and `disable_datalayer` on
//! a connection, the `x-chift-datalayer` header on accounting reads (with the answer's
//! `x-chift-datalayer-*` headers), and MyUnisoft's webhook deliveries.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, SecondsFormat};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::connections::ConnectionItem;
use crate::api::extract::{ConsumerPath, ValidJson, ValidPath, Validate};
use crate::auth::tenant::TenantContext;
use crate::datalayer::metrics::Delivery;
use crate::datalayer::read;
use crate::datalayer::webhooks::{self, Refused};
use crate::domain::Invalid;
use crate::error::{AppError, ErrorBody, Result};
use crate::service::datalayer::{self as service, Asked, Info, Served, Status, Webhooks, Window};
use crate::state::AppState;
use crate::store::now_micros;

pub const HEADER: &str = "x-chift-datalayer";
pub const SOURCE: &str = "x-chift-datalayer-source";
pub const SYNCED_AT: &str = "x-chift-datalayer-synced-at";
pub const COVERED_FROM: &str = "x-chift-datalayer-covered-from";

/// `DatalayerInfo`: whether the connection's data layer can serve, and its last sync.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DatalayerInfo {
    /// `not_enabled`, `syncing`, `ready` or `stale` (the last sync failed).
    #[schema(schema_with = status_schema)]
    pub status: String,
    pub last_sync_date: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&Info> for DatalayerInfo {
    fn from(info: &Info) -> Self {
        Self { status: info.status.as_str().to_owned(), last_sync_date: info.last_sync }
    }
}

/// `DatalayerEnableBody` (optional): what to keep. Default: one year back, every folder.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatalayerEnableBody {
    /// First accounting date to keep (whole fiscal years are read from the one it falls in).
    pub from_date: Option<NaiveDate>,
    /// Keep this many fiscal years before the current one.
    pub fiscal_years_back: Option<u32>,
    /// Keep every fiscal year.
    #[serde(default)]
    pub full_history: bool,
    /// `{"folder_ids": ["…"]}`: the folders to keep (firm tokens); every reachable one when absent.
    pub entity_filter: Option<BTreeMap<String, Vec<String>>>,
}

impl Validate for DatalayerEnableBody {
    fn validate(&self) -> std::result::Result<(), Invalid> {
        Ok(())
    }
}

/// `DatalayerRefreshBody` (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatalayerRefreshBody {
    /// Accepted for compatibility: a refresh always re-reads the kept window.
    pub force_from_date: Option<NaiveDate>,
}

impl Validate for DatalayerRefreshBody {
    fn validate(&self) -> std::result::Result<(), Invalid> {
        Ok(())
    }
}

/// Chift's `DatalayerStatus` enum.
fn status_schema() -> utoipa::openapi::schema::Object {
    let all = [Status::NotEnabled, Status::Syncing, Status::Ready, Status::Stale];
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(all.map(Status::as_str)))
        .build()
}

/// `TriggerResponse`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TriggerResponse {
    pub status: String,
    pub message: String,
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// `{consumer_id}/connections/{connection_id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DatalayerPath {
    pub consumer_id: Uuid,
    pub connection_id: Uuid,
}

/// Enable the data layer on a connection: its books are kept in Passerelle's database, first
/// read at once (reads with `x-chift-datalayer: true` answer 409 `ERROR_DATALAYER_SYNC_PENDING`
/// until that is done), then kept fresh by syncs and by MyUnisoft's webhooks.
#[utoipa::path(post, path = "/consumers/{consumer_id}/connections/{connection_id}/enable_datalayer",
    tag = "Connections", operation_id = "datalayer_enable", params(DatalayerPath),
    request_body(content = Option<DatalayerEnableBody>),
    responses((status = 200, body = DatalayerInfo), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn enable_datalayer(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<DatalayerPath>,
    ValidJson(body): ValidJson<DatalayerEnableBody>,
) -> Result<Json<DatalayerInfo>> {
    let window = Window {
        from_date: body.from_date,
        fiscal_years_back: body.fiscal_years_back,
        full_history: body.full_history,
        entity_filter: body.entity_filter,
    };
    let info =
        service::enable(&state, &tenant, path.consumer_id, path.connection_id, &window).await?;
    Ok(Json(DatalayerInfo::from(&info)))
}

/// Sync the connection's data layer now.
#[utoipa::path(post, path = "/consumers/{consumer_id}/connections/{connection_id}/refresh_datalayer",
    tag = "Connections", operation_id = "datalayer_refresh", params(DatalayerPath),
    request_body(content = Option<DatalayerRefreshBody>),
    responses((status = 200, body = TriggerResponse), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn refresh_datalayer(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<DatalayerPath>,
    ValidJson(_body): ValidJson<DatalayerRefreshBody>,
) -> Result<Json<TriggerResponse>> {
    let id = path.connection_id;
    if !service::refresh(&state, &tenant, path.consumer_id, id).await? {
        return Err(AppError::DatalayerNotEnabled { connection: id.to_string() });
    }
    Ok(Json(TriggerResponse {
        status: "triggered".into(),
        message: format!("a sync of connection {id} is due now"),
        data: None,
    }))
}

/// Disable the connection's data layer; everything stored for it is dropped.
#[utoipa::path(post, path = "/consumers/{consumer_id}/connections/{connection_id}/disable_datalayer",
    tag = "Connections", operation_id = "datalayer_disable", params(DatalayerPath),
    responses((status = 204), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn disable_datalayer(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<DatalayerPath>,
) -> Result<StatusCode> {
    service::disable(&state, &tenant, path.consumer_id, path.connection_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A MyUnisoft webhook delivery: signed with the partner key; each relevant event makes the
/// connections reaching its folder due for a sync. 204 once accepted (or already seen), 401
/// when forged or stale, 413 when larger than 256 KiB, 422 when not an array of events.
#[utoipa::path(post, path = "/myunisoft/webhooks", tag = "Webhooks",
    operation_id = "myunisoft_webhook",
    request_body(content = Vec<serde_json::Value>, description = "MyUnisoft events, signed with the `date` and `signature` headers"),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn myunisoft_webhook(
    State(state): State<AppState>,
    request: Request,
) -> Result<StatusCode> {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let key = state.webhook_key.expose_secret().as_bytes();
    let now_ms = now_micros() / 1000;
    // Nothing is read of an unsigned, stale or oversized delivery.
    let checked = match webhooks::precheck(text("date"), text("signature"), now_ms) {
        Ok(()) => match read_limited(&headers, body).await {
            Ok(body) => webhooks::verify(key, &body, text("date"), text("signature"), now_ms)
                .and_then(|()| webhooks::refreshes(&body)),
            Err(too_large) => return Err(too_large),
        },
        Err(refused) => Err(refused),
    };
    let refreshes = match checked {
        Ok(refreshes) => refreshes,
        Err(refused) => {
            let outcome = match refused {
                Refused::BadSignature => Delivery::BadSignature,
                Refused::Stale => Delivery::Stale,
                Refused::Malformed => Delivery::Malformed,
            };
            state.datalayer_metrics.webhook(outcome);
            tracing::warn!(reason = %refused, "webhook delivery refused");
            return Err(match refused {
                Refused::Malformed => Invalid::body("body", refused.to_string()).into(),
                _ => AppError::Unauthenticated,
            });
        }
    };
    let signature = text("signature").unwrap_or_default().trim().to_ascii_lowercase();
    if !service::delivery(&state, &signature, &refreshes).await? {
        state.datalayer_metrics.webhook(Delivery::Duplicate);
        return Ok(StatusCode::NO_CONTENT);
    }
    state.datalayer_metrics.webhook(Delivery::Accepted);
    Ok(StatusCode::NO_CONTENT)
}

/// The largest MyUnisoft delivery read: a batch of events, each a few hundred bytes.
pub const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

/// The body, refused unread when its `content-length` says it is larger than
/// [`WEBHOOK_BODY_LIMIT`] (and cut short when it grows past it).
async fn read_limited(headers: &HeaderMap, body: Body) -> Result<Bytes> {
    let too_large = AppError::BodyTooLarge { limit: WEBHOOK_BODY_LIMIT };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > WEBHOOK_BODY_LIMIT as u64) {
        return Err(too_large);
    }
    axum::body::to_bytes(body, WEBHOOK_BODY_LIMIT).await.map_err(|_| too_large)
}

/// Tells a connection's data-layer state: its `datalayer` (`DatalayerInfo`) and, when enabled,
/// `data.datalayer` (see [`connection_state`]).
pub async fn describe(state: &AppState, item: &mut ConnectionItem) -> Result<()> {
    let info = service::info(state, item.connectionid).await?;
    item.datalayer = Some(DatalayerInfo::from(&info));
    if info.status == Status::NotEnabled {
        return Ok(());
    }
    if let Some(serde_json::Value::Object(data)) = item.data.as_mut() {
        data.insert("datalayer".into(), connection_state(&info, state.datalayer_interval));
    }
    Ok(())
}

/// What the connection's data says of its data layer: the last sync's error (and when it
/// failed), whether MyUnisoft's webhooks tell it of changes (`subscribed`; `refused`, with
/// MyUnisoft's reason in `webhooks_refused`; `not_offered` to society tokens) and how often it
/// polls.
fn connection_state(info: &Info, interval: std::time::Duration) -> serde_json::Value {
    let mut state = serde_json::json!({
        "last_error": info.last_error,
        "last_error_at": info.last_error_at,
        "webhooks": info.webhooks.as_str(),
        "polling_interval_secs": interval.as_secs(),
    });
    if let Webhooks::Refused(reason) = &info.webhooks {
        state["webhooks_refused"] = reason.as_str().into();
    }
    state
}

fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

/// Middleware on every route: an accounting read sent with `x-chift-datalayer` is served from
/// the store (or live, for `if_available` before the first sync), and says so in its headers.
pub async fn reads(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let asked = match request.headers().get(HEADER).map(|v| v.to_str().map(str::trim)) {
        None => return next.run(request).await,
        Some(Ok(v)) if v.eq_ignore_ascii_case("true") => Asked::Required,
        Some(Ok(v)) if v.eq_ignore_ascii_case("if_available") => Asked::IfAvailable,
        Some(Ok(v)) if v.eq_ignore_ascii_case("false") || v.is_empty() => {
            return next.run(request).await
        }
        Some(_) => {
            let rule = "must be true, false or if_available";
            return AppError::from(Invalid::header(HEADER, rule)).into_response();
        }
    };
    let accounting = request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|p| p.as_str().starts_with("/consumers/{consumer_id}/accounting/"));
    // Writes always go live.
    if !accounting || request.method() != Method::GET {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let decided = async {
        let tenant = TenantContext::from_request_parts(&mut parts, &state).await?;
        let ValidPath(path) =
            ValidPath::<ConsumerPath>::from_request_parts(&mut parts, &state).await?;
        let connection = parts
            .headers
            .get("x-chift-connectionid")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v.trim()).ok());
        service::serve(&state, &tenant, path.consumer_id, connection, asked).await
    };
    let served = match decided.await {
        Ok(served) => served,
        Err(e @ (AppError::DatalayerSyncPending { .. } | AppError::DatalayerNotEnabled { .. })) => {
            return e.into_response()
        }
        // The handler answers the same error (authentication, unknown consumer…).
        Err(_) => Served::Live,
    };
    let request = Request::from_parts(parts, body);
    let (mut response, source, info) = match served {
        Served::Live => (next.run(request).await, read::Source::Classic, None),
        Served::Stored { plan, info } => {
            let response = read::within(plan.clone(), next.run(request)).await;
            (response, plan.source(), Some(info))
        }
    };
    let headers = response.headers_mut();
    if let Some(v) = header_value(source.as_str()) {
        headers.insert(SOURCE, v);
    }
    if let Some(info) = info {
        let synced = info.last_sync.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        if let Some(v) = synced.as_deref().and_then(header_value) {
            headers.insert(SYNCED_AT, v);
        }
        let covered = info.covered_from.map(|d| d.to_string());
        if let Some(v) = covered.as_deref().and_then(header_value) {
            headers.insert(COVERED_FROM, v);
        }
    }
    response
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enable_datalayer))
        .routes(routes!(refresh_datalayer))
        .routes(routes!(disable_datalayer))
        .routes(routes!(myunisoft_webhook))
}
