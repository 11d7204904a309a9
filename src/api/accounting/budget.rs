//! What a request spent of its upstream budget, told in its response headers (as peers expose
//! the upstream's rate limits): `x-passerelle-upstream-budget-remaining` after any upstream call,
//! `x-passerelle-upstream-wait-ms` when the calls queued for the token's budget (with one log
//! line saying so).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::connectors::usage;

pub const WAIT_MS: &str = "x-passerelle-upstream-wait-ms";
pub const BUDGET_REMAINING: &str = "x-passerelle-upstream-budget-remaining";

/// Middleware: tallies the request's governed calls and reports them.
pub async fn report(request: Request, next: Next) -> Response {
    let (mut response, used) = usage::measure(next.run(request)).await;
    let headers = response.headers_mut();
    if let Some(remaining) = used.remaining {
        headers.insert(BUDGET_REMAINING, HeaderValue::from(remaining));
    }
    let wait_ms = u64::try_from(used.waited.as_millis()).unwrap_or(u64::MAX);
    if wait_ms > 0 {
        headers.insert(WAIT_MS, HeaderValue::from(wait_ms));
        tracing::info!(
            wait_ms,
            upstream_calls = used.calls,
            budget_remaining = used.remaining,
            "request waited for the upstream budget"
        );
    }
    response
}
