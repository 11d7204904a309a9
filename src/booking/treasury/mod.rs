//! Money in and out as postings against a bank or cash account: financial entries (bank and
//! cash journals), bank statements and invoice payments.

pub mod bank_statement;
pub mod financial_entry;
pub mod invoice_payment;

use rust_decimal::Decimal;

use crate::domain::posting::{AccountRef, PostingLine};

/// Two lines moving `amount` (positive = received) between the treasury account and `other`.
pub fn movement(
    field: &str,
    treasury: &str,
    other: AccountRef,
    amount: Decimal,
    label: &str,
) -> [PostingLine; 2] {
    let (bank_debit, bank_credit) =
        if amount > Decimal::ZERO { (amount, Decimal::ZERO) } else { (Decimal::ZERO, -amount) };
    let line = |account, debit, credit| PostingLine::new(field, account, label, debit, credit);
    [
        line(
            AccountRef::General { number: treasury.to_owned(), create: None },
            bank_debit,
            bank_credit,
        ),
        line(other, bank_credit, bank_debit),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_received_debits_the_bank_and_money_paid_credits_it() {
        let other = || AccountRef::General { number: "411X".into(), create: None };
        let [bank, counterpart] = movement("items.0", "512000", other(), Decimal::from(30), "x");
        assert_eq!(
            (bank.debit, bank.credit, counterpart.debit, counterpart.credit),
            (Decimal::from(30), Decimal::ZERO, Decimal::ZERO, Decimal::from(30))
        );
        let [bank, counterpart] = movement("items.0", "512000", other(), Decimal::from(-30), "x");
        assert_eq!(
            (bank.debit, bank.credit, counterpart.debit, counterpart.credit),
            (Decimal::ZERO, Decimal::from(30), Decimal::from(30), Decimal::ZERO)
        );
        assert_eq!(bank.account, AccountRef::General { number: "512000".into(), create: None });
    }
}
