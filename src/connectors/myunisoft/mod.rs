//! The MyUnisoft connector: the capability traits implemented over [`client::Client`]. Glue only:
//! wire shapes live in `dto`, conversions in `mapping`.

mod analytics;
pub mod client;
mod documents;
mod dto;
mod entries;
mod error;
mod lettering;
mod mapping;
mod movements;
mod outstandings;
mod posting;
mod streamed;
mod third_parties;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use self::client::{Auth, Call, Client, MyUnisoftCredentials, Retry};
use self::error::undecodable;
use super::cache::{Lookup, ReferenceCache, Scope};
use super::{
    Activation, Banking, ConnectorCredentials, ConnectorError, ConnectorResult, FolderScope,
    Folders, Ledger, Payroll, TenantConnection, WriteError,
};
use crate::domain::accounting::{
    AccountBalance, BalanceFilter, BankAccount, BookYear, Employee, Folder, Journal, JournalInType,
    LedgerAccount, NewBankAccount, NewJournal, NewLedgerAccount, PaymentMethod, PaymentTerm,
    VatCode,
};
use crate::domain::connection::{ConnectionFacts, Credentials};
use crate::domain::{Invalid, Refusal};

pub struct MyUnisoft {
    client: Client,
    cache: ReferenceCache,
}

fn decode<T: DeserializeOwned>(path: &str, value: &Value) -> ConnectorResult<T> {
    T::deserialize(value).map_err(|e| undecodable(path, e))
}

/// Headers for a connection: a firm token names the folder with `society-id`; a society
/// token's folder is implicit.
fn auth(connection: &TenantConnection, folder: Option<i64>) -> Auth<'_> {
    let ConnectorCredentials::MyUnisoft(credentials) = &connection.credentials;
    let society = match connection.facts {
        ConnectionFacts::Firm { .. } => folder,
        ConnectionFacts::Society { .. } => None,
    };
    Auth::new(credentials, society)
}

fn today() -> String {
    chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string()
}

impl super::Fresh for MyUnisoft {
    fn forget(&self, connection: Uuid, folder: Option<i64>) {
        self.cache.invalidate(&Scope { connection, folder });
    }
}

impl MyUnisoft {
    pub fn new(client: Client, cache_ttl: Duration, cache_bytes: usize) -> Self {
        Self { client, cache: ReferenceCache::new(cache_ttl, cache_bytes) }
    }

    /// A read through the reference cache of the connection's folder.
    async fn cached(
        &self,
        connection: &TenantConnection,
        folder: Option<i64>,
        call: Call,
    ) -> ConnectorResult<Arc<Value>> {
        let auth = auth(connection, folder);
        let scope = Scope { connection: connection.id, folder };
        let (value, lookup) =
            self.cache.get_or_load(&scope, &call.key(), || self.client.send(&auth, &call)).await?;
        self.client.metrics().cache_lookup(lookup == Lookup::Hit);
        if lookup == Lookup::Hit {
            client::record_raw(&call, true, &value);
        }
        Ok(value)
    }

    async fn read<T: DeserializeOwned>(
        &self,
        scope: FolderScope<'_>,
        call: Call,
    ) -> ConnectorResult<T> {
        let path = call.path;
        let value = self.cached(scope.connection, Some(scope.folder), call).await?;
        decode(path, &value)
    }

    async fn write<T: DeserializeOwned>(
        &self,
        scope: FolderScope<'_>,
        call: Call,
    ) -> ConnectorResult<T> {
        let auth = auth(scope.connection, Some(scope.folder));
        let result = self.client.send(&auth, &call).await;
        // Whatever the outcome, the folder's reference data may have changed.
        self.cache
            .invalidate(&Scope { connection: scope.connection.id, folder: Some(scope.folder) });
        decode(call.path, &result?)
    }

    /// A read that bypasses the reference cache (entries and movements change all the time).
    async fn fresh<T: DeserializeOwned>(
        &self,
        scope: FolderScope<'_>,
        call: Call,
    ) -> ConnectorResult<T> {
        let auth = auth(scope.connection, Some(scope.folder));
        decode(call.path, &self.client.send(&auth, &call).await?)
    }

