//! Analytic plans and accounts: MyUnisoft axes and sections. The mono-plan routes use the first
//! axis by id. Balances come from the analytics of the class 6 and 7 movements (the only classes
//! MyUnisoft allocates, ANALYT003) of the open fiscal year.

use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::Method;

use super::client::{Call, Retry};
use super::error::{undecodable, SOFTWARE};
use super::mapping::analytics::{self as map, Totals};
use super::{dto, partial, MyUnisoft};
use crate::connectors::{
    Analytics, ConnectorError, ConnectorResult, FolderScope, Ledger, WriteError,
};
use crate::domain::accounting::AnalyticPlan;
use crate::domain::analytics::{
    AnalyticAccount, AnalyticAccountPatch, NewAnalyticAccount, PlanRef,
};
use crate::domain::Resource;
use crate::domain::{Invalid, Refusal};

fn not_found(resource: Resource, id: &str) -> ConnectorError {
    ConnectorError::NotFound { software: SOFTWARE, resource, id: id.to_owned() }
}

/// Writes on a folder without analytics are refused before anything is sent.
fn analytics_off(folder: i64) -> WriteError {
    Invalid::query(
        "folder_id",
        format!(
            "analytics is not enabled on folder {folder} in MyUnisoft (ANALYT005): enable it on \
             the company, or use a folder that has it"
        ),
    )
    .into()
}

/// A section code already used on the axis names the `code` field.
fn code_taken(e: ConnectorError) -> WriteError {
    match &e {
        ConnectorError::Rejected { code, .. } if code == "UNIK1" => {
            Invalid::body("code", "is already used by another analytic account (MyUnisoft UNIK1)")
                .because(Refusal::AnalyticAccountAlreadyExists)
                .into()
        }
        _ => e.into(),
    }
}

fn account(s: &dto::Section, totals: &BTreeMap<String, Totals>) -> AnalyticAccount {
    let id = s.id_section_analytique.to_string();
    map::analytic_account(s, totals.get(&id).copied().unwrap_or_default())
}

fn accounts(
    mut sections: Vec<dto::Section>,
    totals: &BTreeMap<String, Totals>,
) -> Vec<AnalyticAccount> {
    sections.sort_by_key(|s| (s.id_axe, s.id_section_analytique));
    sections.iter().map(|s| account(s, totals)).collect()
}

impl MyUnisoft {
    /// The folder's axes, or `None` when analytics is off for it.
    pub(super) async fn axes(
        &self,
        scope: FolderScope<'_>,
    ) -> ConnectorResult<Option<Vec<dto::Axis>>> {
        let societies = self.societies(scope.connection).await?;
        if !societies.iter().any(|s| s.society_id == scope.folder && s.analytics) {
            return Ok(None);
        }
        Ok(Some(self.read(scope, Call::get("/analytics/axes")).await?))
    }

    /// The axis `plan` names, `None` when the folder has no analytics (or no axis).
    async fn plan_axis(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
    ) -> ConnectorResult<Option<i64>> {
        let Some(axes) = self.axes(scope).await? else { return Ok(None) };
        match plan {
            PlanRef::Default => Ok(map::default_axis(&axes)),
            PlanRef::Id(id) => axes
                .iter()
                .find(|a| a.id_axe.to_string() == id.trim())
                .map(|a| Some(a.id_axe))
                .ok_or_else(|| not_found(Resource::AnalyticPlan, id)),
        }
    }

    /// Every section of an axis, closed ones included.
    pub(super) async fn sections(
        &self,
        scope: FolderScope<'_>,
        axis: i64,
    ) -> ConnectorResult<Vec<dto::Section>> {
        let call = Call::get("/analytics/axes")
            .suffix(format!("/{axis}/sections"))
            .query("closed_section", true);
        self.read(scope, call).await
    }

    /// Section `id` of `axis`: a section or an array of one, an empty array being none.
    async fn section_of(
        &self,
        scope: FolderScope<'_>,
        axis: Option<i64>,
        id: &str,
    ) -> ConnectorResult<dto::Section> {
        let (Some(axis), Ok(number)) = (axis, id.trim().parse::<i64>()) else {
            return Err(not_found(Resource::AnalyticAccount, id));
        };
        let call = Call::get("/analytics/sections").suffix(format!("/{number}"));
        let found: dto::SectionRead = self.read(scope, call).await.map_err(|e| match &e {
            ConnectorError::Rejected { code, .. } if code == "SECTION002" => {
                not_found(Resource::AnalyticAccount, id)
            }
            _ => e,
        })?;
        found
            .into_sections()
            .into_iter()
            .find(|s| s.id_section_analytique == number && s.id_axe == axis)
            .ok_or_else(|| not_found(Resource::AnalyticAccount, id))
    }

