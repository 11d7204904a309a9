//! What happens to every `/api/v1` request, in order: record it, check the secret and the token,
//! apply the per-token limits, draw a fault, run the handler, then render MyUnisoft's error body,
//! add `request-id` and `X-Rate-Limit-*`, and carry out a connection-level fault if one was
//! drawn.

use std::io;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{MatchedPath, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::stream;

use super::auth;
use super::errors::{self, ApiError, RequestContext};
use super::faults::Action;
use super::limits::RateHeaders;
use super::mutex::lock;
use super::scope::SOCIETY_HEADER;
use super::server::SharedState;
use super::tokens::{Access, Grant};
use super::transport::Peer;

/// How long a truncated body waits after its first half, so that half reaches the client.
const TRUNCATE_PAUSE: Duration = Duration::from_millis(30);

/// What to do with the connection once the response is ready.
enum Ending {
    Answer,
    Truncate,
    Reset,
}

pub(crate) async fn pipeline(
    State(shared): State<SharedState>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.path().to_owned(), |u| u.0.path().to_owned());
    let ticket = shared.log.begin(&parts, &path);
    let ctx = context(&parts, &path);
    let peer = parts.extensions.get::<ConnectInfo<Peer>>().map(|c| c.0.clone());
    let (response, rate, ending) = admit_and_run(&shared, parts, body, next, &path).await;

    let mut response = with_error_body(response, &ctx);
    add_headers(&mut response, &ctx, rate);
    match ending {
        Ending::Answer => {
            shared.log.finish(ticket, response.status().as_u16());
            response
        }
        Ending::Truncate => {
            shared.log.finish(ticket, response.status().as_u16());
            truncate(response).await
        }
        Ending::Reset => match peer {
            Some(peer) => {
                peer.kill.pull();
                shared.log.finish(ticket, 0);
                response
            }
            // No connection to cut (in-process calls): the closest answer is a gateway error.
            None => {
                let error = ApiError::for_status(StatusCode::BAD_GATEWAY);
                shared.log.finish(ticket, error.status.as_u16());
                let mut response = errors::render(&error, &ctx);
                add_headers(&mut response, &ctx, rate);
                response
            }
        },
    }
}

/// Checks the secret and the token, applies the token's limits on the route, then runs the
/// request under the fault drawn for it.
async fn admit_and_run(
    shared: &SharedState,
    parts: Parts,
    body: Body,
    next: Next,
    path: &str,
) -> (Response, RateHeaders, Ending) {
    let route = match parts.extensions.get::<MatchedPath>() {
        Some(matched) => format!("{} {}", parts.method, matched.as_str()),
        None => format!("{} {path}", parts.method),
    };
    let now = Instant::now();
    let grant = match auth::authenticate(&parts.headers) {
        Err(e) => return (e.into_response(), shared.limits.idle_headers(now), Ending::Answer),
        Ok(grant) => grant,
    };
    let (admitted, rate) = shared.limits.admit(&grant.token, &route, now);
    let permit = match admitted {
        Err(e) => return (e.into_response(), rate, Ending::Answer),
        Ok(permit) => permit,
    };
    let (response, ending) = run_with_fault(shared, parts, body, next, grant).await;
    drop(permit);
    (response, rate, ending)
}

/// Draws a fault (and its latency) for the request, then runs the handler or stands in for it.
async fn run_with_fault(
    shared: &SharedState,
    mut parts: Parts,
    body: Body,
    next: Next,
    grant: Grant,
) -> (Response, Ending) {
    let is_write = !matches!(parts.method, Method::GET | Method::HEAD);
    let plan = lock(&shared.faults).draw(is_write);
    let change = is_write.then(|| Change::of(&parts, &grant));
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    parts.extensions.insert(grant);
    let request = Request::from_parts(parts, body);
    match plan.action {
        None => {
            let response = next.run(request).await;
            match change {
                // Without a subscription there is no one to tell: the body is not buffered.
                Some(change) if response.status().is_success() && shared.webhooks.count() > 0 => {
                    (change.announce(shared, response).await, Ending::Answer)
                }
                _ => (response, Ending::Answer),
            }
        }
        Some(Action::Status(status)) => {
            (ApiError::for_status(status).into_response(), Ending::Answer)
        }
        Some(Action::TooMany { retry_after_secs }) => {
            (ApiError::too_many(retry_after_secs).into_response(), Ending::Answer)
        }
        Some(Action::Reset) => (StatusCode::BAD_GATEWAY.into_response(), Ending::Reset),
        Some(Action::Truncate) => (next.run(request).await, Ending::Truncate),
        Some(Action::ResetAfterWrite) => (next.run(request).await, Ending::Reset),
    }
}

/// A write, for the webhook event its success sends.
struct Change {
    folder: Option<i64>,
    method: String,
    path: String,
}

impl Change {
    fn of(parts: &Parts, grant: &Grant) -> Self {
        let folder = match grant.access {
            Access::Society(id) => Some(id),
            Access::Firm => parts
                .headers
                .get(SOCIETY_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok()),
        };
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.path().to_owned(), |u| u.0.path().to_owned());
        Change { folder, method: parts.method.to_string(), path }
    }

    /// Sends the event of the write (its answer tells the id), and gives the answer back.
    async fn announce(self, shared: &SharedState, response: Response) -> Response {
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        shared.webhooks.after_write(self.folder, &self.method, &self.path, &bytes);
        Response::from_parts(parts, Body::from(bytes))
    }
}

fn context(parts: &Parts, path: &str) -> RequestContext {
    let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let query = parts.uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    RequestContext {
        url: format!("http://{host}{path}{query}"),
        method: parts.method.to_string(),
        requested_at: chrono::Utc::now().format("%d %b %Y, %H:%M:%S").to_string(),
        request_id: format!("req-{:016x}", fastrand::u64(..)),
    }
}

/// Renders the error a handler (or a refusal) marked; a 405 from the router becomes
/// `ERR-FORBIDDEN-ROUTE`.
fn with_error_body(response: Response, ctx: &RequestContext) -> Response {
    if let Some(error) = response.extensions().get::<ApiError>() {
        return errors::render(error, ctx);
    }
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        return errors::render(&ApiError::forbidden_route(), ctx);
    }
    response
}

fn add_headers(response: &mut Response, ctx: &RequestContext, rate: RateHeaders) {
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&ctx.request_id) {
        headers.insert("request-id", id);
    }
    headers.insert("x-rate-limit-remaining", HeaderValue::from(rate.remaining));
    headers.insert("x-rate-limit-reset", HeaderValue::from(rate.reset));
    headers.insert("x-rate-limit-total", HeaderValue::from(rate.total));
}

/// The parts of a truncated body.
enum Cut {
    Half(Bytes),
    Fail,
    Done,
}

/// Keeps the status and headers (with the full `Content-Length`), sends half of the body, then
/// fails the body so the server aborts the connection.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    let chunks = stream::unfold(Cut::Half(half), |cut| async move {
        match cut {
            Cut::Half(half) => Some((Ok(half), Cut::Fail)),
            Cut::Fail => {
                tokio::time::sleep(TRUNCATE_PAUSE).await;
                Some((Err(io::Error::other("sandbox truncated the body")), Cut::Done))
            }
            Cut::Done => None,
        }
    });
    Response::from_parts(parts, Body::from_stream(chunks))
}
