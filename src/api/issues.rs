//! `/issues`: the account's failing connections (and webhooks), per Chift's issues API. An issue
//! groups the failures of one connection with one error code; it counts them while open and
//! closes at the connection's next success.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::extract::{ValidPath, ValidQuery};
use crate::auth::tenant::TenantContext;
use crate::domain::{Invalid, Resource};
use crate::error::{AnsweredError, AppError, ErrorBody, ErrorCode, Result};
use crate::service::accounting::Context;
use crate::state::AppState;
use crate::store::{Issue, IssueFilter, Occurrence, Store};
use crate::webhooks::issues;

/// The most issues one `GET /issues` answers (most recently seen first).
const MAX_ISSUES: u32 = 500;

/// `ErrorInfo`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorInfo {
    pub error_code: String,
    pub status: String,
    pub title: String,
    pub description: String,
}

/// `IssueItem`, plus `status` (`open` or `closed`).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueItem {
    pub id: String,
    pub consumer_id: String,
    /// The connection that failed (the webhook, for delivery failures).
    pub connection_id: String,
    pub integration_id: i64,
    pub integration_name: String,
    pub created_on: DateTime<Utc>,
    pub updated_on: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub error: ErrorInfo,
    pub occurrences: i64,
    pub level: IssueLevel,
    pub status: IssueStatus,
}

/// `IssueEvent`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueEvent {
    pub id: String,
    pub execution_id: String,
    pub created_on: DateTime<Utc>,
    pub context: Option<Value>,
    pub message: Option<String>,
}

/// `ExtendedIssueItem`: the issue and its latest occurrences (at most 50), newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtendedIssueItem {
    #[serde(flatten)]
    pub issue: IssueItem,
    pub events: Vec<IssueEvent>,
}

/// `IssueLevel`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IssueLevel {
    Error,
    Warning,
}

/// `IssueStatus`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IssueStatus {
    Open,
    Closed,
    #[default]
    All,
}

