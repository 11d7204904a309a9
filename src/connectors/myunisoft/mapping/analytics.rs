//! Analytic accounts: MyUnisoft sections, their balances from MAD movements, and the bodies of
//! section writes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::connectors::myunisoft::dto::{Axis, Movement, NewSection, Section, SectionPatch};
use crate::domain::accounting::BookYear;
use crate::domain::analytics::{AnalyticAccount, AnalyticAccountPatch, NewAnalyticAccount};
use crate::domain::money::Money;
use crate::domain::Invalid;

/// MyUnisoft keeps every folder in euros, analytics included.
const FOLDER_CURRENCY: &str = "EUR";

/// Debit and credit allocated to one section.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    pub debit: Decimal,
    pub credit: Decimal,
}

/// The plan of the mono-plan routes: the first axis by id.
pub(crate) fn default_axis(axes: &[Axis]) -> Option<i64> {
    axes.iter().map(|a| a.id_axe).min()
}

pub(crate) fn analytic_account(s: &Section, totals: Totals) -> AnalyticAccount {
    let code = s.code.clone().filter(|c| !c.trim().is_empty());
    let name = s
        .label
        .clone()
        .filter(|l| !l.trim().is_empty())
        .or_else(|| code.clone())
        .unwrap_or_else(|| s.id_section_analytique.to_string());
    AnalyticAccount {
        id: s.id_section_analytique.to_string(),
        active: !s.closed,
        code,
        name,
        currency: Some(FOLDER_CURRENCY.to_owned()),
        balance: Money(totals.debit - totals.credit),
        credit: Money(totals.credit),
        debit: Money(totals.debit),
        analytic_plan: s.id_axe.to_string(),
    }
}

fn folder_currency(currency: &str) -> Result<(), Invalid> {
    if currency.trim().eq_ignore_ascii_case(FOLDER_CURRENCY) {
        return Ok(());
    }
    Err(Invalid::body(
        "currency",
        format!(
            "must be {FOLDER_CURRENCY}: MyUnisoft analytic accounts are in the folder's currency"
        ),
    ))
}

fn required<'a>(field: &str, value: &'a str) -> Result<&'a str, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::body(field, "must not be empty"));
    }
    Ok(value)
}

/// The body of `POST /analytics/axes/{id}/sections`; `active: false` is applied afterwards.
pub(crate) fn new_section(new: &NewAnalyticAccount) -> Result<NewSection<'_>, Invalid> {
    folder_currency(&new.currency)?;
    Ok(NewSection {
        code: required("code", &new.code)?,
        label: required("name", &new.name)?,
        by_default: false,
    })
}

/// The body of `PUT /analytics/sections/{id}`: `name` is the label, `active` the opposite of
/// `closed`.
pub(crate) fn section_patch(patch: &AnalyticAccountPatch) -> Result<SectionPatch<'_>, Invalid> {
    patch.currency.as_deref().map(folder_currency).transpose()?;
    Ok(SectionPatch {
        code: patch.code.as_deref().map(|c| required("code", c)).transpose()?,
        label: patch.name.as_deref().map(|n| required("name", n)).transpose()?,
        closed: patch.active.map(|a| !a),
    })
}

/// The fiscal year balances are computed over: the open one containing `today`, else the latest
/// open one.
pub(crate) fn balance_year(years: &[BookYear], today: NaiveDate) -> Option<&BookYear> {
    let open = || years.iter().filter(|y| !y.closed);
    open().find(|y| y.start <= today && today <= y.end).or_else(|| open().max_by_key(|y| y.end))
}

