//! `/openapi.json` and the Swagger UI at `/docs`, served from the binary (no network needed) under
//! a Content-Security-Policy that lets the page load its own files only: no inline script, no
//! other origin.

use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

const INDEX: &str = include_str!("../../assets/swagger-ui/index.html");
const CSS: &str = include_str!("../../assets/swagger-ui/swagger-ui.css");
const BUNDLE: &str = include_str!("../../assets/swagger-ui/swagger-ui-bundle.js");
const INITIALIZER: &str = include_str!("../../assets/swagger-ui/swagger-initializer.js");

/// Scripts, styles, fonts and API calls from the gateway itself; images also as `data:` URIs
/// (the stylesheet's icons); no frames, plugins or form posts elsewhere.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "application/javascript";

/// The docs routes over the spec rendered once at start-up.
pub fn router<S: Clone + Send + Sync + 'static>(spec: String) -> Router<S> {
    Router::new()
        .route(
            "/openapi.json",
            get(move || async move { ([(CONTENT_TYPE, "application/json")], spec) }),
        )
        .route("/docs", get(|| async { ([(CONTENT_TYPE, HTML)], INDEX) }))
        .route("/docs/", get(|| async { ([(CONTENT_TYPE, HTML)], INDEX) }))
        .route("/docs/swagger-ui.css", get(|| async { ([(CONTENT_TYPE, "text/css")], CSS) }))
        .route(
            "/docs/swagger-ui-bundle.js",
            get(|| async { ([(CONTENT_TYPE, JS)], BUNDLE).into_response() }),
        )
        .route(
            "/docs/swagger-initializer.js",
            get(|| async { ([(CONTENT_TYPE, JS)], INITIALIZER) }),
        )
        .layer(SetResponseHeaderLayer::overriding(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        ))
}
