//! Logs (text or JSON, a request id on every line), optional OTLP trace export, and the
//! Prometheus registry behind `GET /metrics`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use tower_http::request_id::RequestId;
use tracing::Span;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::LogFormat;
use crate::connectors::priority::Priority;

/// Flushes pending spans when dropped at exit.
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            if let Err(e) = provider.shutdown() {
                eprintln!("OTLP exporter shutdown: {e}");
            }
        }
    }
}

/// Installs the global subscriber: `RUST_LOG` filter (default `info`), text or JSON lines on
/// stderr, and an OTLP span exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
pub fn init(format: LogFormat) -> Result<TelemetryGuard, String> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::stderr().is_terminal();
    let fmt = match format {
        LogFormat::Text => {
            tracing_subscriber::fmt::layer().with_ansi(ansi).with_writer(std::io::stderr).boxed()
        }
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let provider = match std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .build()
                .map_err(|e| format!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
            let resource = Resource::builder().with_service_name("passerelle").build();
            Some(
                SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(resource)
                    .build(),
            )
        }
        _ => None,
    };
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("passerelle")));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()
        .map_err(|e| format!("logging already initialised: {e}"))?;
    Ok(TelemetryGuard { provider })
}

/// The span of one HTTP request: method, path (never the query), request id, and the route and
/// tenant once they are known. Headers and bodies are never recorded.
pub fn request_span(req: &Request) -> Span {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        otel.kind = "server",
        http.request.method = %req.method(),
        url.path = %loggable_path(req.uri().path()),
        request_id = %request_id,
        http.route = tracing::field::Empty,
        tenant.id = tracing::field::Empty,
    )
}

/// A request path as it may be logged or echoed: the token of an activation link
/// (`/connect/{token}`, a secret) is left out.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/connect/") {
        Some(rest) if !rest.starts_with("assets/") => "/connect/{token}".into(),
        _ => path.into(),
    }
}

/// The route template that served a request, carried out on the response for the metrics.
#[derive(Debug, Clone)]
struct RouteTemplate(String);

/// Route layer: records the matched template on the span and the response.
pub async fn record_route(matched: MatchedPath, req: Request, next: Next) -> Response {
    let template = matched.as_str().to_owned();
    Span::current().record("http.route", template.as_str());
    let mut res = next.run(req).await;
    res.extensions_mut().insert(RouteTemplate(template));
    res
}

/// Request count and latency by route template, method and status; upstream calls by upstream
/// route and status, their retries, the governor's grants by priority and queueing time of live
/// calls, and reference-cache lookups.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    upstream_requests: IntCounterVec,
    upstream_latency: HistogramVec,
    upstream_retries: IntCounterVec,
    governor_wait: Histogram,
    governor_grants: IntCounterVec,
    cache_lookups: IntCounterVec,
}

const LATENCY_BUCKETS: [f64; 12] =
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let labels = ["route", "method", "status"];
        let requests = IntCounterVec::new(
            Opts::new("passerelle_http_requests_total", "HTTP requests served"),
            &labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("passerelle_http_request_duration_seconds", "HTTP request latency")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &labels,
        )?;
        let upstream_labels = ["upstream_route", "status"];
        let upstream_requests = IntCounterVec::new(
            Opts::new("passerelle_upstream_requests_total", "Calls to accounting software"),
            &upstream_labels,
        )?;
        let upstream_latency = HistogramVec::new(
            HistogramOpts::new("passerelle_upstream_request_duration_seconds", "Upstream latency")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &upstream_labels,
        )?;
        let upstream_retries = IntCounterVec::new(
            Opts::new("passerelle_upstream_retries_total", "Upstream reads tried again"),
            &["upstream_route", "reason"],
        )?;
        let governor_wait = Histogram::with_opts(
            HistogramOpts::new(
                "passerelle_governor_wait_seconds",
                "Time queued for an upstream slot",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
        )?;
        let governor_grants = IntCounterVec::new(
            Opts::new(
                "passerelle_upstream_budget_calls_total",
                "Upstream calls that spent a token's budget, by priority (background: syncs)",
            ),
            &["priority"],
        )?;
        let cache_lookups = IntCounterVec::new(
            Opts::new("passerelle_reference_cache_lookups_total", "Reference-data cache lookups"),
            &["result"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(upstream_requests.clone()))?;
        registry.register(Box::new(upstream_latency.clone()))?;
        registry.register(Box::new(upstream_retries.clone()))?;
        registry.register(Box::new(governor_wait.clone()))?;
        registry.register(Box::new(governor_grants.clone()))?;
        registry.register(Box::new(cache_lookups.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            upstream_requests,
            upstream_latency,
            upstream_retries,
            governor_wait,
            governor_grants,
            cache_lookups,
        })
    }

    /// One upstream call; `status` is the HTTP status or `transport_error`.
    pub fn upstream_call(&self, route: &str, status: &str, elapsed: Duration) {
        self.upstream_requests.with_label_values(&[route, status]).inc();
        self.upstream_latency.with_label_values(&[route, status]).observe(elapsed.as_secs_f64());
    }

    pub fn upstream_retry(&self, route: &str, reason: &str) {
        self.upstream_retries.with_label_values(&[route, reason]).inc();
    }

    /// A call granted its budget after `waited` (only live calls' waits are observed: a
    /// background call waits on purpose).
    pub fn governor_granted(&self, priority: Priority, waited: Duration) {
        self.governor_grants.with_label_values(&[priority.as_str()]).inc();
        if priority == Priority::Live {
            self.governor_wait.observe(waited.as_secs_f64());
        }
    }

    /// Adds series defined elsewhere (their labels must be closed sets too).
    pub fn register(
        &self,
        c: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), prometheus::Error> {
        self.registry.register(c)
    }

    pub fn cache_lookup(&self, hit: bool) {
        self.cache_lookups.with_label_values(&[if hit { "hit" } else { "miss" }]).inc();
    }

    fn observe(&self, route: &str, method: &str, status: StatusCode, elapsed: Duration) {
        let labels = [route, method, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> Result<String, String> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out).map_err(|e| e.to_string())?;
        String::from_utf8(out).map_err(|e| e.to_string())
    }
}

/// The method label: the standard methods by name, any other as `other`, so that made-up
/// methods cannot grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts and times every request; unmatched ones under the route `unmatched`. Every
/// label takes a closed set of values: route templates, the standard methods, status codes.
pub async fn track_metrics(
    State(metrics): State<Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let method = method_label(req.method());
    let started = Instant::now();
    let res = next.run(req).await;
    let route = res.extensions().get::<RouteTemplate>().map_or("unmatched", |r| r.0.as_str());
    metrics.observe(route, method, res.status(), started.elapsed());
    res
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn an_activation_links_token_is_never_logged() {
        assert_eq!(loggable_path("/connect/abc.def"), "/connect/{token}");
        assert_eq!(loggable_path("/connect/assets/connect.css"), "/connect/assets/connect.css");
        assert_eq!(loggable_path("/consumers/1/connections"), "/consumers/1/connections");
    }
}
