//! The one way Passerelle talks to MyUnisoft: `send`. It adds the auth headers, waits for the
//! rate governor, measures, records raw data on demand, retries what is safe to retry, and sorts
//! failures.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::{header, Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::error::{classify, undecodable, SOFTWARE};
use crate::config::is_loopback;
use crate::connectors::deadline;
use crate::connectors::governor::{token_key, Governor};
use crate::connectors::{priority, raw, usage, ConnectorError};
use crate::domain::connection::Credentials;
use crate::telemetry::Metrics;

const USER_AGENT: &str = concat!("passerelle/", env!("CARGO_PKG_VERSION"));

/// How much of an error answer is read: enough for MyUnisoft's code and message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The credential key of a MyUnisoft connection.
const API_TOKEN: &str = "api_token";

/// A MyUnisoft connection's credentials, read once from its key/value list. `Debug` shows no
/// secret.
#[derive(Debug, Clone)]
pub struct MyUnisoftCredentials {
    api_token: SecretString,
    /// The rate governor's key for the token (a digest prefix, not the token).
    key: String,
}

impl TryFrom<&Credentials> for MyUnisoftCredentials {
    type Error = ConnectorError;

    fn try_from(credentials: &Credentials) -> Result<Self, Self::Error> {
        let token = credentials.get(API_TOKEN).ok_or_else(|| ConnectorError::Unauthorized {
            software: SOFTWARE,
            code: "MISSING-API-TOKEN".into(),
            message: "the connection has no api_token".into(),
        })?;
        Ok(Self { api_token: SecretString::from(token.to_owned()), key: token_key(token) })
    }
}

/// A tenant's credentials for one call: its API token and, for a firm token, the folder.
pub struct Auth<'a> {
    credentials: &'a MyUnisoftCredentials,
    pub society_id: Option<i64>,
}

impl<'a> Auth<'a> {
    pub fn new(credentials: &'a MyUnisoftCredentials, society_id: Option<i64>) -> Self {
        Self { credentials, society_id }
    }
}

/// Whether a call may be sent again after a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads and upserts: the same call twice has the effect of one.
    Safe,
    /// Creations: a second send could write twice.
    Never,
}

/// One upstream call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    /// The path under the base URL, e.g. `/account/v2`; also the metrics and governor route.
    pub path: &'static str,
    /// A suffix with ids (`/4512`), kept out of the route label.
    pub path_suffix: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    /// Raw bytes sent as `application/octet-stream` (document uploads).
    pub upload: Option<Vec<u8>>,
    /// A full URL to call instead of the path under the base URL (document downloads).
    pub url: Option<String>,
    pub retry: Retry,
}

impl Call {
    pub fn get(path: &'static str) -> Self {
        Self {
            method: Method::GET,
            path,
            path_suffix: String::new(),
            query: vec![],
            body: None,
            upload: None,
            url: None,
            retry: Retry::Safe,
        }
    }

    pub fn write(method: Method, path: &'static str, body: Value, retry: Retry) -> Self {
        Self { method, body: Some(body), retry, ..Self::get(path) }
    }

    /// A `POST` of raw bytes, never repeated on its own.
    pub fn upload(path: &'static str, bytes: Vec<u8>) -> Self {
        Self { method: Method::POST, upload: Some(bytes), retry: Retry::Never, ..Self::get(path) }
    }

    /// Calls `url` (already checked to be MyUnisoft's) instead of the path.
    pub fn at(mut self, url: String) -> Self {
        self.url = Some(url);
        self
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub fn suffix(mut self, suffix: impl Into<String>) -> Self {
        self.path_suffix = suffix.into();
        self
    }

    /// The cache key: path and query.
    pub fn key(&self) -> String {
        let query: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{}{}?{}", self.path, self.path_suffix, query.join("&"))
    }
}

/// How often and how long a failed call is tried again: the one retry mechanism of the
/// connector, for reads and for the exactly-once import of entries alike.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base: Duration,
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt.
    pub budget: Duration,
}

/// Why a try of [`RetryPolicy::run`] failed.
pub(super) enum Failure<E> {
    /// Another try may mend this fault.
    Retry(ConnectorError),
    /// Nothing more to try: the operation fails with this.
    Stop(E),
}

