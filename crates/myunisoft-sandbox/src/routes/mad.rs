//! What the MAD entry routes share: the selection (`idExercice` XOR `startDate`+`endDate`,
//! `dateFilter`, `journalIds`, `source`, `draft`, `classAccount`, `lettering`, `comment`) and
//! the `Entry` / `Movement` JSON shapes (`producerId` strings, `amount = credit − debit`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::wire::{Amount, MadAccountRef};
use crate::dates;
use crate::errors::{ApiError, ApiResult};
use crate::params::Params;
use crate::world::{Entry, Folder, Line};

/// Which date `startDate`/`endDate` filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateFilter {
    /// The entry date (default).
    Document,
    /// Creation in MyUnisoft (`createdAt`).
    MyUnisoft,
    /// Accounting date (`accountedAt`).
    Accounting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LetteringState {
    None,
    Partial,
    Complete,
}

/// The entries and movements a MAD call asks for.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    pub(crate) date_filter: DateFilter,
    pub(crate) journals: Vec<i64>,
    pub(crate) source: Option<String>,
    pub(crate) draft: bool,
    pub(crate) roots: Vec<String>,
    pub(crate) lettering: Option<LetteringState>,
    pub(crate) comments: bool,
}

impl Selection {
    pub(crate) fn parse(folder: &Folder, params: &Params) -> ApiResult<Self> {
        params.mad_version()?;
        let (start, end) = window(folder, params)?;
        let date_filter = match params.get("dateFilter") {
            None | Some("document") => DateFilter::Document,
            Some("myunisoft") => DateFilter::MyUnisoft,
            Some("accounting") => DateFilter::Accounting,
            Some(_) => return Err(ApiError::param("dateFilter")),
        };
        let journals = params
            .all("journalIds")
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().parse::<i64>().map_err(|_| ApiError::param("journalIds")))
            .collect::<ApiResult<Vec<_>>>()?;
        let lettering = match params.get("lettering") {
            None => None,
            Some("none") => Some(LetteringState::None),
            Some("partial") => Some(LetteringState::Partial),
            Some("complete") => Some(LetteringState::Complete),
            Some(_) => return Err(ApiError::param("lettering")),
        };
        Ok(Selection {
            start,
            end,
            date_filter: if params.get("idExercice").is_some() {
                DateFilter::Document
            } else {
                date_filter
            },
            journals,
            source: params.get("source").map(str::to_owned),
            draft: params.switch("draft"),
            roots: params.class_accounts(),
            lettering,
            comments: params.switch("comment"),
        })
    }

    pub(crate) fn takes_entry(&self, entry: &Entry) -> bool {
        let date = match self.date_filter {
            DateFilter::Document => entry.date,
            DateFilter::Accounting => entry.accounted_at,
            DateFilter::MyUnisoft => chrono::DateTime::from_timestamp(entry.created_at, 0)
                .map_or(entry.date, |t| t.date_naive()),
        };
        self.start <= date
            && date <= self.end
            && (self.journals.is_empty() || self.journals.contains(&entry.diary_id))
            && self.source.as_deref().is_none_or(|s| s == entry.source)
    }

    pub(crate) fn takes_line(&self, folder: &Folder, line: &Line) -> bool {
        let number = folder.account(line.account_id).map_or("", |a| a.number.as_str());
        let root_ok =
            self.roots.is_empty() || self.roots.iter().any(|r| number.starts_with(r.as_str()));
        let state = match &line.lettering {
            None => LetteringState::None,
            Some(l) if l.partial => LetteringState::Partial,
            Some(_) => LetteringState::Complete,
        };
        root_ok && self.lettering.is_none_or(|wanted| wanted == state)
    }

    /// Whether `classAccount` or `lettering` narrow the lines.
    pub(crate) fn filters_lines(&self) -> bool {
        !self.roots.is_empty() || self.lettering.is_some()
    }
}

