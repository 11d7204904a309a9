//! A bank statement as one entry in the bank account's journal: per transaction, the bank
//! line, the counterpart (a partner, `general_ledger_account`, else suspense 471000) and the
//! fee on 627000.

use rust_decimal::Decimal;

use crate::booking::text_or;
use crate::booking::treasury::movement;
use crate::domain::accounting::{BankAccount, SUSPENSE_ACCOUNT};
use crate::domain::operation::{BankStatement, BankTransaction, CounterpartType};
use crate::domain::posting::{pdf, piece, AccountRef, JournalRef, Posting, PostingLine};
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;

/// Suspense account for bank lines whose counterpart is unknown.
const SUSPENSE: &str = SUSPENSE_ACCOUNT;
/// Bank charges.
const BANK_FEES: &str = "627000";

/// The journal and ledger account of the statement's bank account among the folder's
/// `accounts`; the statement must be in the account's currency.
fn bank(statement: &BankStatement, accounts: &[BankAccount]) -> Result<(String, String), Invalid> {
    let bank =
        accounts.iter().find(|b| b.id == statement.bank_account_id.trim()).ok_or_else(|| {
            Invalid::body(
                "bank_account_id",
                format!(
                    "no bank account {} in this folder; list them with GET /bank-accounts",
                    statement.bank_account_id
                ),
            )
        })?;
    let journal = bank
        .journal_id
        .clone()
        .ok_or_else(|| Invalid::body("bank_account_id", "this bank account has no journal"))?;
    let treasury = bank.ledger_account.clone().ok_or_else(|| {
        Invalid::body("bank_account_id", "this bank account has no ledger account")
    })?;
    if statement.currency.trim().to_ascii_uppercase()
        != bank.currency.clone().unwrap_or_else(|| "EUR".into())
    {
        return Err(Invalid::body("currency", "must be the bank account's currency"));
    }
    Ok((journal, treasury))
}

/// The other side of a transaction: its partner counterpart, else its general ledger account,
/// else suspense.
fn counterpart(item: &BankTransaction) -> AccountRef {
    let partner = item.counterpart.as_ref().and_then(|c| {
        let kind = match c.counterpart_type? {
            CounterpartType::Customer => PartyKind::Client,
            CounterpartType::Supplier => PartyKind::Supplier,
            CounterpartType::Employee => PartyKind::Employee,
        };
        c.id.clone().map(|id| AccountRef::Partner { kind, id })
    });
    partner.unwrap_or_else(|| AccountRef::General {
        number: item.general_ledger_account.clone().unwrap_or_else(|| SUSPENSE.into()),
        create: None,
    })
}

/// The fee of a transaction: not negative, not more than the amount.
fn fee(item: &BankTransaction, field: &str) -> Result<Decimal, Invalid> {
    let fee = item.fee_amount.unwrap_or_default();
    if fee.is_sign_negative() {
        return Err(Invalid::body(format!("{field}.fee_amount"), "must not be negative"));
    }
    if fee > item.amount.abs() {
        return Err(Invalid::body(format!("{field}.fee_amount"), "must not exceed the amount"));
    }
    Ok(*fee)
}

/// The lines of one transaction: the fee's charge first, then the bank and counterpart lines.
fn transaction_lines(
    item: &BankTransaction,
    field: &str,
    treasury: &str,
    fallback: &str,
) -> Result<Vec<PostingLine>, Invalid> {
    if item.amount.is_zero() {
        return Err(Invalid::body(format!("{field}.amount"), "must not be 0"));
    }
    if item.tax_amount.is_some_and(|t| !t.is_zero()) {
        return Err(Invalid::body(
            format!("{field}.tax_amount"),
            "VAT on a bank line is not booked by MyUnisoft: record the invoice instead",
        ));
    }
    let other = counterpart(item);
    let text = text_or(item.description.as_deref(), fallback);
    let fee = fee(item, field)?;
    let [mut bank_line, mut counterpart] = movement(field, treasury, other, *item.amount, text);
    let mut lines = Vec::with_capacity(3);
    // `amount` is gross, the fee included: money received reaches the bank less the fee;
    // money paid leaves the bank whole, the fee part of it going to charges.
    if !fee.is_zero() {
        if item.amount > Decimal::ZERO {
            bank_line.debit -= fee;
        } else {
            counterpart.debit -= fee;
        }
        let charges = AccountRef::General { number: BANK_FEES.into(), create: None };
        let [_, charge] = movement(field, treasury, charges, -fee, text);
        lines.push(charge);
    }
    lines.extend([bank_line, counterpart]);
    Ok(lines)
}

