//! Matching (lettering): the lines of some entries on one partner's account get the account's
//! next lettering code (`GET /account/next_lettering`, then `PUT /entry/lettering`).

use reqwest::Method;
use rust_decimal::Decimal;

use super::client::{Call, Retry};
use super::error::undecodable;
use super::{dto, MyUnisoft};
use crate::connectors::{ConnectorError, FolderScope, JournalEntries, WriteError};
use crate::domain::journal_entry::JournalItem;
use crate::domain::posting::Matched;
use crate::domain::{Invalid, Refusal};

impl MyUnisoft {
    /// The lines of `entries` on `partner`'s account, none of them lettered yet.
    async fn partner_lines(
        &self,
        scope: FolderScope<'_>,
        partner: &str,
        entries: &[String],
    ) -> Result<Vec<JournalItem>, WriteError> {
        let mut lines = Vec::new();
        for (i, id) in entries.iter().enumerate() {
            let field = format!("entries.{i}");
            if entries[..i].contains(id) {
                return Err(Invalid::body(field, format!("entry `{id}` is listed twice")).into());
            }
            let entry = self.journal_entry(scope, id).await.map_err(|e| match e {
                ConnectorError::NotFound { .. } => WriteError::Invalid(
                    Invalid::body(&field, format!("no entry `{id}`"))
                        .because(Refusal::EntryNotFound),
                ),
                other => other.into(),
            })?;
            let on_partner: Vec<JournalItem> = entry
                .items
                .into_iter()
                .filter(|l| l.partner_id.as_deref() == Some(partner.trim()))
                .collect();
            if on_partner.is_empty() {
                return Err(Invalid::body(
                    field,
                    format!("entry `{id}` has no line on partner `{partner}`"),
                )
                .because(Refusal::EntryNotLinkedToPartner)
                .into());
            }
            if let Some(done) = on_partner.iter().find(|l| !l.matching_numbers.is_empty()) {
                return Err(Invalid::body(
                    field,
                    format!(
                        "entry `{id}` is already matched ({}): MyUnisoft cannot letter a line twice (LETTRAGE10)",
                        done.matching_numbers.join(", ")
                    ),
                )
                .because(Refusal::EntryHasInvalidStatus)
                .into());
            }
            lines.extend(on_partner);
        }
        Ok(lines)
    }

    pub(super) async fn letter(
        &self,
        scope: FolderScope<'_>,
        partner: &str,
        entries: &[String],
    ) -> Result<Matched, WriteError> {
        if entries.len() < 2 {
            return Err(Invalid::body("entries", "at least two entries to match").into());
        }
        let lines = self.partner_lines(scope, partner, entries).await?;
        let balance: Decimal = lines.iter().map(|l| l.debit - l.credit).sum();
        let next = Call::get("/account/next_lettering")
            .query("account_id", partner.trim())
            .query("partial", !balance.is_zero());
        let code = self.fresh::<dto::NextLettering>(scope, next).await?.next_lettering;
        let ids = lines
            .iter()
            .map(|l| {
                l.id.parse::<i64>().map(|line_entry_id| dto::LineRef { line_entry_id }).map_err(
                    |_| undecodable("/mad/entry", format!("line id `{}` is not a number", l.id)),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let body = dto::LetterLines { lettering: code.clone(), line_entry_list: ids };
        let body = serde_json::to_value(&body).map_err(|e| undecodable("/entry/lettering", e))?;
        let put = Call::write(Method::PUT, "/entry/lettering", body, Retry::Never);
        if let Err(error) = self.fresh::<serde_json::Value>(scope, put).await {
            // When the answer was lost, the lines tell whether the lettering happened.
            let landed = error.is_transient()
                && self
                    .journal_entry(scope, &entries[0])
                    .await
                    .is_ok_and(|e| e.items.iter().any(|l| l.matching_numbers.contains(&code)));
            if !landed {
                return Err(error.into());
            }
        }
        Ok(Matched { code, balance })
    }
}
