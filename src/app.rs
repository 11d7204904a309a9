//! The application: the middleware stack around the routes, and serving with a drain period and
//! graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::api;
use crate::config::Settings;
use crate::connectors::deadline::SendBy;
use crate::error::{AppError, Detail, ErrorBody, ErrorCode, LoggedError};
use crate::state::{AppState, Draining};
use crate::store::{changes, Backend, Store};
use crate::telemetry;

/// The whole HTTP service: routes plus the middleware stack (outermost first).
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let metrics = Arc::new(state.metrics.clone());
    let draining = state.draining.clone();
    api::router(state).route_layer(middleware::from_fn(telemetry::record_route)).layer(
        ServiceBuilder::new()
            // No answer is to be read as another type than it says (a JSON error as HTML…).
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(middleware::from_fn_with_state(draining, close_when_draining))
            .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION]))
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(telemetry::request_span)
                    .on_request(())
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(middleware::from_fn_with_state(metrics, telemetry::track_metrics))
            .layer(CatchPanicLayer::custom(|_| {
                AppError::Internal("a handler panicked".into()).into_response()
            }))
            .layer(middleware::from_fn(chift_errors))
            .layer(middleware::from_fn_with_state(request_timeout, enforce_timeout))
            .layer(DefaultBodyLimit::max(api::extract::BODY_LIMIT)),
    )
}

/// While draining, every answer closes its connection: a kept-alive client reconnects (to
/// another replica, once readiness has taken this one out) instead of reusing a connection that
/// graceful shutdown would close under it.
async fn close_when_draining(
    State(draining): State<Draining>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    if draining.is_on() {
        res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// Abandons a request that runs longer than the configured timeout, with a Chift-shaped 504.
/// Writes must have sent their upstream calls by three quarters of it ([`SendBy`]): a write
/// whose upstream budget frees up later gives up before sending anything.
async fn enforce_timeout(State(after): State<Duration>, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(SendBy(Instant::now() + after - after / 4));
    match tokio::time::timeout(after, next.run(req)).await {
        Ok(res) => res,
        Err(_) => AppError::Timeout { after }.into_response(),
    }
}

/// Gives every non-2xx answer the Chift body (the router's own 404/405 included) and logs 5xx
/// errors once, with their source.
async fn chift_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = telemetry::loggable_path(req.uri().path()).into_owned();
    let res = next.run(req).await;
    if let Some(LoggedError(error)) = res.extensions().get::<LoggedError>() {
        tracing::error!(error = ?error, "request failed");
    }
    let status = res.status();
    // JSON is already Chift's shape; HTML is the connect page's, meant for a person.
    let is_shaped = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
    });
    if status.is_success() || status.is_redirection() || status.is_informational() || is_shaped {
        return res;
    }
    chift_shaped(status, method, path, res)
}

fn chift_shaped(status: StatusCode, method: Method, path: String, res: Response) -> Response {
    let method = method.to_string();
    let error = match status {
        StatusCode::NOT_FOUND => AppError::UnknownRoute { method, path },
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed { method, path },
        StatusCode::PAYLOAD_TOO_LARGE => AppError::BodyTooLarge { limit: api::extract::BODY_LIMIT },
        _ => {
            let code = if status.is_server_error() { "server" } else { "client" };
            let body = ErrorBody::new(
                ErrorCode::ErrorUnknown,
                status.canonical_reason().unwrap_or("error").to_owned(),
                Detail::Text(format!("{code} error {}", status.as_u16())),
            );
            return (status, axum::Json(body)).into_response();
        }
    };
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut shaped = error.into_response();
    *shaped.status_mut() = status;
    if let Some(allow) = allow {
        shaped.headers_mut().insert(header::ALLOW, allow);
    }
    shaped
}

/// A bound listener and the service behind it.
pub struct App {
    listener: TcpListener,
    router: Router,
    state: AppState,
    header_timeout: Duration,
    /// Hears consumer and connection changes (PostgreSQL) for the tenancy cache.
    changes: Option<JoinHandle<()>>,
}

impl App {
    /// Binds `settings.listen` (port 0 picks a free port) and assembles the service over `store`.
    pub async fn build(settings: &Settings, store: Store) -> Result<Self, String> {
        let listener = TcpListener::bind(settings.listen)
            .await
            .map_err(|e| format!("PASSERELLE_LISTEN: cannot bind {}: {e}", settings.listen))?;
        let state = AppState::new(settings, store)?;
        let changes = (state.store.backend() == Backend::Postgres).then(|| {
            let (url, tenancy) = (settings.database.url.clone(), state.tenancy.clone());
            tokio::spawn(async move { changes::follow(&url, |c| tenancy.on_change(c)).await })
        });
        Ok(Self {
            listener,
            router: router(state.clone(), settings.request_timeout),
            state,
            header_timeout: settings.header_timeout,
            changes,
        })
    }

    /// The state the routes share, for in-process set-up (`passerelle demo`).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves HTTP/1.1 until `shutdown` resolves, then stops accepting and lets in-flight
    /// requests finish. A connection that has not sent a whole request head within the header
    /// timeout (idle keep-alive connections included) is closed; handlers see the peer address
    /// as `ConnectInfo<SocketAddr>`.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(self.header_timeout);
        let connections = GracefulShutdown::new();
        let serve_one = |stream: tokio::net::TcpStream, peer: SocketAddr| {
            let router = self.router.clone();
            let service = service_fn(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(req)
            });
            let connection =
                connections.watch(http.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, %peer, "connection closed with an error");
                }
            });
        };
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        accept_failed(e).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            serve_one(stream, peer);
        }
        // Connections the kernel completed but nobody accepted yet would be reset by the close:
        // take them all (without waiting for more) and serve them, then close.
        let listener = self.listener.into_std()?;
        while let Ok((stream, peer)) = listener.accept() {
            match stream
                .set_nonblocking(true)
                .and_then(|()| tokio::net::TcpStream::from_std(stream))
            {
                Ok(stream) => serve_one(stream, peer),
                Err(e) => tracing::debug!(error = %e, %peer, "a queued connection was lost"),
            }
        }
        drop(listener);
        // A connection accepted just now may not have delivered its request yet, and a graceful
        // shutdown closes a connection that is between requests: give late requests a moment.
        tokio::time::sleep(LATE_REQUEST_GRACE).await;
        connections.shutdown().await;
        if let Some(changes) = self.changes {
            changes.abort();
        }
        Ok(())
    }
}

/// How long connections accepted before the listener closed have to deliver a request before idle
/// ones are closed.
const LATE_REQUEST_GRACE: Duration = Duration::from_millis(500);

/// After a failed accept: a connection reset before it was accepted is nothing; anything else
/// (out of file descriptors, say) is logged and waited out for a second rather than spun on.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// The shutdown of `serve`: on SIGINT or SIGTERM, readiness answers 503 at once while the listener
/// keeps serving for `drain` (time for load balancers to stop routing here); then it resolves, the
/// listener closes and in-flight requests finish.
pub async fn drain_on_signal(draining: Draining, drain: Duration) {
    shutdown_signal().await;
    draining.start();
    tracing::info!(drain_secs = drain.as_secs(), "shutdown requested: draining, readiness is 503");
    tokio::time::sleep(drain).await;
    tracing::info!("drain over: no new connections, finishing in-flight requests");
}
