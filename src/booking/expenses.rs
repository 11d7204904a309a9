//! Expense claims as postings: the employee's account credited with the total, each expense
//! line debited with its untaxed amount and the deductible VAT on the code's account.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::booking::currency::foreign;
use crate::booking::vat::vat_code;
use crate::domain::accounting::VatCode;
use crate::domain::operation::{Expense, ExpenseLine};
use crate::domain::posting::{
    pdf, piece, AccountRef, JournalKind, JournalRef, Posting, PostingLine,
};
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;

/// The debit of one expense line, its VAT added to `vat` by account.
fn expense_line(
    line: &ExpenseLine,
    field: String,
    codes: &[VatCode],
    title: &str,
    vat: &mut BTreeMap<String, Decimal>,
) -> Result<PostingLine, Invalid> {
    if line.untaxed_amount + line.tax_amount != line.total {
        return Err(Invalid::body(format!("{field}.total"), "must be untaxed_amount + tax_amount"));
    }
    let code = vat_code(codes, &line.tax_id, &format!("{field}.tax_id"))?;
    if code.rate != line.tax_rate {
        return Err(Invalid::body(
            format!("{field}.tax_rate"),
            format!("VAT code {} is {} %, not {} %", code.id, code.rate, line.tax_rate),
        ));
    }
    if !line.tax_amount.is_zero() {
        let account = code.deductible_account.clone().ok_or_else(|| {
            Invalid::body(
                format!("{field}.tax_id"),
                format!("VAT code {} has no deductible account", code.id),
            )
        })?;
        *vat.entry(account).or_default() += line.tax_amount;
    }
    Ok(PostingLine::new(
        field,
        AccountRef::General { number: line.account_number.trim().to_owned(), create: None },
        line.description.as_deref().unwrap_or(title),
        *line.untaxed_amount,
        Decimal::ZERO,
    ))
}

/// The totals of the claim are the sums of its lines.
fn check_totals(expense: &Expense) -> Result<(), Invalid> {
    let untaxed: Decimal = expense.lines.iter().map(|l| l.untaxed_amount).sum();
    let tax: Decimal = expense.lines.iter().map(|l| l.tax_amount).sum();
    if untaxed != *expense.untaxed_amount
        || tax != *expense.tax_amount
        || untaxed + tax != *expense.total
    {
        return Err(Invalid::body(
            "total",
            format!("must match the lines: untaxed {untaxed} + tax {tax}"),
        ));
    }
    Ok(())
}

/// The lines of a claim: the employee's credit, the expense lines, one VAT line per account.
fn lines(expense: &Expense, codes: &[VatCode], title: &str) -> Result<Vec<PostingLine>, Invalid> {
    let employee = AccountRef::Partner {
        kind: PartyKind::Employee,
        id: expense.employee_id.trim().to_owned(),
    };
    let mut lines =
        vec![PostingLine::new("employee_id", employee, title, Decimal::ZERO, *expense.total)];
    let mut vat: BTreeMap<String, Decimal> = BTreeMap::new();
    for (i, line) in expense.lines.iter().enumerate() {
        lines.push(expense_line(line, format!("lines.{i}"), codes, title, &mut vat)?);
    }
    lines.extend(vat.into_iter().map(|(account, tax)| {
        let account = AccountRef::General { number: account, create: None };
        PostingLine::new("tax_amount", account, &format!("TVA {title}"), tax, Decimal::ZERO)
    }));
    Ok(lines)
}

/// An expense claim as a posting in the folder's expense journal, with its VAT codes.
pub fn posting(expense: &Expense, codes: &[VatCode]) -> Result<Posting, Invalid> {
    let title = expense
        .reference
        .clone()
        .or(expense.number.clone())
        .unwrap_or_else(|| format!("Note de frais {}", expense.date));
    let lines = lines(expense, codes, &title)?;
    check_totals(expense)?;
    Posting {
        journal: JournalRef::Default(JournalKind::Expenses),
        date: expense.date,
        number: expense.number.as_deref().map(|n| piece("number", n)).transpose()?,
        reference: expense.reference.as_deref().map(|r| piece("reference", r)).transpose()?,
        currency: foreign(&expense.currency, expense.currency_exchange_rate)?,
        lines,
        attachment: expense
            .pdf
            .as_deref()
            .map(|p| pdf(p, expense.pdf_name.as_deref(), "note-de-frais"))
            .transpose()?,
        posted: true,
        period: None,
        metadata: serde_json::json!({ "number": expense.number, "reference": expense.reference }),
    }
    .in_euros()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::vat::tests::code;
    use crate::domain::money::{Money, Rate};

    fn expense() -> Expense {
        serde_json::from_value(serde_json::json!({
            "employee_id": " 12 ", "total": 132, "untaxed_amount": 110, "tax_amount": 22,
            "reference": "NDF-3", "number": null, "currency": "EUR", "date": "2026-04-30",
            "lines": [
                {"total": 120, "untaxed_amount": 100, "tax_amount": 20, "description": "Hôtel",
                 "account_number": "625600", "tax_rate": 20, "tax_id": "20"},
                {"total": 12, "untaxed_amount": 10, "tax_amount": 2, "description": null,
                 "account_number": "625100", "tax_rate": 20, "tax_id": "20"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn the_employee_is_credited_the_lines_and_their_vat_debited() {
        let p = posting(&expense(), &[code("20", 20, false)]).unwrap();
        let d = Decimal::from;
        let sides: Vec<(&AccountRef, Decimal, Decimal)> =
            p.lines.iter().map(|l| (&l.account, l.debit, l.credit)).collect();
        let general = |n: &str| AccountRef::General { number: n.into(), create: None };
        assert_eq!(
            sides,
            vec![
                (&AccountRef::Partner { kind: PartyKind::Employee, id: "12".into() }, d(0), d(132)),
                (&general("625600"), d(100), d(0)),
                (&general("625100"), d(10), d(0)),
                (&general("445660"), d(22), d(0)),
            ]
        );
        assert_eq!(p.lines[2].label, "NDF-3", "no description: the claim's reference");
        assert_eq!(p.lines[3].label, "TVA NDF-3");
        assert_eq!(p.journal, JournalRef::Default(JournalKind::Expenses));
    }

    #[test]
    fn lines_are_checked_before_the_totals() {
        let codes = [code("20", 20, false)];
        let field = |f: fn(&mut Expense)| {
            let mut e = expense();
            f(&mut e);
            posting(&e, &codes).unwrap_err().field
        };
        assert_eq!(field(|e| e.lines[1].total = Money(Decimal::from(13))), "lines.1.total");
        assert_eq!(field(|e| e.lines[0].tax_rate = Rate(Decimal::from(10))), "lines.0.tax_rate");
        assert_eq!(field(|e| e.lines[0].tax_id = "5".into()), "lines.0.tax_id");
        assert_eq!(field(|e| e.total = Money(Decimal::from(133))), "total");
        assert_eq!(
            field(|e| {
                e.total = Money(Decimal::from(133));
                e.lines[0].total = Money(Decimal::from(121));
            }),
            "lines.0.total"
        );
    }
}
