//! `/consumers`: the end customers of the calling account.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::extract::{
    max_chars, not_blank, BoolParam, ConsumerPath, ValidJson, ValidPath, ValidQuery, Validate,
};
use crate::auth::tenant::TenantContext;
use crate::domain::consumer::{Consumer, ConsumerFilter, ConsumerPatch, NewConsumer};
use crate::domain::Invalid;
use crate::error::{ErrorBody, Result};
use crate::service::consumers as service;
use crate::state::AppState;

/// `ConsumerItem`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsumerItem {
    pub consumerid: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub created_on: Option<DateTime<Utc>>,
    pub internal_reference: Option<String>,
    pub redirect_url: Option<String>,
    /// Only with `include_account=true`.
    pub account: Option<ConsumerAccountItem>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsumerAccountItem {
    pub name: String,
    pub email: Option<String>,
}

impl ConsumerItem {
    fn new(c: Consumer, account: Option<&str>) -> Self {
        Self {
            consumerid: c.id,
            name: c.name,
            email: c.email,
            created_on: Some(c.created_at),
            internal_reference: c.internal_reference,
            redirect_url: c.redirect_url,
            account: account.map(|name| ConsumerAccountItem { name: name.to_owned(), email: None }),
        }
    }
}

/// `PostConsumerItem`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostConsumerItem {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[schema(max_length = 80)]
    pub email: Option<String>,
    #[schema(max_length = 255)]
    pub internal_reference: Option<String>,
    pub redirect_url: Option<String>,
}

/// `UpdateConsumerItem`: absent or null fields are left as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateConsumerItem {
    #[schema(max_length = 255)]
    pub name: Option<String>,
    #[schema(max_length = 80)]
    pub email: Option<String>,
    #[schema(max_length = 255)]
    pub internal_reference: Option<String>,
    pub redirect_url: Option<String>,
}

/// Rules shared by create and update.
fn check_fields(
    name: Option<&str>,
    email: Option<&str>,
    internal_reference: Option<&str>,
    redirect_url: Option<&str>,
) -> Result<(), Invalid> {
    not_blank("name", name)?;
    max_chars("name", name, 255)?;
    max_chars("email", email, 80)?;
    if let Some(email) = email {
        let shaped = email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
        if !shaped {
            return Err(Invalid::body(
                "email",
                "must be an email address such as name@example.com",
            ));
        }
    }
    max_chars("internal_reference", internal_reference, 255)?;
    if let Some(url) = redirect_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Invalid::body("redirect_url", "must be an http:// or https:// URL"));
        }
    }
    Ok(())
}

impl Validate for PostConsumerItem {
    fn validate(&self) -> Result<(), Invalid> {
        check_fields(
            Some(&self.name),
            self.email.as_deref(),
            self.internal_reference.as_deref(),
            self.redirect_url.as_deref(),
        )
    }
}

impl Validate for UpdateConsumerItem {
    fn validate(&self) -> Result<(), Invalid> {
        check_fields(
            self.name.as_deref(),
            self.email.as_deref(),
            self.internal_reference.as_deref(),
            self.redirect_url.as_deref(),
        )
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsumersQuery {
    /// Partial, case-insensitive match on the name or the email.
    pub search: Option<String>,
    pub internal_reference: Option<String>,
    /// Include the account's name.
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub include_account: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsumerQuery {
    #[param(value_type = Option<BoolParam>, default = "false")]
    pub include_account: Option<bool>,
}

async fn account_name(
    s: &AppState,
    t: &TenantContext,
    wanted: Option<bool>,
) -> Result<Option<String>> {
    match wanted {
        Some(true) => Ok(Some(service::account_name(s, t).await?)),
        _ => Ok(None),
    }
}

/// List the account's consumers (a bare array, oldest first).
#[utoipa::path(get, path = "/consumers", tag = "Consumers", operation_id = "consumers_get_consumers",
    params(ConsumersQuery),
    responses((status = 200, body = Vec<ConsumerItem>), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn list_consumers(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidQuery(q): ValidQuery<ConsumersQuery>,
) -> Result<Json<Vec<ConsumerItem>>> {
    let filter = ConsumerFilter { search: q.search, internal_reference: q.internal_reference };
    let consumers = service::list(&state, &tenant, &filter).await?;
    let account = account_name(&state, &tenant, q.include_account).await?;
    let items = consumers.into_iter().map(|c| ConsumerItem::new(c, account.as_deref()));
    Ok(Json(items.collect()))
}

/// Create a consumer.
#[utoipa::path(post, path = "/consumers", tag = "Consumers", operation_id = "consumers_create_consumer",
    request_body = PostConsumerItem,
    responses((status = 200, body = ConsumerItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn create_consumer(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidJson(body): ValidJson<PostConsumerItem>,
) -> Result<Json<ConsumerItem>> {
    let new = NewConsumer {
        name: body.name,
        email: body.email,
        internal_reference: body.internal_reference,
        redirect_url: body.redirect_url,
    };
    let consumer = service::create(&state, &tenant, &new).await?;
    Ok(Json(ConsumerItem::new(consumer, None)))
}

/// Get one consumer of the account; another account's consumer is a 404.
#[utoipa::path(get, path = "/consumers/{consumer_id}", tag = "Consumers",
    operation_id = "consumers_get_consumer", params(ConsumerPath, ConsumerQuery),
    responses((status = 200, body = ConsumerItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn get_consumer(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<ConsumerPath>,
    ValidQuery(q): ValidQuery<ConsumerQuery>,
) -> Result<Json<ConsumerItem>> {
    let consumer = service::get(&state, &tenant, path.consumer_id).await?;
    let account = account_name(&state, &tenant, q.include_account).await?;
    Ok(Json(ConsumerItem::new(consumer, account.as_deref())))
}

/// Update the fields given; the others keep their value.
#[utoipa::path(patch, path = "/consumers/{consumer_id}", tag = "Consumers",
    operation_id = "consumers_update_consumer", params(ConsumerPath),
    request_body = UpdateConsumerItem,
    responses((status = 200, body = ConsumerItem), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn update_consumer(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<ConsumerPath>,
    ValidJson(body): ValidJson<UpdateConsumerItem>,
) -> Result<Json<ConsumerItem>> {
    let patch = ConsumerPatch {
        name: body.name,
        email: body.email,
        internal_reference: body.internal_reference,
        redirect_url: body.redirect_url,
    };
    let consumer = service::update(&state, &tenant, path.consumer_id, &patch).await?;
    Ok(Json(ConsumerItem::new(consumer, None)))
}

/// Delete a consumer and its connections.
#[utoipa::path(delete, path = "/consumers/{consumer_id}", tag = "Consumers",
    operation_id = "consumers_delete_consumer", params(ConsumerPath),
    responses((status = 204), (status = "4XX", body = ErrorBody)),
    security(("bearerAuth" = [])))]
pub async fn delete_consumer(
    State(state): State<AppState>,
    tenant: TenantContext,
    ValidPath(path): ValidPath<ConsumerPath>,
) -> Result<StatusCode> {
    service::delete(&state, &tenant, path.consumer_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_consumers, create_consumer)).routes(routes!(
        get_consumer,
        update_consumer,
        delete_consumer
    ))
}