impl RetryPolicy {
    /// Reads and other calls safe to repeat.
    pub const READS: RetryPolicy = RetryPolicy {
        attempts: 5,
        base: Duration::from_millis(200),
        max_backoff: Duration::from_secs(5),
        budget: Duration::from_secs(30),
    };

    /// Runs `once` (given the try's number, from 1) until it succeeds or stops. After a
    /// [`Failure::Retry`] it waits a jittered exponential backoff, never less than a rate
    /// limit's `Retry-After`, and tries again, unless the attempts are spent or the next try
    /// would start after the budget: then `give_up` turns the fault into the final error.
    /// `retrying` hears of each retry before its wait.
    pub(super) async fn run<T, E, Fut>(
        &self,
        mut once: impl FnMut(u32) -> Fut,
        mut retrying: impl FnMut(u32, Duration, &ConnectorError),
        give_up: impl FnOnce(u32, ConnectorError) -> E,
    ) -> Result<T, E>
    where
        Fut: std::future::Future<Output = Result<T, Failure<E>>>,
    {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match once(attempt).await {
                Ok(out) => return Ok(out),
                Err(Failure::Stop(e)) => return Err(e),
                Err(Failure::Retry(e)) => e,
            };
            let mut wait = self.backoff(attempt);
            if let ConnectorError::RateLimited { retry_after, .. } = &error {
                wait = wait.max(*retry_after);
            }
            if attempt >= self.attempts
                || started.elapsed() + wait > self.budget
                || deadline::passed_after(wait)
            {
                return Err(give_up(attempt, error));
            }
            retrying(attempt, wait, &error);
            tokio::time::sleep(wait).await;
        }
    }

    /// Jitter: a random wait between half and all of the exponential bound.
    fn backoff(&self, attempt: u32) -> Duration {
        let bound = self.base.saturating_mul(1 << attempt.min(16)).min(self.max_backoff);
        let millis = u64::try_from(bound.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(millis / 2..=millis))
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    partner_secret: SecretString,
    governor: Governor,
    metrics: Metrics,
    retry: RetryPolicy,
    /// The largest answer [`Client::send`] reads into memory.
    max_body: usize,
    download_hosts: Vec<String>,
}

impl Client {
    pub fn new(
        base_url: &str,
        partner_secret: SecretString,
        governor: Governor,
        metrics: Metrics,
        timeout: Duration,
        max_body: usize,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            // A redirect would carry the partner secret to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let base_url = base_url.trim_end_matches('/').to_owned();
        Ok(Self {
            http,
            base_url,
            partner_secret,
            governor,
            metrics,
            retry: RetryPolicy::READS,
            max_body,
            download_hosts: vec![],
        })
    }

    /// Document links may also point to these hosts (`host`, or `host:port`, lowercase), over
    /// https (or http to a loopback host).
    pub fn downloads_from(mut self, hosts: Vec<String>) -> Self {
        self.download_hosts = hosts;
        self
    }