/// Debit and credit allocated to each section (by id) by the movements' analytics: a section's
/// amount counts on the side of its line.
pub(crate) fn section_totals(movements: &[Movement]) -> BTreeMap<String, Totals> {
    let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
    for m in movements {
        let debit_side = m.value.debit > m.value.credit;
        for section in m.analytics.iter().flat_map(|a| &a.sections) {
            let slot = totals.entry(section.producer_id.clone()).or_default();
            if debit_side {
                slot.debit += section.amount;
            } else {
                slot.credit += section.amount;
            }
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn sections() -> Vec<Section> {
        serde_json::from_str(fixture!("analytics_sections.json")).unwrap()
    }

    #[test]
    fn sections_are_accounts_of_their_axis_and_closed_ones_are_inactive() {
        let all = sections();
        let accounts: Vec<_> = all.iter().map(|s| analytic_account(s, Totals::default())).collect();
        assert_eq!(accounts[0].id, "9051");
        assert_eq!(accounts[0].analytic_plan, "411");
        assert_eq!(accounts[0].code.as_deref(), Some("ATTENTE"));
        assert_eq!(accounts[0].name, "Section d'attente");
        assert_eq!(accounts[0].currency.as_deref(), Some("EUR"));
        let closed = accounts.iter().find(|a| a.code.as_deref() == Some("TRAI")).unwrap();
        assert!(!closed.active);
        assert!(accounts.iter().filter(|a| a.id != closed.id).all(|a| a.active));
        let unlabelled = accounts.iter().find(|a| a.id == "9060").unwrap();
        assert_eq!(unlabelled.name, "NOLABEL");
    }

    #[test]
    fn totals_give_debit_credit_and_a_debit_positive_balance() {
        let totals = Totals { debit: d("100.50"), credit: d("300") };
        let account = analytic_account(&sections()[1], totals);
        assert_eq!(
            (*account.debit, *account.credit, *account.balance),
            (d("100.50"), d("300"), d("-199.50"))
        );
    }

    #[test]
    fn the_default_plan_is_the_first_axis_by_id() {
        let axes: Vec<Axis> =
            serde_json::from_str(r#"[{"id_axe": 412, "code": "B"}, {"id_axe": 411, "code": "A"}]"#)
                .unwrap();
        assert_eq!(default_axis(&axes), Some(411));
        assert_eq!(default_axis(&[]), None);
    }

    #[test]
    fn writes_need_the_folder_currency_and_non_blank_texts() {
        let new = |code: &str, name: &str, currency: &str| NewAnalyticAccount {
            active: None,
            code: code.into(),
            name: name.into(),
            currency: currency.into(),
        };
        let ok = new(" P001 ", "Projet 1", "eur");
        let body = new_section(&ok).unwrap();
        assert_eq!((body.code, body.label, body.by_default), ("P001", "Projet 1", false));
        assert_eq!(new_section(&new("P1", "X", "USD")).unwrap_err().field, "currency");
        assert_eq!(new_section(&new(" ", "X", "EUR")).unwrap_err().field, "code");
        assert_eq!(new_section(&new("P1", "", "EUR")).unwrap_err().field, "name");

        let patch = AnalyticAccountPatch {
            active: Some(false),
            name: Some("Projet un".into()),
            ..AnalyticAccountPatch::default()
        };
        assert_eq!(
            section_patch(&patch).unwrap(),
            SectionPatch { code: None, label: Some("Projet un"), closed: Some(true) }
        );
        let usd = AnalyticAccountPatch {
            currency: Some("USD".into()),
            ..AnalyticAccountPatch::default()
        };
        assert_eq!(section_patch(&usd).unwrap_err().field, "currency");
        assert_eq!(
            section_patch(&AnalyticAccountPatch::default()).unwrap(),
            SectionPatch::default()
        );
    }

    #[test]
    fn balances_use_the_open_year_of_today_or_the_latest_open_one() {
        let year = |id: &str, from: &str, to: &str, closed| BookYear {
            id: id.into(),
            name: id.into(),
            start: from.parse().unwrap(),
            end: to.parse().unwrap(),
            closed,
        };
        let years = [
            year("2025", "2025-01-01", "2025-12-31", true),
            year("2026", "2026-01-01", "2026-12-31", false),
            year("2027", "2027-01-01", "2027-12-31", false),
        ];
        let on = |day: &str| balance_year(&years, day.parse().unwrap()).map(|y| y.id.as_str());
        assert_eq!(on("2026-05-01"), Some("2026"));
        assert_eq!(on("2025-05-01"), Some("2027"));
        assert_eq!(balance_year(&years[..1], "2025-05-01".parse().unwrap()), None);
    }

    #[test]
    fn section_amounts_count_on_the_side_of_their_line() {
        let movements: Vec<Movement> =
            serde_json::from_str(fixture!("mad_movements_analytics.json")).unwrap();
        let totals = section_totals(&movements);
        assert_eq!(totals["9052"], Totals { debit: d("120"), credit: d("700") });
        assert_eq!(totals["9053"], Totals { debit: Decimal::ZERO, credit: d("300") });
        assert_eq!(totals["9056"], Totals { debit: Decimal::ZERO, credit: d("1000") });
        assert_eq!(totals["9057"], Totals { debit: d("120"), credit: Decimal::ZERO });
        assert!(!totals.contains_key("9051"));
    }
}