    /// What each section (by id) was allocated in the open fiscal year.
    async fn section_totals(
        &self,
        scope: FolderScope<'_>,
    ) -> ConnectorResult<BTreeMap<String, Totals>> {
        let years = self.bookyears(scope).await?;
        let today = chrono::Utc::now().date_naive();
        let Some(year) = map::balance_year(&years, today) else { return Ok(BTreeMap::new()) };
        let call = Call::get("/mad/movements")
            .query("version", "1.0.0")
            .query("idExercice", &year.id)
            .query("classAccount", "6%")
            .query("classAccount", "7%");
        let movements: Vec<dto::Movement> = self.read(scope, call).await?;
        Ok(map::section_totals(&movements))
    }

    async fn with_totals(
        &self,
        scope: FolderScope<'_>,
        section: dto::Section,
    ) -> ConnectorResult<AnalyticAccount> {
        let totals = self.section_totals(scope).await?;
        Ok(account(&section, &totals))
    }

    async fn put_section(
        &self,
        scope: FolderScope<'_>,
        id: i64,
        patch: &dto::SectionPatch<'_>,
    ) -> ConnectorResult<dto::Section> {
        let body =
            serde_json::to_value(patch).map_err(|e| undecodable("/analytics/sections", e))?;
        let call = Call::write(Method::PUT, "/analytics/sections", body, Retry::Safe)
            .suffix(format!("/{id}"));
        self.write(scope, call).await
    }
}

#[async_trait]
impl Analytics for MyUnisoft {
    /// Axes are analytic plans; a folder without analytics has none.
    async fn analytic_plans(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<AnalyticPlan>> {
        let axes = self.axes(scope).await?.unwrap_or_default();
        Ok(axes.iter().map(super::mapping::reference::analytic_plan).collect())
    }

    async fn analytic_accounts(
        &self,
        scope: FolderScope<'_>,
        plan: Option<PlanRef<'_>>,
    ) -> ConnectorResult<Vec<AnalyticAccount>> {
        let axes: Vec<i64> = match plan {
            Some(plan) => self.plan_axis(scope, plan).await?.into_iter().collect(),
            None => self.axes(scope).await?.unwrap_or_default().iter().map(|a| a.id_axe).collect(),
        };
        if axes.is_empty() {
            return Ok(vec![]);
        }
        let mut sections = vec![];
        for axis in axes {
            sections.extend(self.sections(scope, axis).await?);
        }
        let totals = self.section_totals(scope).await?;
        Ok(accounts(sections, &totals))
    }

    async fn analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        id: &str,
    ) -> ConnectorResult<AnalyticAccount> {
        let axis = self.plan_axis(scope, plan).await?;
        let section = self.section_of(scope, axis, id).await?;
        self.with_totals(scope, section).await
    }

    /// A new section (`POST /analytics/axes/{id}/sections`), closed afterwards when created
    /// inactive. A new section has no movements: its balance is 0.
    async fn create_analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        new: &NewAnalyticAccount,
    ) -> Result<AnalyticAccount, WriteError> {
        let body = map::new_section(new)?;
        let axis = self.plan_axis(scope, plan).await?.ok_or_else(|| analytics_off(scope.folder))?;
        let body = serde_json::to_value(&body).map_err(|e| undecodable("/analytics/axes", e))?;
        let call = Call::write(Method::POST, "/analytics/axes", body, Retry::Never)
            .suffix(format!("/{axis}/sections"));
        let mut section: dto::Section = self.write(scope, call).await.map_err(code_taken)?;
        if new.active == Some(false) {
            let close = dto::SectionPatch { closed: Some(true), ..dto::SectionPatch::default() };
            let created = vec![format!("analytic account {}", section.id_section_analytique)];
            section = self
                .put_section(scope, section.id_section_analytique, &close)
                .await
                .map_err(|e| partial(created, e))?;
        }
        Ok(account(&section, &BTreeMap::new()))
    }

    /// `PUT /analytics/sections/{id}` with what the patch changes (nothing is sent for an empty
    /// patch).
    async fn update_analytic_account(
        &self,
        scope: FolderScope<'_>,
        plan: PlanRef<'_>,
        id: &str,
        patch: &AnalyticAccountPatch,
    ) -> Result<AnalyticAccount, WriteError> {
        let body = map::section_patch(patch)?;
        let axis = self.plan_axis(scope, plan).await?.ok_or_else(|| analytics_off(scope.folder))?;
        let mut section = self.section_of(scope, Some(axis), id).await?;
        if body != dto::SectionPatch::default() {
            section = self
                .put_section(scope, section.id_section_analytique, &body)
                .await
                .map_err(code_taken)?;
        }
        Ok(self.with_totals(scope, section).await?)
    }
}