    /// The URL of a document link MyUnisoft gave (resolved against the base URL) when it is on
    /// the base URL's origin or on a host of [`Client::downloads_from`]. `None` for anything
    /// else: the token is never sent elsewhere.
    pub fn document_url(&self, link: &str) -> Option<String> {
        let base = reqwest::Url::parse(&self.base_url).ok()?;
        let url = base.join(link.trim()).ok()?;
        let host = url.host_str()?;
        let secure = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url));
        let listed = || {
            let with_port = url.port_or_known_default().map(|p| format!("{host}:{p}"));
            self.download_hosts.iter().any(|listed| {
                (url.port().is_none() && listed == host) || Some(listed) == with_port.as_ref()
            })
        };
        (url.origin() == base.origin() || (secure && listed())).then(|| url.to_string())
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The most bytes of one answer read into memory.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// Sends `call` and returns its JSON answer, retrying transient faults when the call is safe
    /// to repeat.
    #[tracing::instrument(name = "myunisoft.request", skip_all, fields(otel.kind = "client",
        http.request.method = %call.method, url.path = call.path, society_id = auth.society_id,
        http.response.status_code = tracing::field::Empty))]
    pub async fn send(&self, auth: &Auth<'_>, call: &Call) -> Result<Value, ConnectorError> {
        let (status, body) = self.retrying(call, || self.attempt(auth, call)).await?;
        tracing::Span::current().record("http.response.status_code", status.as_u16());
        record_raw(call, false, &body);
        Ok(body)
    }

    /// Sends `call` and hands back its body as a stream of chunks once a 2xx status has arrived,
    /// for answers too large to hold (the MAD movements of a year). Same headers, governor,
    /// metrics and retries as [`Client::send`], but a retry only happens before the first byte
    /// of the body is consumed: a fault inside the body is an `Err` item of the stream, for the
    /// caller to report (never a silently shorter body). The whole-call timeout is `long`.
    #[tracing::instrument(name = "myunisoft.request", skip_all, fields(otel.kind = "client",
        http.request.method = %call.method, url.path = call.path, society_id = auth.society_id,
        http.response.status_code = tracing::field::Empty))]
    pub async fn stream(
        &self,
        auth: &Auth<'_>,
        call: &Call,
        long: Duration,
    ) -> Result<impl Stream<Item = Result<Bytes, ConnectorError>> + Send + 'static, ConnectorError>
    {
        let response = self
            .retrying(call, || self.governed(auth, call, self.respond(auth, call, Some(long))))
            .await?;
        tracing::Span::current().record("http.response.status_code", response.status().as_u16());
        Ok(response.bytes_stream().map(|chunk| chunk.map_err(transport)))
    }

    /// Runs `once` under the client's retry policy when the call is safe to repeat.
    async fn retrying<T, F, Fut>(&self, call: &Call, mut once: F) -> Result<T, ConnectorError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, ConnectorError>>,
    {
        let failed = |attempts: u32, error: ConnectorError| {
            tracing::warn!(attempts, error = %error, "upstream call failed");
            error
        };
        self.retry
            .run(
                |attempt| {
                    let tried = once();
                    async move {
                        tried.await.map_err(|e| {
                            if call.retry == Retry::Safe && e.is_transient() {
                                Failure::Retry(e)
                            } else {
                                Failure::Stop(failed(attempt, e))
                            }
                        })
                    }
                },
                |attempt, wait, error| {
                    let reason = match error {
                        ConnectorError::RateLimited { .. } => "rate_limited",
                        ConnectorError::Timeout { .. } => "timeout",
                        _ => "unavailable",
                    };
                    self.metrics.upstream_retry(call.path, reason);
                    let wait_ms = wait.as_millis() as u64;
                    tracing::info!(attempt, wait_ms, %error, "retrying upstream read");
                },
                failed,
            )
            .await
    }

    async fn attempt(
        &self,
        auth: &Auth<'_>,
        call: &Call,
    ) -> Result<(StatusCode, Value), ConnectorError> {
        let (status, body) = self.governed(auth, call, self.exchange(auth, call)).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            // Some writes answer 2xx with no body.
            return Ok((status, Value::Null));
        }
        serde_json::from_slice(&body)
            .map(|value| (status, value))
            .map_err(|e| undecodable(call.path, format!("HTTP {status}: {e}")))
    }

    /// Runs one exchange under the rate governor, measured.
    async fn governed<T: Answered>(
        &self,
        auth: &Auth<'_>,
        call: &Call,
        exchange: impl std::future::Future<Output = Result<T, ConnectorError>>,
    ) -> Result<T, ConnectorError> {
        // Refused at once, nothing sent: the budget is saturated, or would free up only after
        // the write must have sent its calls.
        let priority = priority::current();
        let permit = self
            .governor
            .acquire(&auth.credentials.key, call.path, deadline::current(), priority)
            .await
            .map_err(|refusal| match refusal.retry_after() {
                Some(retry_after) => ConnectorError::Saturated {
                    software: SOFTWARE,
                    reason: refusal.to_string(),
                    retry_after,
                },
                None => ConnectorError::Unavailable {
                    software: SOFTWARE,
                    reason: format!("rate governor: {refusal}"),
                },
            })?;
        self.metrics.governor_granted(priority, permit.waited);
        usage::record(permit.waited, permit.remaining);
        let started = Instant::now();
        let result = exchange.await;
        self.governor.done(permit).await;
        let status = match &result {
            Ok(answer) => answer.status().as_str().to_owned(),
            Err(_) => "transport_error".to_owned(),
        };
        self.metrics.upstream_call(call.path, &status, started.elapsed());
        result
    }

    /// One HTTP exchange: a 2xx answer's status and body, or the sorted failure.
    async fn exchange(
        &self,
        auth: &Auth<'_>,
        call: &Call,
    ) -> Result<(StatusCode, Vec<u8>), ConnectorError> {
        let response = self.respond(auth, call, None).await?;
        let status = response.status();
        let body = read_capped(response, self.max_body).await?.map_err(|limit| {
            ConnectorError::TooLarge { software: SOFTWARE, path: call.path.to_owned(), limit }
        })?;
        Ok((status, body))
    }

    /// Sends the request; a 2xx response with its body unread, or the sorted failure.
    async fn respond(
        &self,
        auth: &Auth<'_>,
        call: &Call,
        timeout: Option<Duration>,
    ) -> Result<reqwest::Response, ConnectorError> {
        let url = call
            .url
            .clone()
            .unwrap_or_else(|| format!("{}{}{}", self.base_url, call.path, call.path_suffix));
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .bearer_auth(auth.credentials.api_token.expose_secret())
            .header("X-Third-Party-Secret", self.partner_secret.expose_secret())
            .query(&call.query);
        if let Some(society) = auth.society_id {
            request = request.header("society-id", society.to_string());
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        if let Some(bytes) = &call.upload {
            request = request
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .body(bytes.clone());
        }
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        // Only the head of an error answer is read: its code and message.
        let body: Vec<u8> = read_capped(response, MAX_ERROR_BODY).await?.unwrap_or_default();
        Err(classify(status, &body, retry_after))
    }
}

