//! The trial balance, aggregated from MAD movements (MyUnisoft's own balance route gives no
//! debit/credit split). Off-books journals (`OD Extracomptable`) are left out, as MyUnisoft does.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::connectors::myunisoft::dto::Movement;
use crate::domain::accounting::{AccountBalance, BalanceFilter};
use crate::domain::money::Money;
use crate::domain::Invalid;

/// The months a balance covers: cumulated from `year_start`, with a period inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Months {
    /// First day of the period (`start`, or the fiscal year's first day).
    pub period_start: Option<NaiveDate>,
    /// Last day of the `end` month.
    pub end: NaiveDate,
}

fn month(field: &str, text: &str) -> Result<NaiveDate, Invalid> {
    let rule = || Invalid::body(field, "must be a month YYYYMM");
    if text.len() != 6 || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(rule());
    }
    let (year, month) =
        (text[..4].parse().map_err(|_| rule())?, text[4..].parse().map_err(|_| rule())?);
    NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(rule)
}

pub(crate) fn months(filter: &BalanceFilter) -> Result<Months, Invalid> {
    let end_first = month("end", &filter.end)?;
    let next = end_first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| Invalid::body("end", "out of range"))?;
    let end = next.pred_opt().ok_or_else(|| Invalid::body("end", "out of range"))?;
    let period_start = filter.start.as_deref().map(|s| month("start", s)).transpose()?;
    if period_start.is_some_and(|s| s > end) {
        return Err(Invalid::body("start", "must not be after `end`"));
    }
    if filter.accounts.is_empty() || filter.accounts.iter().any(|a| a.trim().is_empty()) {
        return Err(Invalid::body(
            "accounts",
            "must list account numbers or prefixes, e.g. [\"6\", \"411\"]",
        ));
    }
    Ok(Months { period_start, end })
}

#[derive(Default)]
struct Totals {
    name: Option<String>,
    debit: Decimal,
    credit: Decimal,
    period_debit: Decimal,
    period_credit: Decimal,
}

/// Balances of the accounts matching `prefixes`, from movements of one fiscal year starting on
/// `year_start`, in account-number order.
pub(crate) fn balances(
    prefixes: &[String],
    months: Months,
    year_start: NaiveDate,
    movements: &[Movement],
) -> Vec<AccountBalance> {
    let period_start = months.period_start.unwrap_or(year_start).max(year_start);
    let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
    for m in movements {
        let Some(account) = &m.account else { continue };
        let Some(number) = account.number.as_deref() else { continue };
        let off_books = m
            .entry
            .journal
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("OD Extracomptable"));
        let date = m.entry.date;
        if off_books
            || date < year_start
            || date > months.end
            || !prefixes.iter().any(|p| number.starts_with(p.trim()))
        {
            continue;
        }
        let t = totals.entry(number.to_owned()).or_default();
        t.name = t.name.take().or_else(|| account.name.clone());
        t.debit += m.value.debit;
        t.credit += m.value.credit;
        if date >= period_start {
            t.period_debit += m.value.debit;
            t.period_credit += m.value.credit;
        }
    }
    totals
        .into_iter()
        .map(|(number, t)| AccountBalance {
            account_number: number,
            account_name: t.name,
            debit: Money(t.debit),
            credit: Money(t.credit),
            balance: Money(t.debit - t.credit),
            period_debit: Money(t.period_debit),
            period_credit: Money(t.period_credit),
            period_balance: Money(t.period_debit - t.period_credit),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn movement(date: &str, number: &str, debit: &str, credit: &str, journal: &str) -> Movement {
        serde_json::from_value(serde_json::json!({
            "value": {"debit": d(debit).to_string().parse::<f64>().unwrap(), "credit": d(credit).to_string().parse::<f64>().unwrap()},
            "account": {"number": number, "name": format!("Compte {number}")},
            "entry": {"date": date, "journal": {"type": journal}}
        }))
        .unwrap()
    }

    fn filter(accounts: &[&str], start: Option<&str>, end: &str) -> BalanceFilter {
        BalanceFilter {
            accounts: accounts.iter().map(|a| a.to_string()).collect(),
            start: start.map(Into::into),
            end: end.into(),
        }
    }

    #[test]
    fn cumulated_and_period_totals_are_exact() {
        let year = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let movements = vec![
            movement("2026-01-15", "601000", "100.10", "0", "Achat"),
            movement("2026-03-02", "601000", "0.20", "0", "Achat"),
            movement("2026-03-31", "601000", "0", "0.05", "OD"),
            movement("2026-04-01", "601000", "999", "0", "Achat"),
            movement("2026-03-10", "606100", "50", "0", "OD Extracomptable"),
            movement("2026-02-01", "706000", "0", "300", "Vente"),
        ];
        let f = filter(&["6"], Some("202603"), "202603");
        let rows = balances(&f.accounts, months(&f).unwrap(), year, &movements);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((*r.debit, *r.credit, *r.balance), (d("100.30"), d("0.05"), d("100.25")));
        assert_eq!(
            (*r.period_debit, *r.period_credit, *r.period_balance),
            (d("0.20"), d("0.05"), d("0.15"))
        );
        assert_eq!(r.account_name.as_deref(), Some("Compte 601000"));
    }

    #[test]
    fn malformed_months_name_the_field() {
        assert_eq!(months(&filter(&["6"], None, "2026-3")).unwrap_err().field, "end");
        assert_eq!(months(&filter(&["6"], None, "202613")).unwrap_err().field, "end");
        assert_eq!(months(&filter(&["6"], Some("202605"), "202603")).unwrap_err().field, "start");
        assert_eq!(months(&filter(&[], None, "202603")).unwrap_err().field, "accounts");
        assert_eq!(months(&filter(&["6"], None, "202602")).unwrap().end.to_string(), "2026-02-28");
    }
}
