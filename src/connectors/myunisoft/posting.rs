//! Posting entries through the JSON import, exactly once. Every entry carries its write's
//! `entry_origin_partner_id` (the same on every try of one client request); when its outcome is
//! unknown (the connection dropped, a 5xx, a
//! timeout), `GET /entry/id?id_origin=` tells whether it landed before anything is sent again.
//! The entry is then read back by that id, which survives MyUnisoft's validation of a pending
//! entry.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use rust_decimal::Decimal;

use super::client::{Auth, Call, Failure, Retry, RetryPolicy};
use super::error::{undecodable, SOFTWARE};
use super::mapping::posting as map;
use super::{auth, dto, partial, MyUnisoft};
use crate::connectors::{
    ConnectorError, ConnectorResult, FolderScope, JournalEntries, Ledger, Postings, WriteError,
};
use crate::domain::journal_entry::{AnalyticDistribution, JournalEntry};
use crate::domain::posting::{AccountRef, JournalKind, JournalRef, Matched, Posting};
use crate::domain::third_party::PartyKind;
use crate::domain::write::Write;
use crate::domain::{Invalid, Refusal};

/// How long and how often an entry whose outcome is unknown is looked up and sent again.
const SENDS: RetryPolicy =
    RetryPolicy { attempts: 6, budget: Duration::from_secs(60), ..RetryPolicy::READS };

/// The prefix of the partner ids Passerelle gives entries (MyUnisoft asks for the partner's name).
pub(crate) const ORIGIN_PREFIX: &str = "psrl-";

/// The partner id of the entry `write` posts.
fn origin(write: Write) -> String {
    format!("{ORIGIN_PREFIX}{}", write.id)
}

/// The account of one line: its id once it exists, and what to create when it does not.
#[derive(Debug, Clone)]
struct LineAccount {
    id: i64,
    number: String,
    /// The name and kind of an account still to create.
    create: Option<(String, &'static str)>,
}

impl LineAccount {
    fn known(id: i64, number: &str) -> Self {
        Self { id, number: number.to_owned(), create: None }
    }

    fn missing(number: &str, name: &str, what: &'static str) -> Self {
        Self { id: 0, number: number.to_owned(), create: Some((name.to_owned(), what)) }
    }
}

impl MyUnisoft {
    /// The journal an entry goes to: the one named, or the first open journal of the kind.
    async fn diary_for(
        &self,
        scope: FolderScope<'_>,
        journal: &JournalRef,
    ) -> Result<dto::Diary, WriteError> {
        let diaries = self.diaries(scope).await?;
        let found = match journal {
            JournalRef::Id(id) => {
                let diary = diaries
                    .iter()
                    .find(|d| d.diary_id.to_string() == id.trim())
                    .ok_or_else(|| {
                        Invalid::body(
                            "journal_id",
                            format!("no journal {id} in this folder; list them with GET /journals"),
                        )
                        .because(Refusal::JournalNotFound)
                    })?;
                if diary.blocked || diary.closed {
                    return Err(Invalid::body(
                        "journal_id",
                        format!("journal {id} is closed to new entries (MyUnisoft JOURNAL2)"),
                    )
                    .because(Refusal::JournalNotGoodScope)
                    .into());
                }
                diary
            }
            JournalRef::Default(kind) => {
                let types: &[&str] = match kind {
                    JournalKind::Sales => &["VTE"],
                    JournalKind::Purchases => &["ACH"],
                    JournalKind::Miscellaneous => &["OD"],
                    JournalKind::Expenses => &["NDF", "ACH"],
                };
                let open = |t: &str| {
                    let mut fit: Vec<&dto::Diary> = diaries
                        .iter()
                        .filter(|d| !d.blocked && !d.closed)
                        .filter(|d| d.diary_type_code.as_deref() == Some(t))
                        .collect();
                    fit.sort_by(|a, b| a.code.cmp(&b.code));
                    fit.first().copied()
                };
                types.iter().find_map(|t| open(t)).ok_or_else(|| {
                    Invalid::body(
                        "journal_id",
                        format!("required: this folder has no open {} journal", types.join(" or ")),
                    )
                    .because(Refusal::JournalNotFound)
                })?
            }
        };
        Ok(found.clone())
    }