/// `idExercice` alone, or `startDate` and `endDate` within one fiscal year (`GBL10` when both
/// or neither are given).
pub(crate) fn window(folder: &Folder, params: &Params) -> ApiResult<(NaiveDate, NaiveDate)> {
    let by_dates = params.get("startDate").is_some() || params.get("endDate").is_some();
    match (params.get("idExercice"), by_dates) {
        (Some(_), true) | (None, false) => Err(ApiError::param("idExercice")),
        (Some(_), false) => {
            let id: i64 = params.required("idExercice")?;
            let e = folder
                .exercice(id)
                .ok_or_else(|| ApiError::rule("EXERCICE10", "Exercice inexistant"))?;
            Ok((e.start, e.end))
        }
        (None, true) => {
            let start = params.date("startDate")?.ok_or_else(|| ApiError::param("startDate"))?;
            let end = params.date("endDate")?.ok_or_else(|| ApiError::param("endDate"))?;
            if start > end {
                return Err(ApiError::rule("DATE3", "Date debut > date fin"));
            }
            let e = folder.exercice_at(start).ok_or_else(|| {
                ApiError::rule("EXERCICE1", "Aucun exercice n'a été trouvé sur cette période")
            })?;
            if !e.contains(end) {
                return Err(ApiError::rule(
                    "EXERCICE2",
                    "La période est à cheval sur plusieurs exercices, veuillez sélectionner qu’un seul exercice.",
                ));
            }
            Ok((start, end))
        }
    }
}

/// MAD `Entry` (without `movements` when nested in a movement).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MadEntry {
    producer_id: String,
    date: String,
    due_date: Option<String>,
    currency: Currency,
    journal: Journal,
    attachments: BTreeMap<String, Attachment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    movements: Option<Vec<MadMovement>>,
    additional_producer_properties: EntryProperties,
}

