//! Every `/api/v1` request, in the order received, with the status finally sent (0 when the
//! connection was dropped without an answer).

use std::sync::Mutex;
use std::time::Instant;

use axum::http::request::Parts;
use serde::Serialize;

use super::auth;
use super::mutex::lock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The full path as received (`/api/v1/...`).
    pub path: String,
    /// The raw query string, `""` when absent.
    pub query: String,
    /// The `society-id` header, verbatim.
    pub society_id: Option<String>,
    /// The bearer token (or the raw `Authorization` value when it has no `Bearer` scheme).
    pub token: Option<String>,
    pub status: u16,
    pub at: Instant,
}

/// The admin view of a request: `at_ms` counts from the sandbox start.
#[derive(Debug, Serialize)]
pub(crate) struct RecordedView<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    society_id: Option<&'a str>,
    token: Option<&'a str>,
    status: u16,
    at_ms: u64,
}

impl RecordedRequest {
    pub(crate) fn view(&self, started: Instant) -> RecordedView<'_> {
        RecordedView {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            society_id: self.society_id.as_deref(),
            token: self.token.as_deref(),
            status: self.status,
            at_ms: u64::try_from(self.at.saturating_duration_since(started).as_millis())
                .unwrap_or(u64::MAX),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<Log>,
}

#[derive(Debug, Default)]
struct Log {
    next: u64,
    items: Vec<(u64, RecordedRequest)>,
}

/// Where a request sits in the log, to fill its status in later.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u64);

impl RequestLog {
    pub(crate) fn begin(&self, parts: &Parts, path: &str) -> Ticket {
        let header =
            |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let token =
            auth::bearer(&parts.headers).map(str::to_owned).or_else(|| header("authorization"));
        let request = RecordedRequest {
            method: parts.method.to_string(),
            path: path.to_owned(),
            query: parts.uri.query().unwrap_or("").to_owned(),
            society_id: header("society-id"),
            token,
            status: 0,
            at: Instant::now(),
        };
        let mut log = lock(&self.entries);
        let id = log.next;
        log.next += 1;
        log.items.push((id, request));
        Ticket(id)
    }

    pub(crate) fn finish(&self, ticket: Ticket, status: u16) {
        let mut log = lock(&self.entries);
        if let Some((_, r)) = log.items.iter_mut().rev().find(|(id, _)| *id == ticket.0) {
            r.status = status;
        }
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.entries).items.iter().map(|(_, r)| r.clone()).collect()
    }

    pub(crate) fn clear(&self) {
        lock(&self.entries).items.clear();
    }
}