/// Reads a body of at most `limit` bytes; `Ok(Err(limit))` as soon as it is known to be longer,
/// having kept nothing past the limit.
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Result<Vec<u8>, usize>, ConnectorError> {
    let announced = response.content_length().unwrap_or(0);
    if announced > limit as u64 {
        return Ok(Err(limit));
    }
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(limit));
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > limit {
            return Ok(Err(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Ok(body))
}

/// Adds `call` and its answer (`cached` or not) to the raw data being captured, if any, with
/// document links withheld.
pub(super) fn record_raw(call: &Call, cached: bool, body: &Value) {
    if raw::capturing() {
        let path = format!("{}{}", call.path, call.path_suffix);
        raw::record(
            call.method.as_str(),
            &path,
            &call.query,
            cached,
            &without_document_links(body),
        );
    }
}

/// `body` with the links of its `attachments` (MAD entries) withheld: each carries a download
/// token, so raw data never shows one.
fn without_document_links(body: &Value) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let shown = match value {
                        Value::Object(files) if key == "attachments" => Value::Object(
                            files
                                .iter()
                                .map(|(name, file)| {
                                    let mut file = file.clone();
                                    if let Some(link) = file.get_mut("value") {
                                        *link = Value::String("(withheld)".into());
                                    }
                                    (name.clone(), file)
                                })
                                .collect(),
                        ),
                        other => without_document_links(other),
                    };
                    (key.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_document_links).collect()),
        other => other.clone(),
    }
}

/// What `governed` reads the metrics status from.
trait Answered {
    fn status(&self) -> StatusCode;
}

impl Answered for (StatusCode, Vec<u8>) {
    fn status(&self) -> StatusCode {
        self.0
    }
}

impl Answered for reqwest::Response {
    fn status(&self) -> StatusCode {
        reqwest::Response::status(self)
    }
}

