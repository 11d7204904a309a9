//! Analytic accounts of the consumer's folder, in the default plan or a named one.

use crate::connectors::Analytics;
use crate::domain::analytics::{
    AnalyticAccount, AnalyticAccountPatch, NewAnalyticAccount, PlanRef,
};
use crate::error::{AppError, Result};
use crate::service::accounting::Context;
use crate::state::AppState;

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn Analytics> {
    let kind = ctx.connection.kind;
    s.connectors
        .analytics(kind)
        .ok_or(AppError::NotSupported { resource: "analytic accounts", connector: kind.name() })
}

/// The accounts of one plan, or of every plan (`None`).
pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    plan: Option<PlanRef<'_>>,
) -> Result<Vec<AnalyticAccount>> {
    Ok(connector(s, ctx)?.analytic_accounts(ctx.folder(s, folder).await?, plan).await?)
}

pub async fn get(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    plan: PlanRef<'_>,
    id: &str,
) -> Result<AnalyticAccount> {
    Ok(connector(s, ctx)?.analytic_account(ctx.folder(s, folder).await?, plan, id).await?)
}

pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    plan: PlanRef<'_>,
    new: &NewAnalyticAccount,
) -> Result<AnalyticAccount> {
    let scope = ctx.folder(s, folder).await?;
    let created = connector(s, ctx)?.create_analytic_account(scope, plan, new).await?;
    tracing::info!(analytic_account.id = %created.id, plan = %created.analytic_plan, "analytic account created");
    Ok(created)
}

pub async fn update(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    plan: PlanRef<'_>,
    id: &str,
    patch: &AnalyticAccountPatch,
) -> Result<AnalyticAccount> {
    let scope = ctx.folder(s, folder).await?;
    Ok(connector(s, ctx)?.update_analytic_account(scope, plan, id, patch).await?)
}
