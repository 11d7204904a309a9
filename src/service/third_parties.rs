//! Clients, suppliers and their contacts.

use chrono::{DateTime, Utc};

use crate::connectors::ThirdParties;
use crate::domain::third_party::{Contact, NewThirdParty, PartyKind, ThirdParty, ThirdPartyPatch};
use crate::error::{AppError, Result};
use crate::service::accounting::Context;
use crate::state::AppState;

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn ThirdParties> {
    let kind = ctx.connection.kind;
    s.connectors
        .third_parties(kind)
        .ok_or(AppError::NotSupported { resource: "clients and suppliers", connector: kind.name() })
}

/// What narrows a list of third parties.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    pub search: Option<&'a str>,
    pub updated_after: Option<DateTime<Utc>>,
}

/// The folder's clients or suppliers matching `search`, changed after `updated_after` (records
/// whose software keeps no modification date are always kept).
pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    kind: PartyKind,
    filter: &Filter<'_>,
) -> Result<Vec<ThirdParty>> {
    let all = connector(s, ctx)?.third_parties(ctx.folder(s, folder).await?, kind).await?;
    let search = filter.search.map(str::trim).filter(|q| !q.is_empty());
    Ok(all
        .into_iter()
        .filter(|t| search.is_none_or(|q| t.matches(q)))
        .filter(|t| match (filter.updated_after, t.last_updated_on) {
            (Some(after), Some(updated)) => updated > after,
            _ => true,
        })
        .collect())
}

pub async fn get(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    kind: PartyKind,
    id: &str,
) -> Result<ThirdParty> {
    let all = connector(s, ctx)?.third_parties(ctx.folder(s, folder).await?, kind).await?;
    all.into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| AppError::NotFound { resource: kind.resource(), id: id.to_owned() })
}

pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    kind: PartyKind,
    new: &NewThirdParty,
    merge_with: Option<&str>,
) -> Result<ThirdParty> {
    let created = connector(s, ctx)?
        .create_third_party(ctx.folder(s, folder).await?, kind, new, merge_with)
        .await?;
    tracing::info!(partner.id = %created.id, kind = kind.noun(), "third party created");
    Ok(created)
}

pub async fn update(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    kind: PartyKind,
    id: &str,
    patch: &ThirdPartyPatch,
) -> Result<ThirdParty> {
    Ok(connector(s, ctx)?.update_third_party(ctx.folder(s, folder).await?, kind, id, patch).await?)
}

pub async fn contacts(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    kind: PartyKind,
    id: &str,
) -> Result<Vec<Contact>> {
    Ok(connector(s, ctx)?.contacts(ctx.folder(s, folder).await?, kind, id).await?)
}
