//! `/openapi.json` and the Swagger UI at `/docs`, served from the binary (no network needed).

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("../../assets/swagger-ui/index.html");
const CSS: &str = include_str!("../../assets/swagger-ui/swagger-ui.css");
const BUNDLE: &str = include_str!("../../assets/swagger-ui/swagger-ui-bundle.js");

/// The docs routes over the spec rendered once at start-up.
pub fn router<S: Clone + Send + Sync + 'static>(spec: String) -> Router<S> {
    Router::new()
        .route(
            "/openapi.json",
            get(move || async move { ([(CONTENT_TYPE, "application/json")], spec) }),
        )
        .route("/docs", get(|| async { ([(CONTENT_TYPE, "text/html; charset=utf-8")], INDEX) }))
        .route("/docs/", get(|| async { ([(CONTENT_TYPE, "text/html; charset=utf-8")], INDEX) }))
        .route("/docs/swagger-ui.css", get(|| async { ([(CONTENT_TYPE, "text/css")], CSS) }))
        .route(
            "/docs/swagger-ui-bundle.js",
            get(|| async { ([(CONTENT_TYPE, "application/javascript")], BUNDLE).into_response() }),
        )
}
