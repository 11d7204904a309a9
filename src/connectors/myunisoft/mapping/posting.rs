//! A [`Posting`] as MyUnisoft's JSON import: journal and account-class rules, analytic splits
//! in euros, and the `NewEntry` body.

use rust_decimal::Decimal;

use crate::connectors::myunisoft::dto::{
    Axis, Diary, Document, NewEntry, NewLine, Repartition, RepartitionShare, Section,
};
use crate::domain::posting::Posting;
use crate::domain::{Invalid, Refusal};

/// A line's amount split over sections by percentage, to the cent; the last share takes what
/// rounding leaves so that the shares add up to the line (MyUnisoft ANALYT004).
pub(crate) fn repartition(
    axis: &Axis,
    shares: &[(&Section, Decimal)],
    amount: Decimal,
) -> Repartition {
    let mut left = amount;
    let count = shares.len();
    let repartition = shares
        .iter()
        .enumerate()
        .map(|(i, (section, rate))| {
            let part = if i + 1 == count {
                left
            } else {
                (amount * rate / Decimal::ONE_HUNDRED).round_dp(2)
            };
            left -= part;
            RepartitionShare {
                id_section: section.id_section_analytique,
                code: section.code.clone().unwrap_or_default(),
                label: section.label.clone().unwrap_or_default(),
                rate: *rate,
                amount: part,
            }
        })
        .collect();
    Repartition {
        id_axe: axis.id_axe,
        code: axis.code.clone().unwrap_or_default(),
        label: axis.label.clone().unwrap_or_default(),
        repartition,
    }
}