    /// Fails unless the date falls in an open fiscal year.
    async fn open_year(
        &self,
        scope: FolderScope<'_>,
        date: chrono::NaiveDate,
    ) -> Result<(), WriteError> {
        let years = self.bookyears(scope).await?;
        let year = years.iter().find(|y| y.start <= date && date <= y.end).ok_or_else(|| {
            Invalid::body("date", format!("no fiscal year of this folder contains {date}"))
                .because(Refusal::BookyearNotFound)
        })?;
        if year.closed {
            return Err(ConnectorError::BookyearClosed {
                software: SOFTWARE,
                code: "ECR9".into(),
                message: format!("the fiscal year {} is closed: nothing was sent", year.name),
            }
            .into());
        }
        Ok(())
    }

    /// The account of each line: its MyUnisoft id when it exists, else what to create.
    async fn line_accounts(
        &self,
        scope: FolderScope<'_>,
        posting: &Posting,
    ) -> Result<Vec<LineAccount>, WriteError> {
        let chart = self.chart(scope).await?;
        let known =
            |number: &str| chart.iter().find(|a| a.account_number == number).map(|a| a.account_id);
        let mut out: Vec<LineAccount> = Vec::with_capacity(posting.lines.len());
        for line in &posting.lines {
            let field = format!("{}.account", line.field);
            let planned = match &line.account {
                AccountRef::Partner { kind, id } => chart
                    .iter()
                    .find(|a| {
                        a.account_id.to_string() == id.trim()
                            && a.account_number.starts_with(kind.root())
                    })
                    .map(|a| LineAccount::known(a.account_id, &a.account_number))
                    .ok_or_else(|| {
                        Invalid::body(&field, format!("no {} `{id}` in this folder", kind.noun()))
                            .because(Refusal::PartnerNotFound)
                    })?,
                AccountRef::General { number, create } => match (known(number), create) {
                    (Some(id), _) => LineAccount::known(id, number),
                    (None, Some(name)) => LineAccount::missing(number, name, "ledger account"),
                    (None, None) => {
                        return Err(Invalid::body(
                            &field,
                            format!(
                                "no ledger account {number} in this folder: create it with POST \
                                 /accounts (or send account_info)"
                            ),
                        )
                        .because(Refusal::AccountNumberNotFound)
                        .into())
                    }
                },
                AccountRef::NewPartner { kind, number, name } => match known(number) {
                    Some(id) => LineAccount::known(id, number),
                    None => LineAccount::missing(
                        number,
                        name,
                        match kind {
                            PartyKind::Client => "client account",
                            PartyKind::Supplier => "supplier account",
                            PartyKind::Employee => "employee account",
                        },
                    ),
                },
            };
            // The same new account on two lines is created once.
            let planned = match &planned.create {
                Some(_) => {
                    out.iter().find(|o| o.number == planned.number).cloned().unwrap_or(planned)
                }
                None => planned,
            };
            out.push(planned);
        }
        Ok(out)
    }

    /// Creates the accounts `accounts` lacks (find-or-create); returns what was created.
    async fn create_accounts(
        &self,
        scope: FolderScope<'_>,
        accounts: &mut [LineAccount],
    ) -> Result<Vec<String>, WriteError> {
        let mut created: Vec<String> = Vec::new();
        for i in 0..accounts.len() {
            let Some((name, what)) = accounts[i].create.clone() else { continue };
            let number = accounts[i].number.clone();
            let id = self.upsert_account(scope, &number, &name, &created).await?;
            created.push(format!("{what} {number} (id {id})"));
            for account in accounts.iter_mut().filter(|a| a.number == number) {
                account.id = id;
                account.create = None;
            }
        }
        Ok(created)
    }

