//! Open items of the folder's clients or suppliers.

use crate::domain::outstanding::{Outstanding, OutstandingFilter};
use crate::error::{AppError, Result};
use crate::service::accounting::Context;
use crate::state::AppState;

pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    filter: OutstandingFilter,
) -> Result<Vec<Outstanding>> {
    let kind = ctx.connection.kind;
    let connector = s
        .connectors
        .outstandings(kind)
        .ok_or(AppError::NotSupported { resource: "outstandings", connector: kind.name() })?;
    Ok(connector.outstandings(ctx.folder(s, folder).await?, filter).await?)
}
