//! The one extractor of every `/consumers/{consumer_id}/accounting/…` handler: the caller, the
//! consumer's connection (picked with `x-chift-connectionid`), the Chift headers and the route
//! that matched, which keys a write's `x-chift-client-requestid`.

use std::future::Future;

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::Json;
use serde_json::Value;
use uuid::Uuid;

use super::{Page, Pagination, WithRaw};
use crate::api::extract::{ConsumerPath, ValidPath};
use crate::auth::tenant::TenantContext;
use crate::connectors::deadline::{self, SendBy};
use crate::connectors::raw;
use crate::domain::Invalid;
use crate::error::{AppError, Result};
use crate::service::accounting::{self as service, Context, Selector};
use crate::service::postings::{self, Replay};
use crate::service::quota::Seat;
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

/// An accounting call, resolved: the state, the consumer's connection and the call's headers.
pub struct Accounting {
    pub state: AppState,
    pub ctx: Context,
    pub headers: ChiftHeaders,
    /// The calling API account.
    pub account: Uuid,
    method: String,
    route: String,
    /// When a write must have sent its upstream calls by (set by the request timeout).
    send_by: Option<SendBy>,
    /// The request's place among its account's running ones, held until the handler returns.
    _seat: Seat<Uuid>,
}

impl FromRequestParts<AppState> for Accounting {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let tenant = TenantContext::from_request_parts(parts, state).await?;
        let seat = state
            .requests
            .try_take(tenant.account_id)
            .ok_or(AppError::Busy { what: "accounting requests", limit: state.requests.limit() })?;
        let headers = ChiftHeaders::from_request_parts(parts, state).await?;
        let ValidPath(path) = ValidPath::<ConsumerPath>::from_request_parts(parts, state).await?;
        let route = parts.extensions.get::<MatchedPath>().map(|m| m.as_str().to_owned());
        let route = route.ok_or_else(|| AppError::Internal("no matched route".into()))?;
        let selector = Selector { connection: headers.connection, folder: None };
        let ctx = service::context(state, &tenant, path.consumer_id, &selector).await?;
        crate::api::issues::Watched::note(parts, state, &tenant, &ctx);
        let method = parts.method.as_str().to_owned();
        let send_by = parts.extensions.get::<SendBy>().copied();
        let account = tenant.account_id;
        Ok(Self {
            state: state.clone(),
            ctx,
            headers,
            account,
            method,
            route,
            send_by,
            _seat: seat,
        })
    }
}

impl Accounting {
    /// Runs `work`, capturing its upstream calls when the client asked for raw data.
    async fn with_raw<T>(
        &self,
        work: impl Future<Output = Result<T>>,
    ) -> Result<(T, Option<Value>)> {
        if !self.headers.raw {
            return Ok((work.await?, None));
        }
        let (out, captured) = raw::capture(self.state.limits.raw_data_bytes, work).await;
        let mut raw_data = serde_json::json!({ "calls": captured.calls });
        if captured.truncated {
            raw_data["truncated"] = Value::Bool(true);
        }
        Ok((out?, Some(raw_data)))
    }

    /// A page of what `work` lists.
    pub async fn paged<T>(
        &self,
        p: Pagination,
        work: impl Future<Output = Result<Vec<T>>>,
    ) -> Result<Json<Page<T>>> {
        let (all, raw_data) = self.with_raw(work).await?;
        Ok(Json(Page::of(all, p, raw_data)))
    }

    /// Page `p` as `work` read it upstream: its items and the total across all pages.
    pub async fn paged_upstream<T>(
        &self,
        p: Pagination,
        work: impl Future<Output = Result<(Vec<T>, u64)>>,
    ) -> Result<Json<Page<T>>> {
        let ((items, total), raw_data) = self.with_raw(work).await?;
        Ok(Json(Page { items, total, page: p.page, size: p.size, raw_data }))
    }

    /// One object of what `work` finds.
    pub async fn single<T>(
        &self,
        work: impl Future<Output = Result<T>>,
    ) -> Result<Json<WithRaw<T>>> {
        let (item, raw_data) = self.with_raw(work).await?;
        Ok(Json(WithRaw { item, raw_data }))
    }

    /// A write done once per `x-chift-client-requestid` (keyed by the matched route), answered
    /// as one object; `created` names what it created for `GET …/transactions`. Run it
    /// [`detached`](crate::api::detach::detached).
    pub async fn once<T>(
        &self,
        created: impl Fn(&T) -> Option<String>,
        work: impl Future<Output = Result<T>>,
    ) -> Result<Json<WithRaw<T>>> {
        self.single(self.write(created, work)).await
    }

    /// [`Accounting::once`] without the answer (for writes answered 204).
    pub async fn write<T>(
        &self,
        created: impl Fn(&T) -> Option<String>,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let replay = self.replay();
        let once = postings::once(&self.state, &self.ctx, &replay, created, work);
        deadline::within(self.send_by, once).await
    }

    /// The replay key of a write: its `x-chift-client-requestid`, method and route.
    fn replay(&self) -> Replay<'_> {
        Replay {
            client_request_id: self.headers.request_id.as_deref(),
            method: &self.method,
            route: &self.route,
        }
    }
}