    async fn upsert_account(
        &self,
        scope: FolderScope<'_>,
        number: &str,
        name: &str,
        created: &[String],
    ) -> Result<i64, WriteError> {
        let upsert = dto::UpsertAccount { account_number: number, label: name };
        let body = serde_json::to_value(&upsert).map_err(|e| undecodable("/account", e))?;
        let account: dto::UpsertedAccount = self
            .write(scope, Call::write(Method::POST, "/account", body, Retry::Safe))
            .await
            .map_err(|e| partial(created.to_vec(), e))?;
        Ok(account.account_id)
    }

    /// The analytic split of each line, with the axes' and sections' codes and labels.
    async fn line_analytics(
        &self,
        scope: FolderScope<'_>,
        posting: &Posting,
        accounts: &[LineAccount],
    ) -> Result<Vec<Vec<dto::Repartition>>, WriteError> {
        let mut out = Vec::with_capacity(posting.lines.len());
        for (line, LineAccount { number, .. }) in posting.lines.iter().zip(accounts) {
            if line.analytics.is_empty() {
                out.push(Vec::new());
                continue;
            }
            let field = format!("{}.analytic_distribution", line.field);
            if !(number.starts_with('6') || number.starts_with('7')) {
                return Err(Invalid::body(
                    field,
                    format!("only class 6 and 7 accounts take analytics, not {number} (MyUnisoft ANALYT003)"),
                )
                .into());
            }
            let axes = self.axes(scope).await?.ok_or_else(|| {
                Invalid::body(&field, "analytics is off for this folder (MyUnisoft ANALYT005)")
            })?;
            let mut plans = Vec::with_capacity(line.analytics.len());
            for plan in &line.analytics {
                plans.push(
                    self.repartition(scope, &axes, plan, line.debit + line.credit, &field).await?,
                );
            }
            out.push(plans);
        }
        Ok(out)
    }

    async fn repartition(
        &self,
        scope: FolderScope<'_>,
        axes: &[dto::Axis],
        plan: &AnalyticDistribution,
        amount: Decimal,
        field: &str,
    ) -> Result<dto::Repartition, WriteError> {
        let axis = axes
            .iter()
            .find(|a| a.id_axe.to_string() == plan.analytic_plan.trim())
            .ok_or_else(|| {
                Invalid::body(field, format!("no analytic plan {}", plan.analytic_plan))
                    .because(Refusal::AnalyticPlanNotFound)
            })?;
        let sections = self.sections(scope, axis.id_axe).await?;
        let mut shares = Vec::with_capacity(plan.analytic_accounts.len());
        for share in &plan.analytic_accounts {
            let section = sections
                .iter()
                .find(|s| s.id_section_analytique.to_string() == share.analytic_account.trim())
                .ok_or_else(|| {
                    Invalid::body(
                        field,
                        format!(
                            "no analytic account {} in plan {}",
                            share.analytic_account, plan.analytic_plan
                        ),
                    )
                    .because(Refusal::AnalyticAccountNotFound)
                })?;
            shares.push((section, share.percentage.0));
        }
        Ok(map::repartition(axis, &shares, amount))
    }