fn transport(e: reqwest::Error) -> ConnectorError {
    if e.is_timeout() {
        ConnectorError::Timeout { software: SOFTWARE }
    } else {
        // The cause chain says "connection reset", "unexpected EOF", …; the URL is left out.
        let e = e.without_url();
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            reason = format!("{reason}: {s}");
            source = s.source();
        }
        ConnectorError::Unavailable { software: SOFTWARE, reason }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::extract::{Request, State};
    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Response};
    use serde_json::json;

    use super::*;
    use crate::connectors::governor::{Budget, MemoryLeases};
    use crate::domain::connection::Credential;

    fn credentials(token: &str) -> MyUnisoftCredentials {
        let list = Credentials(vec![Credential { key: API_TOKEN.into(), value: token.into() }]);
        MyUnisoftCredentials::try_from(&list).unwrap()
    }

    #[test]
    fn credentials_are_read_once_and_never_shown() {
        let read = credentials("tok-s3cr3t");
        assert!(!format!("{read:?}").contains("s3cr3t"));
        assert_eq!(read.api_token.expose_secret(), "tok-s3cr3t");
        let missing = MyUnisoftCredentials::try_from(&Credentials(vec![])).unwrap_err();
        let ConnectorError::Unauthorized { code, .. } = missing else { panic!("{missing:?}") };
        assert_eq!(code, "MISSING-API-TOKEN");
    }

    /// One canned answer: status, extra headers, body.
    type Answer = (u16, &'static [(&'static str, &'static str)], &'static str);

    /// A stand-in for MyUnisoft: answers the n-th request with the n-th answer (the last one
    /// repeats) and keeps the method, path and headers of each request.
    #[derive(Clone)]
    struct Stub {
        answers: Arc<Vec<Answer>>,
        seen: Arc<Mutex<Vec<(Method, String, HeaderMap)>>>,
    }

    impl Stub {
        /// Starts the stub on 127.0.0.1:0; returns it and its base URL.
        async fn start(answers: Vec<Answer>) -> (Self, String) {
            let stub = Stub { answers: Arc::new(answers), seen: Arc::default() };
            let app = axum::Router::new().fallback(answer).with_state(stub.clone());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await });
            (stub, base)
        }

        fn seen(&self) -> Vec<(Method, String, HeaderMap)> {
            self.seen.lock().unwrap().clone()
        }
    }

    async fn answer(State(stub): State<Stub>, request: Request) -> Response {
        let (parts, _) = request.into_parts();
        let n = {
            let mut seen = stub.seen.lock().unwrap();
            seen.push((parts.method, parts.uri.path().to_owned(), parts.headers));
            seen.len()
        };
        let (status, headers, body) = stub.answers[(n - 1).min(stub.answers.len() - 1)];
        let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
        for (name, value) in headers {
            response.headers_mut().insert(*name, value.parse().unwrap());
        }
        response
    }

    /// A client of `base` with retries a few milliseconds apart.
    fn client(base: &str) -> Client {
        let governor = Governor::new(Arc::new(MemoryLeases::default()), Budget::MYUNISOFT);
        let secret = SecretString::from("partner-s3cr3t");
        let metrics = Metrics::new().unwrap();
        let mut client =
            Client::new(base, secret, governor, metrics, Duration::from_secs(5), 1024).unwrap();
        client.retry = RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            budget: Duration::from_secs(5),
        };
        client
    }

    const OK: Answer = (200, &[], r#"{"ok": true}"#);

    #[tokio::test]
    async fn a_rate_limit_is_waited_out_for_its_retry_after() {
        let (stub, base) = Stub::start(vec![(429, &[("retry-after", "1")], ""), OK]).await;
        let token = credentials("tok");
        let started = Instant::now();
        let answer = client(&base).send(&Auth::new(&token, None), &Call::get("/account")).await;
        assert_eq!(answer.unwrap(), json!({"ok": true}));
        assert_eq!(stub.seen().len(), 2);
        assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn reads_are_tried_again_after_502_503_and_504() {
        let (stub, base) =
            Stub::start(vec![(502, &[], ""), (503, &[], ""), (504, &[], ""), OK]).await;
        let token = credentials("tok");
        let answer = client(&base).send(&Auth::new(&token, None), &Call::get("/account")).await;
        assert_eq!(answer.unwrap(), json!({"ok": true}));
        assert_eq!(stub.seen().len(), 4);
    }

    #[tokio::test]
    async fn a_write_answered_503_is_sent_once() {
        let (stub, base) = Stub::start(vec![(503, &[], ""), OK]).await;
        let token = credentials("tok");
        let call = Call::write(Method::POST, "/entry", json!({}), Retry::Never);
        let answer = client(&base).send(&Auth::new(&token, None), &call).await;
        assert!(matches!(answer, Err(ConnectorError::Unavailable { .. })), "{answer:?}");
        let seen = stub.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!((&seen[0].0, seen[0].1.as_str()), (&Method::POST, "/api/v1/entry"));
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_refused_naming_its_route_and_not_tried_again() {
        const BIG: &str = concat!("[", "\"0123456789abcdef\",", "\"0123456789abcdef\",");
        let body: &'static str = Box::leak(BIG.repeat(40).into_boxed_str());
        let (stub, base) = Stub::start(vec![(200, &[], body)]).await;
        let token = credentials("tok");
        let answer = client(&base).send(&Auth::new(&token, None), &Call::get("/account")).await;
        let Err(ConnectorError::TooLarge { path, limit, .. }) = answer else {
            panic!("{answer:?}")
        };
        assert_eq!((path.as_str(), limit), ("/account", 1024));
        assert_eq!(stub.seen().len(), 1);
    }

    #[tokio::test]
    async fn a_refused_partner_secret_or_token_is_not_tried_again() {
        for (status, body) in [
            (401, r#"{"code":"ERR-INVALID-SECRET","message":"m"}"#),
            (401, r#"{"code":"ERR-API-TOKEN-NOT-FOUND","message":"m"}"#),
            (403, r#"{"code":"DROIT1","message":"m"}"#),
        ] {
            let (stub, base) = Stub::start(vec![(status, &[], body), OK]).await;
            let token = credentials("tok");
            let answer = client(&base).send(&Auth::new(&token, None), &Call::get("/account")).await;
            assert!(answer.is_err(), "{body}");
            assert_eq!(stub.seen().len(), 1, "{body}");
        }
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let (stub, base) = Stub::start(vec![(302, &[("location", "/stolen")], ""), OK]).await;
        let token = credentials("tok");
        let answer = client(&base).send(&Auth::new(&token, None), &Call::get("/account")).await;
        assert!(matches!(answer, Err(ConnectorError::Rejected { status: 302, .. })), "{answer:?}");
        let paths: Vec<String> = stub.seen().into_iter().map(|(_, path, _)| path).collect();
        assert_eq!(paths, ["/api/v1/account"]);
    }

    #[tokio::test]
    async fn documents_are_fetched_from_the_base_origin_and_the_listed_hosts_only() {
        let hosts = vec!["files.myunisoft.fr".to_owned(), "localhost:9000".to_owned()];
        let client = client("https://api.myunisoft.fr/api/v1").downloads_from(hosts);
        let url = |link: &str| client.document_url(link);
        assert_eq!(url("/ged/doc/1").as_deref(), Some("https://api.myunisoft.fr/ged/doc/1"));
        assert_eq!(
            url(" https://api.myunisoft.fr:443/d ").as_deref(),
            Some("https://api.myunisoft.fr/d")
        );
        assert_eq!(
            url("https://FILES.myunisoft.fr/d").as_deref(),
            Some("https://files.myunisoft.fr/d")
        );
        assert_eq!(url("http://localhost:9000/d").as_deref(), Some("http://localhost:9000/d"));
        for elsewhere in [
            "http://api.myunisoft.fr/d",
            "https://api.myunisoft.fr:8443/d",
            "http://files.myunisoft.fr/d",
            "https://files.myunisoft.fr:8443/d",
            "https://app.myunisoft.fr/d",
            "https://myunisoft.fr/d",
            "https://evil.example/d",
            "https://files.myunisoft.fr.evil.example/d",
            "http://localhost:9001/d",
            "//evil.example/d",
        ] {
            assert_eq!(url(elsewhere), None, "{elsewhere}");
        }
    }

    #[test]
    fn raw_answers_withhold_document_links() {
        let link = "/api/ged/ged/document/12-t0k3n/download";
        let body = json!({"attachments": {"a.pdf": {"type": "URL", "value": link}},
                          "entries": [{"attachments": {"b.pdf": {"value": link}}}], "value": "kept"});
        let shown = without_document_links(&body).to_string();
        assert!(!shown.contains("t0k3n"), "{shown}");
        assert!(shown.contains("a.pdf") && shown.contains("b.pdf") && shown.contains("kept"));
    }

    #[tokio::test]
    async fn calls_carry_the_token_the_partner_secret_and_a_firm_tokens_folder() {
        let (stub, base) = Stub::start(vec![OK]).await;
        let client = client(&base);
        let token = credentials("tok-1");
        client.send(&Auth::new(&token, Some(127)), &Call::get("/diary")).await.unwrap();
        client.send(&Auth::new(&token, None), &Call::get("/diary")).await.unwrap();
        let seen = stub.seen();
        let header =
            |i: usize, name: &str| seen[i].2.get(name).map(|v| v.to_str().unwrap().to_owned());
        for i in 0..2 {
            assert_eq!(header(i, "authorization").as_deref(), Some("Bearer tok-1"));
            assert_eq!(header(i, "x-third-party-secret").as_deref(), Some("partner-s3cr3t"));
        }
        assert_eq!(header(0, "society-id").as_deref(), Some("127"));
        assert_eq!(header(1, "society-id"), None);
    }
}
