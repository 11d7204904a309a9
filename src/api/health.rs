//! Operations: liveness (the process answers), readiness (the database does) and the
//! Prometheus metrics.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppError, ErrorBody, Result};
use crate::state::AppState;
use crate::telemetry::Metrics;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

fn ok() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "Operations", operation_id = "health_live",
    responses((status = 200, body = Health)), security())]
pub async fn live() -> Json<Health> {
    ok()
}

/// The process can serve: its database answers.
#[utoipa::path(get, path = "/health/ready", tag = "Operations", operation_id = "health_ready",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)), security())]
pub async fn ready(State(state): State<AppState>) -> Result<Response> {
    if state.draining.is_on() {
        // Every rollout goes through this: the usual 503 body, without the error log of a failure.
        let body = AppError::Unavailable("shutting down".into()).body();
        return Ok((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response());
    }
    state.store.ping().await.map_err(|e| AppError::Unavailable(format!("database: {e}")))?;
    Ok(ok().into_response())
}

/// `GET /metrics`.
pub async fn metrics_text(State(metrics): State<Metrics>) -> Response {
    match metrics.render() {
        Ok(text) => ([("content-type", "text/plain; version=0.0.4")], text).into_response(),
        Err(e) => AppError::Internal(format!("metrics encoding: {e}")).into_response(),
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live)).routes(routes!(ready))
}
