//! `GET /country`: the countries MyUnisoft knows, with the ids third-party records use.

use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::server::SharedState;
use crate::world::catalog::COUNTRIES;

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/country", get(list_countries))
}

#[derive(Debug, Serialize)]
struct CountryOut {
    id: i64,
    iso: &'static str,
    label: &'static str,
}

async fn list_countries() -> Json<Vec<CountryOut>> {
    Json(COUNTRIES.iter().map(|&(id, iso, label)| CountryOut { id, iso, label }).collect())
}
