//! `/consumers/{consumer_id}/accounting/…`: the Chift accounting API, served by the consumer's
//! active connection.

mod analytics;
mod attachments;
mod banking;
mod fec;
mod folders;
mod invoices;
mod journal_entries;
mod journals;
mod ledger;
mod matching;
mod operations;
mod outstandings;
mod reference;
mod third_parties;

use std::future::Future;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use crate::auth::tenant::TenantContext;
use crate::connectors::raw;
use crate::domain::Invalid;
use crate::error::Result;
use crate::service::accounting::{self as service, Context, Selector};
use crate::service::postings::Replay;
use crate::state::AppState;

/// The headers of an accounting call that Passerelle acts on.
#[derive(Debug, Clone, Default)]
pub struct ChiftHeaders {
    /// `x-chift-connectionid`: which connection serves the call.
    pub connection: Option<Uuid>,
    /// `x-chift-raw-data: true`: add the upstream calls and answers as `raw_data`.
    pub raw: bool,
    /// `x-chift-client-requestid`: a write done once per id.
    pub request_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ChiftHeaders {
    type Rejection = crate::error::AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let text =
            |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let connection = text("x-chift-connectionid")
            .filter(|v| !v.is_empty())
            .map(|v| {
                Uuid::parse_str(v).map_err(|_| {
                    Invalid::header("x-chift-connectionid", "must be a connection id (uuid)")
                })
            })
            .transpose()?;
        let raw = text("x-chift-raw-data").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let request_id = crate::api::connections::client_request_id(&parts.headers)?;
        Ok(Self { connection, raw, request_id })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConsumerPath {
    pub consumer_id: Uuid,
}

/// `folder_id`: the MyUnisoft society id. Optional with a society token, required with a firm token.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FolderQuery {
    pub folder_id: Option<String>,
}

/// Chift pagination: `page` ≥ 1 (default 1), `size` 1..100 (default 50).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub folder_id: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub struct Pagination {
    pub page: u32,
    pub size: u32,
}

impl Pagination {
    /// Chift's bounds and defaults, for any query that carries `page` and `size`.
    pub fn new(page: Option<u32>, size: Option<u32>) -> Result<Self, Invalid> {
        let page = page.unwrap_or(1);
        let size = size.unwrap_or(50);
        if page < 1 {
            return Err(Invalid::query("page", "must be at least 1"));
        }
        if !(1..=100).contains(&size) {
            return Err(Invalid::query("size", "must be between 1 and 100"));
        }
        Ok(Self { page, size })
    }
}

impl ListQuery {
    pub fn pagination(&self) -> Result<Pagination, Invalid> {
        Pagination::new(self.page, self.size)
    }
}

/// `ChiftPage_<T>`: one page of a list and the total across all pages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub size: u32,
    /// With `x-chift-raw-data: true`: the upstream calls made and their answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_data: Option<Value>,
}

/// One object, with `raw_data` beside its fields when asked for.
#[derive(Debug, Serialize)]
pub struct WithRaw<T> {
    #[serde(flatten)]
    pub item: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_data: Option<Value>,
}

/// Runs `work`, capturing its upstream calls when the client asked for raw data.
async fn with_raw<T>(
    headers: &ChiftHeaders,
    work: impl Future<Output = Result<T>>,
) -> Result<(T, Option<Value>)> {
    if !headers.raw {
        return Ok((work.await?, None));
    }
    let (out, calls) = raw::capture(work).await;
    Ok((out?, Some(serde_json::json!({ "calls": calls }))))
}

/// A page of what `work` lists.
async fn paged<T>(
    headers: &ChiftHeaders,
    p: Pagination,
    work: impl Future<Output = Result<Vec<T>>>,
) -> Result<Json<Page<T>>> {
    let (all, raw_data) = with_raw(headers, work).await?;
    let total = all.len() as u64;
    let skip = (p.page as usize - 1).saturating_mul(p.size as usize);
    let items = all.into_iter().skip(skip).take(p.size as usize).collect();
    Ok(Json(Page { items, total, page: p.page, size: p.size, raw_data }))
}

/// One object of what `work` finds.
async fn single<T>(
    headers: &ChiftHeaders,
    work: impl Future<Output = Result<T>>,
) -> Result<Json<WithRaw<T>>> {
    let (item, raw_data) = with_raw(headers, work).await?;
    Ok(Json(WithRaw { item, raw_data }))
}

/// The replay key of a write: its `x-chift-client-requestid` and its route.
fn replay<'h>(h: &'h ChiftHeaders, route: &'static str) -> Replay<'h> {
    Replay { client_request_id: h.request_id.as_deref(), method: "POST", route }
}

async fn context(
    s: &AppState,
    t: &TenantContext,
    consumer: Uuid,
    headers: &ChiftHeaders,
) -> Result<Context> {
    service::context(s, t, consumer, &Selector { connection: headers.connection, folder: None })
        .await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(folders::router())
        .merge(ledger::router())
        .merge(journals::router())
        .merge(journal_entries::router())
        .merge(reference::router())
        .merge(banking::router())
        .merge(fec::router())
        .merge(analytics::router())
        .merge(outstandings::router())
        .merge(matching::router())
        .merge(invoices::router())
        .merge(operations::router())
        .merge(attachments::router())
        .merge(third_parties::router())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_follows_chift_bounds() {
        let q = |page, size| ListQuery { page, size, folder_id: None };
        let p = q(None, None).pagination().unwrap();
        assert_eq!((p.page, p.size), (1, 50));
        assert_eq!(q(Some(0), None).pagination().unwrap_err().field, "page");
        assert_eq!(q(None, Some(101)).pagination().unwrap_err().field, "size");
        assert_eq!(q(None, Some(0)).pagination().unwrap_err().field, "size");
        assert!(q(Some(3), Some(100)).pagination().is_ok());
    }

    #[tokio::test]
    async fn pages_slice_the_list_and_count_it_all() {
        let page = paged(&ChiftHeaders::default(), Pagination { page: 2, size: 2 }, async {
            Ok(vec![1, 2, 3, 4, 5])
        })
        .await
        .unwrap();
        assert_eq!((page.0.items.clone(), page.0.total), (vec![3, 4], 5));
        let past =
            paged(&ChiftHeaders::default(), Pagination { page: 9, size: 2 }, async { Ok(vec![1]) })
                .await
                .unwrap();
        assert!(past.0.items.is_empty() && past.0.total == 1);
    }
}