/// A bank statement as a posting, with the folder's bank `accounts`. Lines left at 0 (a
/// transaction that was all fee) are dropped.
pub fn posting(statement: &BankStatement, accounts: &[BankAccount]) -> Result<Posting, Invalid> {
    let (journal, treasury) = bank(statement, accounts)?;
    let number = statement
        .external_bank_statement_id
        .as_deref()
        .map(|n| piece("external_bank_statement_id", n))
        .transpose()?;
    let fallback = format!("Relevé {}", statement.bank_statement_date);
    let mut lines = Vec::new();
    for (i, item) in statement.items.iter().enumerate() {
        lines.extend(transaction_lines(item, &format!("items.{i}"), &treasury, &fallback)?);
    }
    lines.retain(|l| !(l.debit.is_zero() && l.credit.is_zero()));
    Ok(Posting {
        journal: JournalRef::Id(journal),
        date: statement.bank_statement_date,
        number,
        reference: None,
        currency: None,
        lines,
        attachment: statement
            .pdf
            .as_deref()
            .map(|p| pdf(p, statement.pdf_name.as_deref(), "releve"))
            .transpose()?,
        posted: true,
        period: None,
        metadata: serde_json::json!({ "external_bank_statement_id": statement.external_bank_statement_id }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::tests::sides;

    fn accounts() -> Vec<BankAccount> {
        vec![BankAccount {
            id: "3".into(),
            code: Some("BQ1".into()),
            currency: None,
            account_name: None,
            account_number: None,
            iban: None,
            bank_name: None,
            journal_id: Some("5".into()),
            ledger_account: Some("512000".into()),
            unallocated_account: None,
        }]
    }

    fn statement(items: serde_json::Value) -> BankStatement {
        serde_json::from_value(serde_json::json!({
            "bank_statement_date": "2026-04-30", "bank_account_id": "3", "currency": "eur",
            "external_bank_statement_id": "RLV-04", "items": items
        }))
        .unwrap()
    }

    #[test]
    fn transactions_go_to_their_partner_their_account_or_suspense_and_fees_to_charges() {
        let p = posting(
            &statement(serde_json::json!([
                {"amount": 100, "fee_amount": 2, "description": "Client A",
                 "counterpart": {"counterpart_type": "customer", "id": "7"}},
                {"amount": -40, "fee_amount": 1, "general_ledger_account": "606000"},
                {"amount": 5}
            ])),
            &accounts(),
        )
        .unwrap();
        let d = Decimal::from;
        assert_eq!(
            sides(&p),
            vec![
                ("627000".into(), d(2), d(0)),
                ("512000".into(), d(98), d(0)),
                ("partner 7".into(), d(0), d(100)),
                ("627000".into(), d(1), d(0)),
                ("512000".into(), d(0), d(40)),
                ("606000".into(), d(39), d(0)),
                ("512000".into(), d(5), d(0)),
                ("471000".into(), d(0), d(5)),
            ]
        );
        assert_eq!(p.journal, JournalRef::Id("5".into()));
        assert_eq!(p.number.as_deref(), Some("RLV04"));
        assert_eq!(p.lines[6].label, "Relevé 2026-04-30");
        assert!(p.check().is_ok());
    }

    #[test]
    fn a_transaction_that_is_all_fee_leaves_no_empty_line() {
        let p =
            posting(&statement(serde_json::json!([{"amount": -3, "fee_amount": 3}])), &accounts())
                .unwrap();
        let d = Decimal::from;
        assert_eq!(sides(&p), vec![("627000".into(), d(3), d(0)), ("512000".into(), d(0), d(3))]);
    }

    #[test]
    fn the_bank_account_currency_amounts_and_fees_are_checked() {
        let field = |statement: BankStatement| posting(&statement, &accounts()).unwrap_err().field;
        let mut other = statement(serde_json::json!([{"amount": 5}]));
        other.bank_account_id = "4".into();
        assert_eq!(field(other), "bank_account_id");
        let mut dollars = statement(serde_json::json!([{"amount": 5}]));
        dollars.currency = "USD".into();
        assert_eq!(field(dollars), "currency");
        assert_eq!(field(statement(serde_json::json!([{"amount": 0}]))), "items.0.amount");
        assert_eq!(
            field(statement(serde_json::json!([{"amount": 5, "tax_amount": 1}]))),
            "items.0.tax_amount"
        );
        assert_eq!(
            field(statement(serde_json::json!([{"amount": 5, "fee_amount": -1}]))),
            "items.0.fee_amount"
        );
        assert_eq!(
            field(statement(serde_json::json!([{"amount": 5, "fee_amount": 6}]))),
            "items.0.fee_amount"
        );
    }
}