#[derive(Debug, Serialize)]
struct Currency {
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate: Option<Amount>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Journal {
    producer_id: String,
    customer_reference_code: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct Attachment {
    #[serde(rename = "type")]
    kind: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryProperties {
    source: Source,
    partner_metadata: Option<PartnerMetadata>,
    comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comments: Option<Vec<Comment>>,
    created_at: i64,
    accounted_at: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Source {
    name: &'static str,
    third_party: Option<ThirdParty>,
}

#[derive(Debug, Serialize)]
struct ThirdParty {
    name: &'static str,
    code: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PartnerMetadata {
    partner_id: String,
    json: Option<String>,
}

#[derive(Debug, Serialize)]
struct Comment {
    date: String,
    comment: String,
    user: User,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct User {
    producer_id: String,
    first_name: &'static str,
    last_name: &'static str,
}

/// MAD `Movement` (with its parent `entry` in `/mad/movements`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MadMovement {
    producer_id: String,
    description: String,
    value: Value,
    due_date: Option<String>,
    lettering: Lettering,
    free_number: Option<String>,
    invoice_number: Option<String>,
    attachments: BTreeMap<String, Attachment>,
    account: Option<MadAccountRef>,
    payment: Option<Payment>,
    analytics: Vec<Analytic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<Box<MadEntry>>,
}

#[derive(Debug, Serialize)]
struct Value {
    credit: Amount,
    debit: Amount,
    amount: Amount,
}

#[derive(Debug, Serialize)]
struct Lettering {
    state: &'static str,
    value: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Payment {
    producer_id: String,
    name: &'static str,
    code: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Analytic {
    producer_id: String,
    code: String,
    name: String,
    sections: Vec<AnalyticSection>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AnalyticSection {
    producer_id: String,
    amount: Amount,
    rate: Amount,
    code: String,
    name: String,
}

pub(crate) fn entry(
    folder: &Folder,
    e: &Entry,
    movements: Option<Vec<MadMovement>>,
    comments: bool,
) -> MadEntry {
    let diary = folder.diary(e.diary_id);
    let currency = match e.currency() {
        Some((code, rate)) => Currency { code: code.to_owned(), rate: rate.map(Amount) },
        None => Currency { code: "EUR".into(), rate: None },
    };
    let attachments = e
        .attachments
        .iter()
        .map(|d| {
            (
                d.name.clone(),
                Attachment {
                    kind: "URL",
                    value: d.link.clone().unwrap_or_else(|| super::documents::download_path(d.id)),
                },
            )
        })
        .collect();
    let comment_list = comments.then(|| {
        e.comment
            .iter()
            .map(|c| Comment {
                date: e.accounted_at.format("%d-%m-%Y").to_string(),
                comment: c.clone(),
                user: User { producer_id: "311".into(), first_name: "Paul", last_name: "MARTIN" },
            })
            .collect()
    });
    MadEntry {
        producer_id: e.id.to_string(),
        date: dates::iso(e.date),
        due_date: e.due_date().map(dates::iso),
        currency,
        journal: Journal {
            producer_id: e.diary_id.to_string(),
            customer_reference_code: diary.map(|d| d.code.clone()).unwrap_or_default(),
            name: diary.map(|d| d.name.clone()).unwrap_or_default(),
            kind: diary.and_then(|d| d.kind()).map_or("", |k| k.mad),
        },
        attachments,
        movements,
        additional_producer_properties: EntryProperties {
            source: Source {
                name: e.source,
                third_party: (e.source == "API")
                    .then_some(ThirdParty { name: "Passerelle", code: "PASS" }),
            },
            partner_metadata: e
                .partner_id
                .as_ref()
                .map(|p| PartnerMetadata { partner_id: p.clone(), json: e.json.clone() }),
            comment: e.comment.clone(),
            comments: comment_list,
            created_at: e.created_at,
            accounted_at: dates::iso(e.accounted_at),
        },
    }
}

pub(crate) fn movement(folder: &Folder, line: &Line, parent: Option<MadEntry>) -> MadMovement {
    let lettering = match &line.lettering {
        None => Lettering { state: "none", value: None },
        Some(l) if l.partial => Lettering { state: "partial", value: Some(format!("*{}", l.code)) },
        Some(l) => Lettering { state: "complete", value: Some(l.code.clone()) },
    };
    let analytics = line
        .analytics
        .iter()
        .filter_map(|axis| {
            let found = folder.axis(axis.axis_id)?;
            let sections = axis
                .sections
                .iter()
                .filter_map(|s| {
                    let section = folder.section(s.section_id)?;
                    Some(AnalyticSection {
                        producer_id: s.section_id.to_string(),
                        amount: Amount(s.amount),
                        rate: Amount(s.rate),
                        code: section.code.clone(),
                        name: section.label.clone(),
                    })
                })
                .collect();
            Some(Analytic {
                producer_id: found.id.to_string(),
                code: found.code.clone(),
                name: found.label.clone(),
                sections,
            })
        })
        .collect();
    MadMovement {
        producer_id: line.id.to_string(),
        description: line.label.clone(),
        value: Value {
            credit: Amount(line.credit),
            debit: Amount(line.debit),
            amount: Amount(line.credit - line.debit),
        },
        due_date: line.deadline.map(dates::iso),
        lettering,
        free_number: line.piece.clone(),
        invoice_number: line.piece2.clone(),
        attachments: BTreeMap::new(),
        account: folder.account(line.account_id).map(MadAccountRef::of),
        payment: line.payment_type_id.and_then(|id| folder.payment_type(id)).map(|p| Payment {
            producer_id: p.id.to_string(),
            name: p.name,
            code: p.code,
        }),
        analytics,
        entry: parent.map(Box::new),
    }
}

/// The movements of `entries` the selection keeps, each with its parent entry.
pub(crate) fn movements<'a>(
    folder: &'a Folder,
    entries: impl Iterator<Item = &'a Entry> + 'a,
    selection: &'a Selection,
) -> impl Iterator<Item = MadMovement> + 'a {
    entries.filter(|e| selection.takes_entry(e)).flat_map(move |e| {
        e.lines
            .iter()
            .filter(|l| selection.takes_line(folder, l))
            .map(move |l| movement(folder, l, Some(entry(folder, e, None, selection.comments))))
    })
}

/// The entries the selection keeps, complete (an entry is kept when one of its lines matches
/// `classAccount`/`lettering`).
pub(crate) fn entries<'a>(
    folder: &'a Folder,
    all: impl Iterator<Item = &'a Entry> + 'a,
    selection: &'a Selection,
) -> impl Iterator<Item = MadEntry> + 'a {
    all.filter(|e| selection.takes_entry(e))
        .filter(|e| {
            !selection.filters_lines() || e.lines.iter().any(|l| selection.takes_line(folder, l))
        })
        .map(|e| {
            let lines = e.lines.iter().map(|l| movement(folder, l, None)).collect();
            entry(folder, e, Some(lines), selection.comments)
        })
}

/// Balance of each account (Σ debit − credit) over the lines of `entries`.
pub(crate) fn add_to_balances<'a>(
    folder: &Folder,
    lines: impl Iterator<Item = &'a Line>,
    selection: &Selection,
    balances: &mut BTreeMap<String, (String, Decimal)>,
) {
    for line in lines.filter(|l| selection.takes_line(folder, l)) {
        let Some(account) = folder.account(line.account_id) else { continue };
        let slot = balances
            .entry(account.number.clone())
            .or_insert_with(|| (account.label.clone(), Decimal::ZERO));
        slot.1 += line.debit - line.credit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn code(folder: &Folder, query: &str) -> &'static str {
        window(folder, &Params::parse(query)).unwrap_err().code
    }

    #[test]
    fn one_exercise_or_one_window_inside_it() {
        let world = seed::world();
        let folder = &world.folders[&4822];
        let open = folder.exercices.iter().find(|e| !e.closed()).unwrap();
        assert_eq!(
            window(folder, &Params::parse(&format!("idExercice={}", open.id))).unwrap(),
            (open.start, open.end)
        );
        let inside =
            window(folder, &Params::parse("startDate=2026-02-01&endDate=2026-02-28")).unwrap();
        assert_eq!(inside.0.to_string(), "2026-02-01");
        assert_eq!(
            code(
                folder,
                &format!("idExercice={}&startDate=2026-01-01&endDate=2026-01-31", open.id)
            ),
            "GBL10"
        );
        assert_eq!(code(folder, ""), "GBL10");
        assert_eq!(code(folder, "startDate=2026-01-01"), "GBL10");
        assert_eq!(code(folder, "startDate=2026-13-01&endDate=2026-12-31"), "GBL10");
        assert_eq!(code(folder, "idExercice=1"), "EXERCICE10");
        assert_eq!(code(folder, "startDate=2026-03-01&endDate=2026-02-01"), "DATE3");
        assert_eq!(code(folder, "startDate=2025-12-01&endDate=2026-01-31"), "EXERCICE2");
        assert_eq!(code(folder, "startDate=2020-01-01&endDate=2020-01-31"), "EXERCICE1");
    }

    #[test]
    fn movements_follow_the_class_and_lettering_filters() {
        let world = seed::world();
        let folder = &world.folders[&4821];
        let params =
            Params::parse("version=1.0.0&idExercice=9022&classAccount=411%25&lettering=partial");
        let selection = Selection::parse(folder, &params).unwrap();
        let found: Vec<MadMovement> =
            movements(folder, folder.entries.iter(), &selection).collect();
        assert!(!found.is_empty());
        for m in &found {
            let json = serde_json::to_value(m).unwrap();
            assert!(json["account"]["number"].as_str().unwrap().starts_with("411"));
            assert!(json["lettering"]["value"].as_str().unwrap().starts_with('*'));
            assert!(json["entry"].get("movements").is_none());
        }
        let bad = Params::parse("version=1.0.0&idExercice=9022&lettering=some");
        assert_eq!(Selection::parse(folder, &bad).unwrap_err().code, "GBL10");
    }
}
