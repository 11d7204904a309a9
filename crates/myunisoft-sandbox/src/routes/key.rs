//! `GET /key/info[?mode=extended]`: the routes a token may call and, extended, what the token
//! is. The extended call activates a new key.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::params::Params;
use crate::scope::Caller;
use crate::server::SharedState;
use crate::tokens::{Access, SCHEMA_ID, THIRD_PARTY_ID};

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/key/info", get(key_info))
}

/// `(method, path, firm access only)` of every route the sandbox serves.
const ROUTES: &[(&str, &str, bool)] = &[
    ("get", "/api/v1/key/info", false),
    ("get", "/api/v1/society", false),
    ("get", "/api/v1/society/accountingParameters", false),
    ("get", "/api/v1/society/exercice", false),
    ("get", "/api/v1/mad/accountingFolder", false),
    ("get", "/api/v1/mad/exercices", false),
    ("get", "/api/v1/account", false),
    ("get", "/api/v1/account/v2", false),
    ("post", "/api/v1/account", false),
    ("put", "/api/v1/account", true),
    ("put", "/api/v1/account/contact", true),
    ("get", "/api/v1/account/next_lettering", false),
    ("get", "/api/v1/mad/accounts", false),
    ("get", "/api/v1/diary", false),
    ("get", "/api/v1/mad/journals", false),
    ("get", "/api/v1/mad/vats", false),
    ("get", "/api/v1/mad/payments", false),
    ("get", "/api/v1/mad/banks", false),
    ("post", "/api/v1/diary", false),
    ("get", "/api/v1/vat_param", false),
    ("get", "/api/v1/payment_type", false),
    ("get", "/api/v1/analytics/axes", false),
    ("get", "/api/v1/analytics/axes/:id_axe", false),
    ("get", "/api/v1/analytics/axes/:id_axe/sections", false),
    ("post", "/api/v1/analytics/axes/:id_axe/sections", false),
    ("get", "/api/v1/analytics/axes/:id_axe/defaultsection", false),
    ("get", "/api/v1/analytics/sections/:id_section", false),
    ("put", "/api/v1/analytics/sections/:id_section", false),
    ("get", "/api/v1/mad/analytics", false),
    ("get", "/api/v1/rib", false),
    ("post", "/api/v1/rib", false),
    ("get", "/api/v1/mad/balance", false),
    ("get", "/api/v1/mad/movements", false),
    ("get", "/api/v1/mad/entries", false),
    ("get", "/api/v1/mad/entry", false),
    ("get", "/api/v1/entry/id", false),
    ("post", "/api/v1/entry", false),
    ("post", "/api/v1/entry/temp", false),
    ("put", "/api/v1/entry/lettering", false),
];

#[derive(Debug, Serialize)]
struct Route {
    path: &'static str,
    method: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    schema_id: i64,
    third_party_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    society_id: Option<i64>,
}

#[derive(Debug, Serialize)]
struct Version {
    current: u32,
    latest: u32,
    beta: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Extended {
    target: Target,
    version: Version,
    can_be_activated: bool,
    is_activated: bool,
    routes: Vec<Route>,
}

async fn key_info(
    State(shared): State<SharedState>,
    Caller(grant): Caller,
    params: Params,
) -> Response {
    let firm = grant.access == Access::Firm;
    let routes: Vec<Route> = ROUTES
        .iter()
        .filter(|(_, _, firm_only)| firm || !firm_only)
        .map(|(method, path, _)| Route { path, method })
        .collect();
    if params.get("mode") != Some("extended") {
        return Json(routes).into_response();
    }
    shared.world().activated.insert(grant.token.clone());
    let target = match grant.access {
        Access::Firm => Target {
            kind: "firm",
            schema_id: SCHEMA_ID,
            third_party_id: THIRD_PARTY_ID,
            society_id: None,
        },
        Access::Society(id) => Target {
            kind: "api",
            schema_id: SCHEMA_ID,
            third_party_id: THIRD_PARTY_ID,
            society_id: Some(id),
        },
    };
    let extended = Extended {
        target,
        version: Version { current: 1, latest: 1, beta: false },
        can_be_activated: true,
        is_activated: true,
        routes,
    };
    Json(extended).into_response()
}
