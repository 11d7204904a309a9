//! Webhooks, as MyUnisoft's beta offers them to partners with firm access: subscriptions
//! (`POST /webhook`, `GET`/`DELETE /webhook/{id}`) and, on every change, one signed delivery to
//! each subscription listening for the event: a JSON array of events, the `date` header in
//! milliseconds and `signature` = hex HMAC-SHA256 with the partner key over the body followed by
//! the date.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;

use super::errors::{ApiError, ApiResult};
use super::mutex::lock;
use super::scope::{Caller, FirmCaller};
use super::server::SharedState;
use super::tokens::Access;
use super::PARTNER_SECRET;

/// Subscriptions kept at most (an unauthenticated test client cannot grow the list past it).
const MAX_SUBSCRIPTIONS: usize = 100;

#[derive(Debug, Clone)]
struct Subscription {
    id: i64,
    post_url: String,
    on_events: Vec<String>,
    token: String,
    access: Access,
}

#[derive(Debug, Default)]
pub(crate) struct Webhooks {
    subscriptions: Mutex<Vec<Subscription>>,
    next_id: AtomicI64,
}

/// The signature of a delivery: hex HMAC-SHA256 of `body` then `date`, keyed with `key`.
pub fn signature(key: &[u8], body: &[u8], date: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    mac.update(body);
    mac.update(date.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

impl Webhooks {
    pub(crate) fn count(&self) -> usize {
        lock(&self.subscriptions).len()
    }

    /// Sends `name`/`operation` about folder `folder` to every subscription listening for it
    /// whose token reaches the folder (each in its own task; failures are logged).
    pub(crate) fn emit(&self, folder: i64, name: &str, operation: &str, data: Value) {
        let now = chrono::Utc::now().timestamp_millis();
        let targets: Vec<Subscription> = lock(&self.subscriptions)
            .iter()
            .filter(|s| s.on_events.iter().any(|e| e == name))
            .filter(|s| match s.access {
                Access::Firm => true,
                Access::Society(id) => id == folder,
            })
            .cloned()
            .collect();
        for sub in targets {
            let event = json!([{
                "name": name,
                "operation": operation,
                "scope": {"schemaId": 1, "firmId": null, "accountingFolderId": folder},
                "data": data,
                "webhookId": sub.id,
                "createdAt": now,
            }]);
            let body = event.to_string();
            let date = now.to_string();
            let sig = signature(PARTNER_SECRET.as_bytes(), body.as_bytes(), &date);
            tokio::spawn(async move {
                let sent = reqwest::Client::new()
                    .post(&sub.post_url)
                    .header("content-type", "application/json")
                    .header("date", date)
                    .header("signature", sig)
                    .body(body)
                    .send()
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, url = %sub.post_url, "webhook delivery failed");
                }
            });
        }
    }

    /// The change a successful write made, as the event MyUnisoft sends for it.
    pub(crate) fn after_write(&self, folder: Option<i64>, method: &str, route: &str, body: &[u8]) {
        let Some(folder) = folder else { return };
        let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let id =
            answer.get("entry_id").or_else(|| answer.get("id")).cloned().unwrap_or(Value::Null);
        match (method, route) {
            ("POST", "/api/v1/entry" | "/api/v1/entry/temp") => {
                self.emit(folder, "accountingLineEntry", "CREATE", json!({ "id": id }));
            }
            ("PUT", "/api/v1/entry/lettering") => {
                self.emit(folder, "accountingEntryLettering", "CREATE", json!({ "id": id }));
            }
            ("POST" | "PUT", r) if r.starts_with("/api/v1/account") => {
                let code = answer.get("account_number").cloned().unwrap_or(Value::Null);
                let operation = if method == "POST" { "CREATE" } else { "UPDATE" };
                self.emit(folder, "thirdParty", operation, json!({ "code": code }));
            }
            _ => {}
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewSubscription {
    post_url: String,
    on_events: Vec<String>,
}

fn view(s: &Subscription) -> Value {
    json!({ "id": s.id, "postUrl": s.post_url, "onEvents": s.on_events })
}

async fn subscribe(
    State(shared): State<SharedState>,
    _: FirmCaller,
    Caller(grant): Caller,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let new: NewSubscription = serde_json::from_slice(&body)
        .map_err(|e| ApiError::rule("ERR-BODY", format!("corps invalide : {e}")))?;
    if !(new.post_url.starts_with("http://") || new.post_url.starts_with("https://")) {
        return Err(ApiError::rule("ERR-BODY", "postUrl doit être une URL http(s)"));
    }
    let mut subscriptions = lock(&shared.webhooks.subscriptions);
    if subscriptions.len() >= MAX_SUBSCRIPTIONS {
        return Err(ApiError::rule("ERR-WEBHOOK", "trop d'abonnements"));
    }
    let id = shared.webhooks.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let sub = Subscription {
        id,
        post_url: new.post_url,
        on_events: new.on_events,
        token: grant.token.clone(),
        access: grant.access,
    };
    let out = view(&sub);
    subscriptions.push(sub);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn get_one(
    State(shared): State<SharedState>,
    Caller(grant): Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let subscriptions = lock(&shared.webhooks.subscriptions);
    subscriptions
        .iter()
        .find(|s| s.id == id && s.token == grant.token)
        .map(|s| Json(view(s)))
        .ok_or_else(|| ApiError::not_found("Webhook"))
}

async fn unsubscribe(
    State(shared): State<SharedState>,
    Caller(grant): Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let mut subscriptions = lock(&shared.webhooks.subscriptions);
    let before = subscriptions.len();
    subscriptions.retain(|s| !(s.id == id && s.token == grant.token));
    if subscriptions.len() == before {
        return Err(ApiError::not_found("Webhook"));
    }
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/webhook", post(subscribe))
        .route("/webhook/{id}", get(get_one).delete(unsubscribe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_body_then_the_date() {
        let a = signature(b"k", b"[]", "1");
        assert_eq!(a.len(), 64);
        assert_ne!(a, signature(b"k", b"[]", "2"));
        assert_ne!(a, signature(b"k", b"[ ]", "1"));
        assert_ne!(a, signature(b"j", b"[]", "1"));
    }
}
