//! The HTTP API: one router per resource family, joined here with the OpenAPI document.

pub mod accounting;
pub mod connections;
pub mod consumers;
pub mod contract;
pub mod datalayer;
pub mod detach;
pub mod docs;
pub mod extract;
pub mod health;
pub mod integrations;
pub mod issues;
pub mod token;
pub mod webhooks;

use axum::routing::get;
use axum::Router;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;
use webhooks::EventDocs;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Passerelle",
        description = "Chift-compatible unified accounting API. Get a token with `POST /token`, \
                       then call every other route with `Authorization: Bearer <token>`. Every \
                       error answer is `{\"status\":\"error\",\"message\",\"error_code\",\"detail\"}`."
    ),
    modifiers(&EventDocs),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(token::router())
        .merge(consumers::router())
        .merge(connections::router())
        .merge(datalayer::router())
        .merge(integrations::router())
        .merge(accounting::router())
        .merge(webhooks::router())
        .merge(issues::router())
        .merge(health::router())
}

/// The OpenAPI document generated from the handlers (committed as `openapi/openapi.json`).
pub fn openapi() -> OpenApiDoc {
    let mut doc = documented().split_for_parts().1;
    contract::apply(&mut doc);
    doc
}

/// Every route: the documented API, `/metrics`, `/openapi.json`, `/docs` and the connect page.
pub fn router(state: AppState) -> Router {
    let (api, mut spec) = documented().split_for_parts();
    contract::apply(&mut spec);
    let api = api.layer(axum::middleware::from_fn_with_state(state.clone(), datalayer::reads));
    let spec = spec.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    api.route("/metrics", get(health::metrics_text))
        .merge(docs::router(spec))
        .merge(crate::connect::router())
        .with_state(state)
}
