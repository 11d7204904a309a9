//! `GET /payment_type`: the folder's six payment methods (ids differ per folder).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::errors::ApiResult;
use crate::scope::FolderId;
use crate::server::SharedState;

pub(super) fn router() -> Router<SharedState> {
    Router::new().route("/payment_type", get(list_payment_types))
}

#[derive(Debug, Serialize)]
struct PaymentTypeOut {
    payment_type_id: i64,
    name: &'static str,
    code: &'static str,
}

async fn list_payment_types(
    State(shared): State<SharedState>,
    FolderId(id): FolderId,
) -> ApiResult<Json<Vec<PaymentTypeOut>>> {
    let world = shared.world();
    let list = world
        .folder(id)?
        .payment_types
        .iter()
        .map(|p| PaymentTypeOut { payment_type_id: p.id, name: p.name, code: p.code })
        .collect();
    Ok(Json(list))
}