    /// The MyUnisoft id of the entry with partner id `origin`, if it exists.
    async fn locate(&self, scope: FolderScope<'_>, origin: &str) -> ConnectorResult<Option<i64>> {
        let call = Call::get("/entry/id").query("id_origin", origin);
        match self.fresh::<dto::EntryLocation>(scope, call).await {
            Ok(found) => Ok(Some(found.id_entry)),
            Err(ConnectorError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sends the import until it is known to have landed once. A refusal is final; a rate
    /// limit is waited out; any other fault (a lost or unreadable answer) is settled by looking
    /// the partner id up first. `created` is what earlier steps created, for the error.
    async fn send_once(
        &self,
        scope: FolderScope<'_>,
        body: &dto::NewEntry,
        pending: bool,
        created: &[String],
    ) -> Result<(), WriteError> {
        let auth = auth(scope.connection, Some(scope.folder));
        let value = serde_json::to_value(body).map_err(|e| undecodable("/entry", e))?;
        let (path, kind) = if pending { ("/entry/temp", "o") } else { ("/entry", "e") };
        let call = Call::write(Method::POST, path, value, Retry::Never).query("type", kind);
        let origin = &body.entry_origin_partner_id;
        SENDS
            .run(
                |attempt| self.send_import(scope, &auth, &call, origin, attempt, created),
                |attempt, _, error| {
                    tracing::info!(attempt, %error, "entry not written; sending it again")
                },
                |_, error| partial(created.to_vec(), error),
            )
            .await
    }

    /// One try of [`MyUnisoft::send_once`]: whether the entry landed, or what to do next.
    async fn send_import(
        &self,
        scope: FolderScope<'_>,
        auth: &Auth<'_>,
        call: &Call,
        origin: &str,
        attempt: u32,
        created: &[String],
    ) -> Result<(), Failure<WriteError>> {
        let error = match self.client.send(auth, call).await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        match error {
            ConnectorError::RateLimited { .. } => Err(Failure::Retry(error)),
            // Sent again after a fault the first copy may have landed: it did.
            ConnectorError::Rejected { ref code, .. } if code == "GBL6" && attempt > 1 => Ok(()),
            e if e.is_transient() || matches!(e, ConnectorError::Decode { .. }) => {
                match self.locate(scope, origin).await {
                    Ok(Some(id)) => {
                        tracing::info!(
                            attempt,
                            entry.id = id,
                            "entry landed although its answer was lost"
                        );
                        Ok(())
                    }
                    Ok(None) => Err(Failure::Retry(e)),
                    // When even the lookup fails, say which entry may exist so that nobody
                    // resends blindly.
                    Err(lookup) => {
                        let mut done = created.to_vec();
                        done.push(format!(
                            "possibly entry {origin} (outcome unknown: read GET \
                             /journal/entries/{origin} before sending it again)"
                        ));
                        Err(Failure::Stop(WriteError::Partial { created: done, error: lookup }))
                    }
                }
            }
            e => Err(Failure::Stop(partial(created.to_vec(), e))),
        }
    }
}

#[async_trait]
impl Postings for MyUnisoft {
    /// The entry's partner id is the write's: a resumed write whose entry landed reads it back.
    async fn post(
        &self,
        scope: FolderScope<'_>,
        posting: &Posting,
        write: Write,
    ) -> Result<JournalEntry, WriteError> {
        if write.resumed {
            if let Some(entry) = self.landed(scope, write).await? {
                tracing::info!(entry.id = %entry.id, "resumed write: its entry had landed");
                return Ok(entry);
            }
        }
        let origin = origin(write);
        let diary = self.diary_for(scope, &posting.journal).await?;
        self.open_year(scope, posting.date).await?;
        let mut accounts = self.line_accounts(scope, posting).await?;
        let numbers: Vec<&str> = accounts.iter().map(|a| a.number.as_str()).collect();
        map::journal_fits(&diary, posting, &numbers)?;
        let analytics = self.line_analytics(scope, posting, &accounts).await?;
        let created = self.create_accounts(scope, &mut accounts).await?;
        let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
        let body = map::new_entry(posting, scope.folder, &diary, &ids, analytics, &origin);
        self.send_once(scope, &body, !posting.posted, &created).await?;
        self.journal_entry(scope, &origin).await.map_err(|e| {
            let mut done = created.clone();
            done.push(format!("entry {origin}"));
            WriteError::Partial { created: done, error: e }
        })
    }

    async fn landed(
        &self,
        scope: FolderScope<'_>,
        write: Write,
    ) -> ConnectorResult<Option<JournalEntry>> {
        let origin = origin(write);
        if self.locate(scope, &origin).await?.is_none() {
            return Ok(None);
        }
        Ok(Some(self.journal_entry(scope, &origin).await?))
    }

    async fn match_entries(
        &self,
        scope: FolderScope<'_>,
        partner: &str,
        entries: &[String],
    ) -> Result<Matched, WriteError> {
        self.letter(scope, partner, entries).await
    }
}