impl From<Issue> for IssueItem {
    fn from(i: Issue) -> Self {
        Self {
            id: i.id.to_string(),
            consumer_id: i.consumer_id,
            connection_id: i.subject.to_string(),
            integration_id: i.integration_id,
            integration_name: if i.integration_id == 0 { "Webhooks" } else { "MyUnisoft" }.into(),
            created_on: i.created_at,
            updated_on: i.updated_at,
            last_seen: i.last_seen,
            error: ErrorInfo {
                error_code: i.error_code,
                status: i.http_status,
                title: i.title,
                description: i.description,
            },
            occurrences: i.occurrences,
            level: if i.level == "warning" { IssueLevel::Warning } else { IssueLevel::Error },
            status: if i.status == "open" { IssueStatus::Open } else { IssueStatus::Closed },
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IssuesQuery {
    /// Issues opened on this day (UTC).
    pub created_on: Option<NaiveDate>,
    /// Issues last seen on this day (UTC).
    pub last_seen_on: Option<NaiveDate>,
    pub error_code: Option<String>,
    #[serde(default)]
    pub status: IssueStatus,
    pub level: Option<IssueLevel>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IssuePath {
    pub issue_id: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IssueQuery {
    /// Accepted for Chift's SDK; every kept event is answered.
    pub last_execution_only: Option<bool>,
}

/// The account's issues, most recently seen first (at most 500).
#[utoipa::path(get, path = "/issues", tag = "Issues", operation_id = "issues_get_issues",
    params(IssuesQuery),
    responses((status = 200, body = Vec<IssueItem>), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn list(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidQuery(q): ValidQuery<IssuesQuery>,
) -> Result<Json<Vec<IssueItem>>> {
    let filter = IssueFilter {
        created_on: q.created_on,
        last_seen_on: q.last_seen_on,
        error_code: q.error_code,
        status: match q.status {
            IssueStatus::Open => Some("open"),
            IssueStatus::Closed => Some("closed"),
            IssueStatus::All => None,
        },
        level: q.level.map(|l| match l {
            IssueLevel::Error => "error",
            IssueLevel::Warning => "warning",
        }),
    };
    let issues = state.store.issues().list(tenant.account_id, &filter, MAX_ISSUES).await?;
    Ok(Json(issues.into_iter().map(Into::into).collect()))
}

/// One issue of the account with its latest occurrences.
#[utoipa::path(get, path = "/issues/{issue_id}", tag = "Issues", operation_id = "issues_get_issue",
    params(IssuePath, IssueQuery),
    responses((status = 200, body = ExtendedIssueItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<IssuePath>,
    ValidQuery(_q): ValidQuery<IssueQuery>,
) -> Result<Json<ExtendedIssueItem>> {
    let id = Uuid::parse_str(&path.issue_id)
        .map_err(|_| Invalid::path("issue_id", "must be an issue id from GET /issues"))?;
    let not_found = || AppError::NotFound { resource: Resource::Issue, id: path.issue_id.clone() };
    let issue = state.store.issues().find(tenant.account_id, id).await?.ok_or_else(not_found)?;
    let events = state.store.issues().events(id).await?;
    let events = events
        .into_iter()
        .map(|e| IssueEvent {
            id: e.id.to_string(),
            execution_id: e.execution_id,
            created_on: e.created_at,
            context: e.context,
            message: e.message,
        })
        .collect();
    Ok(Json(ExtendedIssueItem { issue: issue.into(), events }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(get_one))
}

/// The connection an accounting request was served by, noted by its extractor for [`watch`].
#[derive(Debug, Clone, Default)]
pub struct Watched(Arc<Mutex<Option<Subject>>>);

#[derive(Debug, Clone)]
struct Subject {
    store: Store,
    account: Uuid,
    consumer: Uuid,
    connection: Uuid,
    integration: i64,
}

impl Watched {
    /// Notes the request's connection (when [`watch`] runs around it).
    pub fn note(parts: &Parts, state: &AppState, tenant: &TenantContext, ctx: &Context) {
        if let Some(slot) = parts.extensions.get::<Watched>() {
            let subject = Subject {
                store: state.store.clone(),
                account: tenant.account_id,
                consumer: ctx.consumer,
                connection: ctx.connection.id,
                integration: ctx.connection.kind.integration_id(),
            };
            *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(subject);
        }
    }

    fn take(&self) -> Option<Subject> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The error codes that open issues: the connector refused the credentials or the configuration,
/// was unreachable, or answered what cannot be read. Their level.
fn issue_level(code: ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::ErrorConnectorAuthentication | ErrorCode::ErrorConnectorConfiguration => {
            Some("error")
        }
        ErrorCode::ErrorConnectorUnavailable | ErrorCode::ErrorTechnicalMapping => Some("warning"),
        _ => None,
    }
}

/// Codes named in `x-chift-ignored-error-codes` (comma-separated; at most 32 are read).
fn ignored_codes(headers: &HeaderMap) -> Vec<String> {
    let text = headers.get("x-chift-ignored-error-codes").and_then(|v| v.to_str().ok());
    text.map(|t| t.split(',').map(|c| c.trim().to_owned()).take(32).collect()).unwrap_or_default()
}

/// Longest client `x-request-id` kept as an issue event's `execution_id`.
const MAX_REQUEST_ID: usize = 128;

/// Whether a client's `x-request-id` is kept as is: at most [`MAX_REQUEST_ID`] letters, digits,
/// `-`, `_`, `.` or `:`. Any other is replaced by a new id.
fn is_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Middleware of the accounting routes: a connector failure counts in the connection's issue for
/// its code (unless the request ignores that code); a success closes the connection's issues.
pub async fn watch(mut req: Request, next: Next) -> Response {
    let ignored = ignored_codes(req.headers());
    let execution = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|id| is_request_id(id))
        .map_or_else(|| Uuid::new_v4().to_string(), str::to_owned);
    let slot = Watched::default();
    req.extensions_mut().insert(slot.clone());
    let res = next.run(req).await;
    let Some(subject) = slot.take() else { return res };
    if res.status().is_success() {
        issues::resolved(&subject.store, subject.account, subject.connection).await;
        return res;
    }
    let Some(error) = res.extensions().get::<AnsweredError>() else { return res };
    let Some(level) = issue_level(error.code) else { return res };
    let code = error.code.name();
    if ignored.contains(&code) {
        return res;
    }
    let occurrence = Occurrence {
        account: subject.account,
        consumer: Some(subject.consumer),
        subject: subject.connection,
        integration_id: subject.integration,
        error_code: code,
        http_status: res.status().as_u16(),
        title: res.status().canonical_reason().unwrap_or("error").to_owned(),
        description: error.message.clone(),
        level,
        execution_id: execution,
        context: None,
    };
    issues::record(&subject.store, &occurrence).await;
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_kept_only_when_short_and_plain() {
        assert!(is_request_id("3f2c9a1e-0b7d-4c55-9a43-6c1d2e8f7a10"));
        assert!(is_request_id("req_42.retry:1"));
        assert!(is_request_id(&"a".repeat(MAX_REQUEST_ID)));
        assert!(!is_request_id(&"a".repeat(MAX_REQUEST_ID + 1)));
        assert!(!is_request_id(""));
        assert!(!is_request_id("a b"));
        assert!(!is_request_id("<script>"));
    }
}
