//! The `/api/v1` routes, one module per resource family, merged here. Handlers translate HTTP
//! (parameters, JSON shapes, date formats) and leave the rules to `world/`.

mod accounts;
mod analytics;
mod balance;
mod country;
mod diary;
pub(crate) mod documents;
mod entries;
mod exercices;
mod key;
mod lettering;
pub(crate) mod mad;
mod mad_accounts;
mod mad_reference;
mod movements;
mod payment;
mod rib;
mod society;
mod vat;
mod wire;

use axum::Router;

use super::errors::ApiError;
use super::server::SharedState;

pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .merge(key::router())
        .merge(society::router())
        .merge(exercices::router())
        .merge(accounts::router())
        .merge(mad_accounts::router())
        .merge(mad_reference::router())
        .merge(diary::router())
        .merge(vat::router())
        .merge(payment::router())
        .merge(country::router())
        .merge(analytics::router())
        .merge(rib::router())
        .merge(movements::router())
        .merge(entries::router())
        .merge(balance::router())
        .merge(lettering::router())
        .merge(documents::router())
}

pub(crate) async fn unknown_route() -> ApiError {
    ApiError::not_found("Route")
}
