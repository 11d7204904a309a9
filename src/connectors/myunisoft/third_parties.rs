//! Clients and suppliers over MyUnisoft's 411/401 accounts: glue between the trait and the
//! mappings.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;

use super::client::{Call, Retry};
use super::error::{undecodable, SOFTWARE};
use super::mapping::third_party as map;
use super::{dto, MyUnisoft};
use crate::connectors::{
    ConnectorError, ConnectorResult, FolderScope, PartyContacts, ThirdParties, WriteError,
};
use crate::domain::third_party::{Contact, NewThirdParty, PartyKind, ThirdParty, ThirdPartyPatch};

/// Third-party account numbers are at most this long unless the folder says otherwise.
const DEFAULT_THIRD_PARTY_LENGTH: usize = 10;

#[derive(Deserialize)]
struct AccountingParameters {
    #[serde(default)]
    max_car_third_p_account: Option<usize>,
}

impl MyUnisoft {
    async fn accounts_of(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
    ) -> ConnectorResult<Vec<dto::AccountDetails>> {
        let call = Call::get("/account/v2").query("begin_by", kind.root()).query("details", true);
        self.read(scope, call).await
    }

    async fn countries(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<dto::Country>> {
        self.read(scope, Call::get("/country")).await
    }

    async fn third_party_length(&self, scope: FolderScope<'_>) -> ConnectorResult<usize> {
        let params: AccountingParameters =
            self.read(scope, Call::get("/society/accountingParameters")).await?;
        Ok(params.max_car_third_p_account.unwrap_or(DEFAULT_THIRD_PARTY_LENGTH))
    }

    async fn account_of(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        id: &str,
    ) -> ConnectorResult<dto::AccountDetails> {
        let all = self.accounts_of(scope, kind).await?;
        all.into_iter().find(|a| a.account_id.to_string() == id).ok_or_else(|| {
            ConnectorError::NotFound {
                software: SOFTWARE,
                resource: kind.resource(),
                id: id.to_owned(),
            }
        })
    }

    /// Writes an account with its complementary information, then reads it back.
    async fn save(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        method: Method,
        body: dto::ThirdPartyWrite,
    ) -> Result<ThirdParty, WriteError> {
        let value = serde_json::to_value(&body).map_err(|e| undecodable("/account", e))?;
        let saved: dto::UpsertedAccount =
            self.write(scope, Call::write(method, "/account", value, Retry::Safe)).await?;
        let account = self.account_of(scope, kind, &saved.account_id.to_string()).await?;
        Ok(map::third_party(&account, &self.countries(scope).await?))
    }
}

#[async_trait]
impl ThirdParties for MyUnisoft {
    /// `GET /account/v2?begin_by=411|401&details=true`, one call per cache lifetime.
    async fn third_parties(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
    ) -> ConnectorResult<Vec<ThirdParty>> {
        let accounts = self.accounts_of(scope, kind).await?;
        let countries = self.countries(scope).await?;
        Ok(accounts.iter().map(|a| map::third_party(a, &countries)).collect())
    }

    /// `POST /account` (find-or-create) with the complementary information, after checking that
    /// no record of this kind has the same number, SIREN or name.
    async fn create_third_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        new: &NewThirdParty,
        merge_with: Option<&str>,
    ) -> Result<ThirdParty, WriteError> {
        let countries = self.countries(scope).await?;
        let existing = self.accounts_of(scope, kind).await?;
        let (base, merged_number) = match merge_with {
            Some(id) => {
                let other = self.account_of(scope, kind.other(), id).await?;
                let code = other.account_number.get(3..).unwrap_or_default().to_owned();
                (
                    map::info_write(other.complementary_informations.as_ref()),
                    Some(format!("{}{code}", kind.root())),
                )
            }
            None => (dto::InfoWrite::default(), None),
        };
        let taken: Vec<String> = existing.iter().map(|a| a.account_number.clone()).collect();
        let requested = new.account_number.as_deref().or(merged_number.as_deref());
        let number = map::account_number(
            kind,
            requested,
            &new.name,
            &taken,
            self.third_party_length(scope).await?,
        )?;
        let current: Vec<ThirdParty> =
            existing.iter().map(|a| map::third_party(a, &countries)).collect();
        if let Some(twin) = map::duplicate_of(&number, new, &current) {
            return Err(WriteError::Duplicate { resource: kind.resource(), id: twin.id.clone() });
        }
        let info = map::new_info(new, base, &countries)?;
        let body = dto::ThirdPartyWrite {
            account_id: None,
            account_number: number,
            label: new.name.trim().to_owned(),
            provider: kind == PartyKind::Supplier,
            complementary_info: info,
        };
        self.save(scope, kind, Method::POST, body).await
    }

    /// Read, merge, `PUT /account` (MyUnisoft replaces the whole account), read back.
    async fn update_third_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        id: &str,
        patch: &ThirdPartyPatch,
    ) -> Result<ThirdParty, WriteError> {
        let current = self.account_of(scope, kind, id).await?;
        let countries = self.countries(scope).await?;
        let base = map::info_write(current.complementary_informations.as_ref());
        let info = map::patched_info(patch, base, &countries)?;
        let label = patch
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&current.label)
            .to_owned();
        let body = dto::ThirdPartyWrite {
            account_id: Some(current.account_id),
            account_number: current.account_number.clone(),
            label,
            provider: kind == PartyKind::Supplier,
            complementary_info: info,
        };
        self.save(scope, kind, Method::PUT, body).await
    }

    async fn contacts(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
        id: &str,
    ) -> ConnectorResult<Vec<Contact>> {
        Ok(map::contacts(&self.account_of(scope, kind, id).await?))
    }

    async fn contacts_by_party(
        &self,
        scope: FolderScope<'_>,
        kind: PartyKind,
    ) -> ConnectorResult<Vec<PartyContacts>> {
        let accounts = self.accounts_of(scope, kind).await?;
        Ok(accounts
            .iter()
            .map(|a| PartyContacts { party: a.account_id.to_string(), contacts: map::contacts(a) })
            .collect())
    }
}