    async fn societies(&self, connection: &TenantConnection) -> ConnectorResult<Vec<dto::Society>> {
        let value = self.cached(connection, None, Call::get("/society")).await?;
        Ok(match connection.facts {
            ConnectionFacts::Firm { .. } => {
                decode::<dto::SocietyList>("/society", &value)?.society_array
            }
            ConnectionFacts::Society { .. } => vec![decode("/society", &value)?],
        })
    }

    async fn diaries(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<dto::Diary>> {
        self.read(scope, Call::get("/diary")).await
    }

    async fn chart(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<dto::DetailedAccount>> {
        Ok(self
            .read::<dto::AccountPage>(scope, Call::get("/account").query("mode", 2))
            .await?
            .account_array)
    }

    /// The bank journal `code`, created (with a new 512 ledger account) when it does not exist.
    async fn bank_journal(
        &self,
        scope: FolderScope<'_>,
        new: &NewBankAccount,
    ) -> Result<(i64, Vec<String>), WriteError> {
        let diaries = self.diaries(scope).await?;
        if let Some(d) = diaries.iter().find(|d| d.code.as_deref() == Some(new.code.as_str())) {
            if d.diary_type_code.as_deref() != Some("BQ") {
                return Err(Invalid::body(
                    "code",
                    format!("journal {} exists and is not a bank journal", new.code),
                )
                .into());
            }
            return Ok((d.diary_id, vec![]));
        }
        let used: Vec<String> =
            self.chart(scope).await?.into_iter().map(|a| a.account_number).collect();
        let number =
            (1..1000).map(|n| format!("512{n:03}")).find(|n| !used.contains(n)).ok_or_else(
                || Invalid::body("code", "no free 512xxx ledger account is left in this folder"),
            )?;
        let name = new.account_name.clone().unwrap_or_else(|| new.bank_name.clone());
        let upsert = dto::UpsertAccount { account_number: &number, label: &name };
        let body = serde_json::to_value(&upsert).map_err(|e| undecodable("/account", e))?;
        let account: dto::UpsertedAccount =
            self.write(scope, Call::write(Method::POST, "/account", body, Retry::Safe)).await?;
        let diary = dto::NewDiary {
            code: &new.code,
            name: &name,
            diary_type_id: 3,
            diary_account_id: Some(account.account_id),
        };
        let body = serde_json::to_value(&diary).map_err(|e| undecodable("/diary", e))?;
        let created: dto::CreatedDiary = self
            .write(scope, Call::write(Method::POST, "/diary", body, Retry::Never))
            .await
            .map_err(|e| partial(vec![format!("ledger account {number}")], e))?;
        Ok((
            created.diary_id,
            vec![format!("ledger account {number}"), format!("bank journal {}", new.code)],
        ))
    }
}

/// A multi-step write that failed after some steps were done: say what exists now.
fn partial(created: Vec<String>, error: ConnectorError) -> WriteError {
    if created.is_empty() {
        return error.into();
    }
    WriteError::Partial { created, error }
}

#[async_trait]
impl Activation for MyUnisoft {
    /// `GET /key/info?mode=extended` (which also activates a new key); a firm token's folders
    /// come from `GET /society`.
    async fn activate(
        &self,
        connection: Uuid,
        credentials: &Credentials,
    ) -> ConnectorResult<ConnectionFacts> {
        let credentials = MyUnisoftCredentials::try_from(credentials)?;
        let auth = Auth::new(&credentials, None);
        let info =
            self.client.send(&auth, &Call::get("/key/info").query("mode", "extended")).await?;
        let info: dto::KeyInfo = decode("/key/info", &info)?;
        match info.target.kind.as_str() {
            "firm" => {
                let list = self.client.send(&auth, &Call::get("/society")).await?;
                let list: dto::SocietyList = decode("/society", &list)?;
                let folders = list.society_array.iter().map(|s| s.society_id).collect();
                self.cache.invalidate(&Scope { connection, folder: None });
                Ok(ConnectionFacts::Firm {
                    schema_id: info.target.schema_id,
                    folders,
                    selected: None,
                })
            }
            _ => {
                let society_id = info.target.society_id.ok_or_else(|| {
                    undecodable("/key/info", "a society token without target.societyId")
                })?;
                Ok(ConnectionFacts::Society { society_id, schema_id: info.target.schema_id })
            }
        }
    }
}

#[async_trait]
impl Folders for MyUnisoft {
    async fn folders(&self, connection: &TenantConnection) -> ConnectorResult<Vec<Folder>> {
        Ok(self.societies(connection).await?.iter().map(mapping::folder::folder).collect())
    }
}

#[async_trait]
impl Ledger for MyUnisoft {
    async fn bookyears(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<BookYear>> {
        let list: Vec<dto::Exercice> = self.read(scope, Call::get("/society/exercice")).await?;
        let mut years = list
            .iter()
            .map(|e| {
                mapping::bookyear::bookyear(e)
                    .map_err(|reason| undecodable("/society/exercice", reason))
            })
            .collect::<ConnectorResult<Vec<_>>>()?;
        years.sort_by_key(|y| y.start);
        Ok(years)
    }

    async fn accounts(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<LedgerAccount>> {
        let mut accounts: Vec<_> =
            self.chart(scope).await?.iter().map(mapping::account::ledger_account).collect();
        accounts.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(accounts)
    }

    async fn create_account(
        &self,
        scope: FolderScope<'_>,
        new: &NewLedgerAccount,
    ) -> Result<LedgerAccount, WriteError> {
        let body = mapping::account::upsert_account(new)?;
        let body = serde_json::to_value(&body).map_err(|e| undecodable("/account", e))?;
        let created: dto::UpsertedAccount =
            self.write(scope, Call::write(Method::POST, "/account", body, Retry::Safe)).await?;
        Ok(mapping::account::upserted_account(&created))
    }

    async fn balances(
        &self,
        scope: FolderScope<'_>,
        filter: &BalanceFilter,
    ) -> Result<Vec<AccountBalance>, WriteError> {
        let months = mapping::balance::months(filter)?;
        let years = self.bookyears(scope).await?;
        let year = years.iter().find(|y| y.start <= months.end && months.end <= y.end).ok_or_else(
            || {
                Invalid::body(
                    "end",
                    format!("no fiscal year of this folder contains {}", filter.end),
                )
            },
        )?;
        let mut call =
            Call::get("/mad/movements").query("version", "1.0.0").query("idExercice", &year.id);
        for prefix in &filter.accounts {
            call = call.query("classAccount", format!("{}%", prefix.trim()));
        }
        let movements = self.fresh::<Vec<dto::Movement>>(scope, call).await?;
        Ok(mapping::balance::balances(&filter.accounts, months, year.start, &movements))
    }

    async fn journals(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<Journal>> {
        Ok(self.diaries(scope).await?.iter().map(mapping::journal::journal).collect())
    }

    async fn create_journal(
        &self,
        scope: FolderScope<'_>,
        new: &NewJournal,
    ) -> Result<Journal, WriteError> {
        let code = mapping::journal::journal_code(&new.code)?;
        if new.name.trim().is_empty() {
            return Err(Invalid::body("name", "must not be empty").into());
        }
        let needs_account = matches!(new.journal_type, JournalInType::Bank | JournalInType::Cash);
        let account_id = match (&new.counterpart_account, needs_account) {
            (None, true) => {
                return Err(Invalid::body(
                    "counterpart_account",
                    "required for bank and cash journals (a 512 or 53 account)",
                )
                .into())
            }
            (None, false) => None,
            (Some(number), _) => {
                let chart = self.chart(scope).await?;
                let account = chart.iter().find(|a| &a.account_number == number).ok_or_else(|| {
                    Invalid::body("counterpart_account", format!("no ledger account {number} in this folder; create it with POST /accounts"))
                        .because(Refusal::AccountNumberNotFound)
                })?;
                Some(account.account_id)
            }
        };
        let diary = dto::NewDiary {
            code,
            name: new.name.trim(),
            diary_type_id: mapping::journal::diary_type_id(new.journal_type),
            diary_account_id: account_id.filter(|_| needs_account),
        };
        let body = serde_json::to_value(&diary).map_err(|e| undecodable("/diary", e))?;
        let created: dto::CreatedDiary = self
            .write(scope, Call::write(Method::POST, "/diary", body, Retry::Never))
            .await
            .map_err(|e| mapping::journal::code_taken(e, code))?;
        let diaries = self.diaries(scope).await?;
        let diary = diaries.iter().find(|d| d.diary_id == created.diary_id).ok_or_else(|| {
            undecodable("/diary", format!("created journal {} is not listed", created.diary_id))
        })?;
        Ok(mapping::journal::journal(diary))
    }

    async fn vat_codes(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<VatCode>> {
        let params: Vec<dto::VatParam> = self.read(scope, Call::get("/vat_param")).await?;
        Ok(params.iter().map(mapping::vat::vat_code).collect())
    }

    async fn payment_methods(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<PaymentMethod>> {
        let types: Vec<dto::PaymentType> = self.read(scope, Call::get("/payment_type")).await?;
        Ok(types.iter().map(mapping::reference::payment_method).collect())
    }

    async fn payment_terms(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<PaymentTerm>> {
        let call = Call::get("/account/v2").query("begin_by", 4).query("details", true);
        let accounts: Vec<dto::AccountV2> = self.read(scope, call).await?;
        Ok(mapping::reference::payment_terms(&accounts))
    }
}

#[async_trait]
impl Banking for MyUnisoft {
    async fn bank_accounts(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<BankAccount>> {
        let ribs: Vec<dto::Rib> = self.read(scope, Call::get("/rib")).await?;
        let diaries = self.diaries(scope).await?;
        Ok(ribs.iter().map(|r| mapping::bank::bank_account(r, &diaries)).collect())
    }

    /// A RIB on the bank journal `code` (created with a 512 account when missing).
    async fn create_bank_account(
        &self,
        scope: FolderScope<'_>,
        new: &NewBankAccount,
    ) -> Result<BankAccount, WriteError> {
        if new.currency != "EUR" {
            return Err(Invalid::body("currency", "MyUnisoft bank accounts are in EUR").into());
        }
        let iban = new
            .iban
            .as_deref()
            .map(formats::iban::compact)
            .ok_or_else(|| Invalid::body("iban", "required by MyUnisoft"))?;
        if !formats::iban::is_valid(&iban) {
            return Err(
                Invalid::body("iban", "is not a valid IBAN (ISO 13616 check digits)").into()
            );
        }
        let bic = new.bic.as_deref().map(str::trim).map(str::to_uppercase).ok_or_else(|| {
            Invalid::body(
                "bic",
                "required by MyUnisoft (RIB2): send the bank's BIC with the account",
            )
        })?;
        if let Some(rule) = mapping::bank::bic_error(&bic, &iban) {
            return Err(Invalid::body("bic", rule).into());
        }
        mapping::journal::journal_code(&new.code)?;
        if self.bank_accounts(scope).await?.iter().any(|b| b.iban.as_deref() == Some(iban.as_str()))
        {
            return Err(Invalid::body(
                "iban",
                "this IBAN is already a bank account of the folder (MyUnisoft RIB11)",
            )
            .because(Refusal::BankCodeAlreadyUsed)
            .into());
        }
        let (diary_id, created) = self.bank_journal(scope, new).await?;
        let owner = new.account_name.clone().unwrap_or_else(|| new.bank_name.clone());
        let rib = dto::NewRib {
            banking_integration: false,
            bic: &bic,
            diary_id,
            iban: &iban,
            is_default: false,
            owner: &owner,
            rib_label: &new.bank_name,
            start_date: today(),
        };
        let body = serde_json::to_value(&rib).map_err(|e| undecodable("/rib", e))?;
        self.write::<Value>(scope, Call::write(Method::POST, "/rib", body, Retry::Never))
            .await
            .map_err(|e| partial(created.clone(), e))?;
        let accounts = self.bank_accounts(scope).await.map_err(|e| partial(created.clone(), e))?;
        accounts
            .into_iter()
            .find(|b| b.iban.as_deref() == Some(iban.as_str()))
            .ok_or_else(|| partial(created, undecodable("/rib", "the new RIB is not listed")))
    }
}

#[async_trait]
impl Payroll for MyUnisoft {
    /// Personnel (421) accounts.
    async fn employees(&self, scope: FolderScope<'_>) -> ConnectorResult<Vec<Employee>> {
        let call =
            Call::get("/mad/accounts").query("version", "1.0.0").query("classAccount", "421%");
        let accounts: Vec<dto::MadAccount> = self.read(scope, call).await?;
        Ok(accounts.iter().map(mapping::employee::employee).collect())
    }
}
