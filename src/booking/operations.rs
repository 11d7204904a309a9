//! Miscellaneous operations ⇄ entries. Amounts follow Chift's sign: positive = credit.

use rust_decimal::Decimal;

use crate::booking::analytics::on_default_plan;
use crate::booking::currency::foreign;
use crate::domain::journal_entry::JournalEntry;
use crate::domain::money::Rate;
use crate::domain::operation::{
    Operation, OperationIn, OperationLine, OperationLineType, OperationStatus, OperationStatusIn,
};
use crate::domain::posting::{
    label, piece, AccountRef, JournalKind, JournalRef, Posting, PostingLine,
};
use crate::domain::third_party::PartyKind;
use crate::domain::{Invalid, Refusal};

fn line_type(number: &str, partner: bool) -> OperationLineType {
    match (partner, number.get(..3)) {
        (true, Some("411")) => OperationLineType::CustomerAccount,
        (true, Some("401")) => OperationLineType::SupplierAccount,
        _ => OperationLineType::GeneralAccount,
    }
}

/// An entry as an operation.
pub fn operation(entry: &JournalEntry) -> Operation {
    let lines = entry
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| OperationLine {
            line_number: Some(i as i64 + 1),
            description: item.description.clone(),
            amount: item.credit - item.debit,
            r#type: line_type(&item.account_number, item.partner_id.is_some()),
            account_number: item.account_number.clone(),
            partner_id: item.partner_id.clone(),
            analytic_account: item.analytic_account.clone(),
        })
        .collect();
    let matched =
        entry.items.iter().any(|i| i.partner_id.is_some() && !i.matching_numbers.is_empty());
    Operation {
        id: entry.id.clone(),
        operation_number: entry.name.clone(),
        currency: "EUR".into(),
        currency_exchange_rate: Rate(Decimal::ONE),
        lines,
        operation_date: entry.date,
        journal_id: entry.journal_id.clone(),
        status: match (entry.posted, matched) {
            (false, _) => OperationStatus::Draft,
            (true, true) => OperationStatus::Matched,
            (true, false) => OperationStatus::Posted,
        },
    }
}

/// The account of an operation line: a partner line names its partner by id when it has one.
fn line_account(line: &OperationLine) -> AccountRef {
    let general =
        || AccountRef::General { number: line.account_number.trim().to_owned(), create: None };
    let partner = |kind| match line.partner_id.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(id) => AccountRef::Partner { kind, id: id.to_owned() },
        None => general(),
    };
    match line.r#type {
        OperationLineType::CustomerAccount => partner(PartyKind::Client),
        OperationLineType::SupplierAccount => partner(PartyKind::Supplier),
        OperationLineType::GeneralAccount => general(),
    }
}

/// One operation line as a posting line: a positive amount is a credit.
fn posting_line(
    line: &OperationLine,
    field: String,
    default_plan: Option<&str>,
    fallback: &str,
) -> Result<PostingLine, Invalid> {
    if line.amount.is_zero() {
        return Err(Invalid::body(
            format!("{field}.amount"),
            "must not be 0 (positive = credit, negative = debit)",
        ));
    }
    let account = line_account(line);
    let analytics = on_default_plan(line.analytic_account.as_deref(), default_plan, &field)?;
    Ok(PostingLine {
        field,
        account,
        label: line
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| label(fallback)),
        debit: if line.amount < Decimal::ZERO { *-line.amount } else { Decimal::ZERO },
        credit: if line.amount > Decimal::ZERO { *line.amount } else { Decimal::ZERO },
        due_date: None,
        currency_amount: None,
        analytics,
        payment_method: None,
    })
}

/// `MiscellaneousOperationIn` as a posting; an `analytic_account` goes on `default_plan`.
pub fn posting(op: &OperationIn, default_plan: Option<&str>) -> Result<Posting, Invalid> {
    let raw_number = op.operation_number.clone();
    let number = raw_number.as_deref().map(|n| piece("operation_number", n)).transpose()?;
    let fallback = raw_number.clone().unwrap_or_else(|| "Opération diverse".into());
    let lines = op
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| posting_line(line, format!("lines.{i}"), default_plan, &fallback))
        .collect::<Result<Vec<_>, _>>()?;
    let sum: Decimal = op.lines.iter().map(|l| *l.amount).sum();
    if !sum.is_zero() {
        return Err(Invalid::body(
            "lines",
            format!("the operation is not balanced: its amounts sum to {sum}, not 0"),
        )
        .because(Refusal::OperationNotBalanced));
    }
    Posting {
        journal: op
            .journal_id
            .clone()
            .map_or(JournalRef::Default(JournalKind::Miscellaneous), JournalRef::Id),
        date: op.operation_date,
        number,
        reference: None,
        currency: foreign(&op.currency, op.currency_exchange_rate)?,
        lines,
        attachment: None,
        posted: op.status != Some(OperationStatusIn::Draft),
        period: None,
        metadata: serde_json::json!({ "operation_number": raw_number }),
    }
    .in_euros()
}
#[cfg(test)]
mod tests {
    use super::*;

