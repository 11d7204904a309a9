//! Consumers of the calling account.

use uuid::Uuid;

use crate::auth::tenant::TenantContext;
use crate::domain::consumer::{Consumer, ConsumerFilter, ConsumerPatch, NewConsumer};
use crate::domain::Resource;
use crate::error::{AppError, Result};
use crate::state::AppState;

fn not_found(id: Uuid) -> AppError {
    AppError::NotFound { resource: Resource::Consumer, id: id.to_string() }
}

pub async fn list(
    s: &AppState,
    t: &TenantContext,
    filter: &ConsumerFilter,
) -> Result<Vec<Consumer>> {
    Ok(s.store.consumers().list(t.account_id, filter).await?)
}

pub async fn create(s: &AppState, t: &TenantContext, new: &NewConsumer) -> Result<Consumer> {
    let consumer = s.store.consumers().insert(t.account_id, new).await?;
    tracing::info!(consumer.id = %consumer.id, "consumer created");
    Ok(consumer)
}

/// The consumer, if it belongs to the caller: another account's consumer is a 404, not a 403.
pub async fn get(s: &AppState, t: &TenantContext, id: Uuid) -> Result<Consumer> {
    if let Some(kept) = s.tenancy.consumer(t.account_id, id) {
        return Ok(kept);
    }
    let seen = s.tenancy.epoch();
    let consumer =
        s.store.consumers().find(t.account_id, id).await?.ok_or_else(|| not_found(id))?;
    s.tenancy.keep_consumer(seen, &consumer);
    Ok(consumer)
}

pub async fn update(
    s: &AppState,
    t: &TenantContext,
    id: Uuid,
    patch: &ConsumerPatch,
) -> Result<Consumer> {
    let updated = s.store.consumers().update(t.account_id, id, patch).await?;
    s.tenancy.forget(id);
    updated.ok_or_else(|| not_found(id))
}

pub async fn delete(s: &AppState, t: &TenantContext, id: Uuid) -> Result<()> {
    // Its connections' data layer rows go with it: their MyUnisoft webhooks go first.
    get(s, t, id).await?;
    crate::service::datalayer::forget_consumer(s, t, id).await?;
    let deleted = s.store.consumers().delete(t.account_id, id).await?;
    s.tenancy.forget(id);
    if !deleted {
        return Err(not_found(id));
    }
    tracing::info!(consumer.id = %id, "consumer deleted with its connections");
    Ok(())
}

/// The name of the calling account, for `include_account=true`.
pub async fn account_name(s: &AppState, t: &TenantContext) -> Result<String> {
    let account = s.store.accounts().find(t.account_id).await?;
    Ok(account.ok_or(AppError::Unauthenticated)?.name)
}