/// MyUnisoft's journal rules: sales journals take no supplier (40x) account, purchase journals
/// no client (41x) account, a bank entry needs a 51x line and a cash entry a 53x line;
/// opening journals take no entry.
pub(crate) fn journal_fits(
    diary: &Diary,
    posting: &Posting,
    accounts: &[&str],
) -> Result<(), Invalid> {
    let kind = diary.diary_type_code.as_deref().unwrap_or_default();
    let lines = posting.lines.iter().zip(accounts);
    let refused = match kind {
        "VTE" => Some(("40", "a sales journal")),
        "ACH" => Some(("41", "a purchase journal")),
        _ => None,
    };
    if let Some((prefix, journal)) = refused {
        if let Some((line, number)) = lines.clone().find(|(_, n)| n.starts_with(prefix)) {
            return Err(Invalid::body(
                format!("{}.account", line.field),
                format!("{journal} refuses {prefix}x accounts such as {number}"),
            )
            .because(Refusal::AccountNumberNotGoodScope));
        }
    }
    let needed = match kind {
        "BQ" => Some(("51", "a bank journal needs a line on a 51x account (MyUnisoft ECR36)")),
        "CAISSE" => Some(("53", "a cash journal needs a line on a 53x account (MyUnisoft ECR37)")),
        _ => None,
    };
    if let Some((prefix, rule)) = needed {
        if !accounts.iter().any(|n| n.starts_with(prefix)) {
            return Err(Invalid::body("items", rule).because(Refusal::AccountNumberNotGoodScope));
        }
    }
    if kind == "AN" || kind.is_empty() {
        return Err(Invalid::body(
            "journal_id",
            "entries cannot be posted into an opening or untyped journal (MyUnisoft JOURNAL9/13)",
        )
        .because(Refusal::JournalNotGoodScope));
    }
    Ok(())
}

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The `NewEntry` body: one import line per posting line, the due date (or the entry date) as
/// deadline, the number as `piece2` and the reference as `piece` on every line.
pub(crate) fn new_entry(
    posting: &Posting,
    folder: i64,
    diary: &Diary,
    accounts: &[i64],
    analytics: Vec<Vec<Repartition>>,
    origin: &str,
) -> NewEntry {
    let entry_list = posting
        .lines
        .iter()
        .zip(accounts)
        .zip(analytics.into_iter().chain(std::iter::repeat_with(Vec::new)))
        .map(|((line, account_id), analytique)| NewLine {
            account_id: *account_id,
            label: line.label.trim().to_owned(),
            debit: line.debit,
            credit: line.credit,
            deadline: iso(line.due_date.unwrap_or(posting.date)),
            piece: posting.reference.clone(),
            piece2: posting.number.clone(),
            currency: posting.currency.as_ref().map(|(code, _)| code.clone()),
            value_currency: posting.currency.as_ref().and(line.currency_amount),
            payment_type_id: line
                .payment_method
                .as_deref()
                .and_then(|id| id.parse().ok())
                .unwrap_or(-1),
            analytique,
        })
        .collect();
    NewEntry {
        date_piece: iso(posting.date),
        etablissement_id: folder,
        diary_id: diary.diary_id,
        entry_origin_partner_id: origin.to_owned(),
        json: posting.metadata.to_string(),
        period_from: posting.period.map(|p| iso(p.0)),
        period_to: posting.period.map(|p| iso(p.1)),
        pj_list: posting
            .attachment
            .iter()
            .map(|a| Document {
                name: a.name.clone(),
                mime: a.mime.clone(),
                content: a.base64.clone(),
            })
            .collect(),
        entry_list,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::posting::{AccountRef, JournalRef, PostingLine};

    fn diary(kind: &str) -> Diary {
        serde_json::from_value(serde_json::json!({
            "diary_id": 7, "code": "VT", "name": "Ventes", "diary_type_code": kind
        }))
        .unwrap()
    }

    fn posting<'a>(numbers: &[&'a str]) -> (Posting, Vec<&'a str>) {
        let lines = numbers
            .iter()
            .enumerate()
            .map(|(i, n)| PostingLine {
                field: format!("items.{i}"),
                account: AccountRef::General { number: (*n).into(), create: None },
                label: format!("line {i}"),
                debit: if i == 0 { Decimal::new(12000, 2) } else { Decimal::ZERO },
                credit: if i == 0 { Decimal::ZERO } else { Decimal::new(6000, 2) },
                due_date: None,
                currency_amount: Some(Decimal::new(100, 0)),
                analytics: vec![],
                payment_method: None,
            })
            .collect();
        let p = Posting {
            journal: JournalRef::Id("7".into()),
            date: "2026-03-01".parse().unwrap(),
            number: Some("FA1".into()),
            reference: Some("REF9".into()),
            currency: None,
            lines,
            attachment: None,
            posted: true,
            period: None,
            metadata: serde_json::json!({"number": "FA-1"}),
        };
        (p, numbers.to_vec())
    }

    #[test]
    fn journals_refuse_the_other_side_and_treasury_needs_its_account() {
        let (p, a) = posting(&["411DUPONT", "706000", "445710"]);
        assert!(journal_fits(&diary("VTE"), &p, &a).is_ok());
        let e = journal_fits(&diary("ACH"), &p, &a).unwrap_err();
        assert_eq!(e.field, "items.0.account");
        let (p, a) = posting(&["401ACME", "606000", "445660"]);
        assert_eq!(journal_fits(&diary("VTE"), &p, &a).unwrap_err().field, "items.0.account");
        assert_eq!(journal_fits(&diary("BQ"), &p, &a).unwrap_err().field, "items");
        let (p, a) = posting(&["512000", "411DUPONT"]);
        assert!(journal_fits(&diary("BQ"), &p, &a).is_ok());
        assert!(journal_fits(&diary("CAISSE"), &p, &a).unwrap_err().rule.contains("53x"));
        assert_eq!(journal_fits(&diary("AN"), &p, &a).unwrap_err().field, "journal_id");
    }

    #[test]
    fn the_body_carries_deadlines_pieces_origin_and_metadata() {
        let (mut p, _) = posting(&["411DUPONT", "706000", "445710"]);
        let a = [1, 2, 3];
        p.lines[0].due_date = Some("2026-03-31".parse().unwrap());
        let body = new_entry(&p, 4821, &diary("VTE"), &a, vec![], "psrl-1");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["entry_origin_partner_id"], "psrl-1");
        assert_eq!(json["diary_id"], 7);
        assert_eq!(json["json"], r#"{"number":"FA-1"}"#);
        let lines = json["entry_list"].as_array().unwrap();
        assert_eq!(lines[0]["deadline"], "2026-03-31");
        assert_eq!(lines[1]["deadline"], "2026-03-01");
        assert_eq!(
            (lines[0]["debit"].as_f64(), lines[0]["credit"].as_f64()),
            (Some(120.0), Some(0.0))
        );
        assert_eq!(
            (lines[1]["piece2"].as_str(), lines[1]["piece"].as_str()),
            (Some("FA1"), Some("REF9"))
        );
        assert!(lines[0].get("currency").is_none(), "EUR documents send no currency");
        p.currency = Some(("USD".into(), Decimal::new(108, 2)));
        let body = new_entry(&p, 4821, &diary("VTE"), &a, vec![], "psrl-1");
        assert_eq!(body.entry_list[0].currency.as_deref(), Some("USD"));
        assert_eq!(body.entry_list[0].value_currency, Some(Decimal::new(100, 0)));
    }

    #[test]
    fn analytic_shares_add_up_to_the_line_to_the_cent() {
        let axis: Axis = serde_json::from_value(
            serde_json::json!({"id_axe": 411, "code": "PROJ", "label": "Projets"}),
        )
        .unwrap();
        let section = |id: i64| -> Section {
            serde_json::from_value(serde_json::json!({"id_section_analytique": id, "code": "S", "label": "S", "id_axe": 411})).unwrap()
        };
        let (a, b, c) = (section(1), section(2), section(3));
        let third = Decimal::new(3333, 2);
        let r = repartition(
            &axis,
            &[(&a, third), (&b, third), (&c, Decimal::new(3334, 2))],
            Decimal::new(10000, 2),
        );
        let amounts: Vec<Decimal> = r.repartition.iter().map(|s| s.amount).collect();
        assert_eq!(
            amounts,
            vec![Decimal::new(3333, 2), Decimal::new(3333, 2), Decimal::new(3334, 2)]
        );
        assert_eq!(amounts.iter().sum::<Decimal>(), Decimal::new(10000, 2));
    }
}