    fn op(lines: serde_json::Value) -> OperationIn {
        serde_json::from_value(serde_json::json!({
            "currency": "EUR", "operation_date": "2026-05-31", "operation_number": "OD-5", "lines": lines
        }))
        .unwrap()
    }

    #[test]
    fn positive_amounts_are_credits_and_partners_are_named_by_id() {
        let p = posting(
            &op(serde_json::json!([
                {"amount": -50, "type": "general_account", "account_number": "658000", "analytic_account": "9051"},
                {"amount": 50, "type": "customer_account", "account_number": "411CREPE", "partner_id": "1180308"}
            ])),
            Some("411"),
        )
        .unwrap();
        assert_eq!((p.lines[0].debit, p.lines[0].credit), (Decimal::from(50), Decimal::ZERO));
        assert_eq!((p.lines[1].debit, p.lines[1].credit), (Decimal::ZERO, Decimal::from(50)));
        assert_eq!(
            p.lines[1].account,
            AccountRef::Partner { kind: PartyKind::Client, id: "1180308".into() }
        );
        assert_eq!(p.lines[0].analytics[0].analytic_plan, "411");
        assert_eq!(p.journal, JournalRef::Default(JournalKind::Miscellaneous));
        assert_eq!(p.lines[0].label, "OD-5");
    }

    #[test]
    fn zero_lines_and_plans_that_do_not_exist_are_refused() {
        let zero = posting(
            &op(serde_json::json!([
                {"amount": 0, "type": "general_account", "account_number": "658000"},
                {"amount": 0, "type": "general_account", "account_number": "758000"}
            ])),
            None,
        );
        assert!(matches!(zero, Err(i) if i.field == "lines.0.amount"));
        let no_plan = posting(
            &op(serde_json::json!([
                {"amount": -5, "type": "general_account", "account_number": "658000", "analytic_account": "1"},
                {"amount": 5, "type": "general_account", "account_number": "758000"}
            ])),
            None,
        );
        assert!(matches!(no_plan, Err(i) if i.field == "lines.0.analytic_account"));
    }

    #[test]
    fn an_unbalanced_operation_is_refused_with_chifts_code() {
        for lines in [
            serde_json::json!([{"amount": -50, "type": "general_account", "account_number": "658000"}]),
            serde_json::json!([
                {"amount": -50, "type": "general_account", "account_number": "658000"},
                {"amount": 45.5, "type": "general_account", "account_number": "758000"}
            ]),
        ] {
            let unbalanced = posting(&op(lines), None).unwrap_err();
            assert_eq!(unbalanced.refusal, Some(Refusal::OperationNotBalanced));
            assert!(unbalanced.rule.contains("sum to -"), "{}", unbalanced.rule);
        }
    }

    #[test]
    fn entries_read_as_operations_with_chift_signs() {
        let entry: JournalEntry = serde_json::from_value(serde_json::json!({
            "id": "E", "reference": null, "name": "OD5", "journal_id": "J", "journal_name": null,
            "date": "2026-05-31", "due_date": null, "due_dates": [], "posted": true,
            "attachments_info": {"status": "no"}, "created_on": null, "entry_id": "1",
            "document_currency": null, "document_exchange_rate": null,
            "items": [
                {"id": "1", "account_number": "658000", "account_name": "x", "partner_id": null, "partner_name": null,
                 "description": null, "debit": 50, "credit": 0, "currency": "EUR", "currency_exchange_rate": 1,
                 "matching_numbers": [], "analytic_distribution": [], "analytic_account": null, "analytic_account_name": null, "due_date": null},
                {"id": "2", "account_number": "411CREPE", "account_name": "x", "partner_id": "7", "partner_name": null,
                 "description": null, "debit": 0, "credit": 50, "currency": "EUR", "currency_exchange_rate": 1,
                 "matching_numbers": ["AAA"], "analytic_distribution": [], "analytic_account": null, "analytic_account_name": null, "due_date": null}
            ]
        }))
        .unwrap();
        let o = operation(&entry);
        assert_eq!(
            (*o.lines[0].amount, *o.lines[1].amount),
            (Decimal::from(-50), Decimal::from(50))
        );
        assert_eq!(o.lines[1].r#type, OperationLineType::CustomerAccount);
        assert_eq!(o.status, OperationStatus::Matched);
    }
}
