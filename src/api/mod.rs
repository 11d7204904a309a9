//! The HTTP API: one router per resource family, joined here with the OpenAPI document.

pub mod accounting;
pub mod connections;
pub mod consumers;
pub mod datalayer;
pub mod detach;
pub mod docs;
pub mod extract;
pub mod health;
pub mod integrations;
pub mod token;

use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Passerelle",
        description = "Chift-compatible unified accounting API. Get a token with `POST /token`, \
                       then call every other route with `Authorization: Bearer <token>`. Every \
                       error answer is `{\"status\":\"error\",\"message\",\"error_code\",\"detail\"}`."
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
    }
}

fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(token::router())
        .merge(consumers::router())
        .merge(connections::router())
        .merge(datalayer::router())
        .merge(integrations::router())
        .merge(accounting::router())
        .merge(health::router())
}

/// The OpenAPI document generated from the handlers (committed as `openapi/openapi.json`).
pub fn openapi() -> OpenApiDoc {
    documented().split_for_parts().1
}

/// Every route: the documented API, `/metrics`, `/openapi.json`, `/docs` and the connect page.
pub fn router(state: AppState) -> Router {
    let (api, spec) = documented().split_for_parts();
    let api = api.layer(axum::middleware::from_fn_with_state(state.clone(), datalayer::reads));
    let spec = spec.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    api.route("/metrics", get(health::metrics_text))
        .merge(docs::router(spec))
        .merge(crate::connect::router())
        .with_state(state)
}
