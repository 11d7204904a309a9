//! The unauthenticated control surface under `/_sandbox`, to drive `passerelle sandbox` from
//! another process: recorded requests, faults, stats, pending-entry validation, tokens and the
//! large-volume size.

use std::sync::atomic::Ordering;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::faults::{FaultState, Faults};
use super::mutex::lock;
use super::server::SharedState;
use super::{tokens, PARTNER_SECRET};

pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/faults", get(faults).put(set_faults))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/folders/{folder}/entries/{entry}/validate", post(validate))
        .route("/_sandbox/tokens", get(list_tokens))
        .route("/_sandbox/large", put(set_large))
        .route(
            "/_sandbox/folders/{folder}/third-parties/{number}",
            delete(delete_third_party).patch(rename_third_party),
        )
        .route("/_sandbox/folders/{folder}/exercices/{id}/close", post(close_exercice))
        .route("/_sandbox/folders/{folder}/entries/{entry}", delete(delete_entry))
}

#[derive(Debug, Deserialize)]
struct Rename {
    label: String,
}

/// Renames a client or supplier as a person would in MyUnisoft, and sends the `thirdParty`
/// UPDATE event.
async fn rename_third_party(
    State(shared): State<SharedState>,
    Path((folder, number)): Path<(i64, String)>,
    Json(rename): Json<Rename>,
) -> Response {
    {
        let mut world = shared.world();
        let Ok((folder_data, _)) = world.folder_mut(folder) else {
            return missing("no such folder");
        };
        let found = folder_data
            .accounts
            .iter_mut()
            .find(|a| a.number == number && crate::world::is_third_party_number(&a.number));
        let Some(account) = found else { return missing("no such third party") };
        if let Some(info) = account.info.as_mut() {
            info.name = Some(rename.label.clone());
        }
        account.label = rename.label;
    }
    shared.webhooks.emit(folder, "thirdParty", "UPDATE", json!({ "code": number }));
    StatusCode::NO_CONTENT.into_response()
}

/// Closes a fiscal year as an accountant would, and sends the `exercice` UPDATE event.
async fn close_exercice(
    State(shared): State<SharedState>,
    Path((folder, id)): Path<(i64, i64)>,
) -> Response {
    {
        let mut world = shared.world();
        let Ok((folder_data, _)) = world.folder_mut(folder) else {
            return missing("no such folder");
        };
        let Some(year) = folder_data.exercices.iter_mut().find(|e| e.id == id) else {
            return missing("no such exercice");
        };
        let at = chrono::Utc::now().date_naive();
        year.closure = Some(crate::world::Closure { at, by: (1, "Admin", "Sandbox") });
    }
    let state = json!({ "closed": true });
    shared.webhooks.emit(folder, "exercice", "UPDATE", json!({ "id": id, "currentState": state }));
    StatusCode::NO_CONTENT.into_response()
}

/// Deletes an entry as an accountant would in MyUnisoft, and sends the `accountingLineEntry`
/// DELETE event.
async fn delete_entry(
    State(shared): State<SharedState>,
    Path((folder, entry)): Path<(i64, i64)>,
) -> Response {
    if !shared.world().delete_entry(folder, entry) {
        return missing("no such entry");
    }
    shared.webhooks.emit(folder, "accountingLineEntry", "DELETE", json!({ "id": entry }));
    StatusCode::NO_CONTENT.into_response()
}

fn missing(what: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": what }))).into_response()
}

/// Deletes a client or supplier account as a person would in MyUnisoft (refused while entries
/// use it), and sends the `thirdParty` DELETE event.
async fn delete_third_party(
    State(shared): State<SharedState>,
    Path((folder, number)): Path<(i64, String)>,
) -> Response {
    {
        let mut world = shared.world();
        let Ok((folder_data, _)) = world.folder_mut(folder) else {
            return missing("no such folder");
        };
        let Some(at) = folder_data
            .accounts
            .iter()
            .position(|a| a.number == number && crate::world::is_third_party_number(&a.number))
        else {
            return missing("no such third party");
        };
        let id = folder_data.accounts[at].id;
        let used = folder_data
            .entries
            .iter()
            .chain(&folder_data.pending)
            .any(|e| e.lines.iter().any(|l| l.account_id == id));
        if used {
            let error = json!({ "error": "entries use this account" });
            return (StatusCode::CONFLICT, Json(error)).into_response();
        }
        folder_data.accounts.remove(at);
    }
    shared.webhooks.emit(folder, "thirdParty", "DELETE", json!({ "code": number }));
    StatusCode::NO_CONTENT.into_response()
}

async fn requests(State(shared): State<SharedState>) -> Response {
    let all = shared.log.all();
    Json(all.iter().map(|r| r.view(shared.started)).collect::<Vec<_>>()).into_response()
}

async fn clear_requests(State(shared): State<SharedState>) -> StatusCode {
    shared.log.clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(shared): State<SharedState>) -> Json<Faults> {
    Json(lock(&shared.faults).current())
}

async fn set_faults(State(shared): State<SharedState>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            *lock(&shared.faults) = FaultState::new(faults.clone());
            Json(faults).into_response()
        }
        Err(e) => {
            (StatusCode::BAD_REQUEST, Json(json!({ "error": e.to_string() }))).into_response()
        }
    }
}

async fn stats(State(shared): State<SharedState>) -> Json<super::Stats> {
    Json(shared.limits.stats())
}

async fn validate(
    State(shared): State<SharedState>,
    Path((folder, entry)): Path<(i64, i64)>,
) -> Response {
    match shared.world().validate_pending(folder, entry) {
        Some(id) => Json(json!({ "id_entry": id, "type": "ENTRIES" })).into_response(),
        None => missing("no such pending entry"),
    }
}

#[derive(Debug, Serialize)]
struct TokenInfo {
    name: &'static str,
    token: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    society_id: Option<i64>,
    revoked: bool,
    activated: bool,
}

async fn list_tokens(State(shared): State<SharedState>) -> Response {
    let world = shared.world();
    let issued = [
        ("FIRM", tokens::FIRM, "firm", None, false),
        ("SOCIETY_PORT", tokens::SOCIETY_PORT, "api", Some(4821), false),
        ("SOCIETY_GARAGE", tokens::SOCIETY_GARAGE, "api", Some(4822), false),
        ("REVOKED", tokens::REVOKED, "api", Some(4821), true),
    ];
    let list: Vec<TokenInfo> = issued
        .into_iter()
        .map(|(name, token, kind, society_id, revoked)| TokenInfo {
            name,
            token,
            kind,
            society_id,
            revoked,
            activated: world.activated.contains(token),
        })
        .collect();
    Json(json!({ "partner_secret": PARTNER_SECRET, "tokens": list })).into_response()
}

#[derive(Debug, Deserialize)]
struct Large {
    movements: u64,
    /// Render each large answer once and serve it from memory (for benchmarks).
    #[serde(default)]
    pregenerate: bool,
}

async fn set_large(
    State(shared): State<SharedState>,
    Json(large): Json<Large>,
) -> Json<serde_json::Value> {
    shared.large_movements.store(large.movements, Ordering::Relaxed);
    shared.pregenerate.store(large.pregenerate, Ordering::Relaxed);
    *shared.rendered.lock().unwrap_or_else(|p| p.into_inner()) = None;
    Json(json!({ "movements": large.movements, "pregenerate": large.pregenerate }))
}
