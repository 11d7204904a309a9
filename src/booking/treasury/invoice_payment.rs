//! A payment of invoices as one entry in the first open bank journal (the bank debited for
//! money received), one line per invoice on its partner's account; each partner's lines are
//! then lettered with its invoices.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::booking::currency::foreign;
use crate::booking::text_or;
use crate::booking::treasury::movement;
use crate::domain::accounting::{Journal, JournalType};
use crate::domain::invoice::Invoice;
use crate::domain::journal_entry::JournalEntry;
use crate::domain::operation::{InvoicePayment, InvoicePaymentItem};
use crate::domain::posting::{piece, AccountRef, JournalRef, Posting};
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;

/// The journal a payment is recorded in: the first open bank journal (by code) on a 512
/// account.
pub fn bank_journal(journals: &[Journal]) -> Result<&Journal, Invalid> {
    journals
        .iter()
        .filter(|j| j.journal_type == JournalType::FinancialOperation && !j.blocked)
        .filter(|j| j.counterpart_account.as_deref().is_some_and(|a| a.starts_with("512")))
        .min_by(|a, b| a.code.cmp(&b.code))
        .ok_or_else(|| {
            Invalid::body(
                "payment_method_id",
                "this folder has no open bank journal to record the payment in",
            )
        })
}

/// An item pays a positive amount (checked before its invoice is looked up).
pub fn check_amount(item: &InvoicePaymentItem, field: &str) -> Result<(), Invalid> {
    if item.amount <= Decimal::ZERO {
        return Err(Invalid::body(format!("{field}.amount"), "must be positive"));
    }
    Ok(())
}

/// What one item settles: the invoice's partner, and the money moved on its account.
#[derive(Debug, Clone, PartialEq)]
pub struct Settlement {
    field: String,
    kind: PartyKind,
    /// The partner's id.
    partner: String,
    /// The invoice's entry id.
    invoice: String,
    /// Positive = received.
    received: Decimal,
    label: String,
}

/// The settlement of `invoice` (the entry `entry`) by `item`. An invoice already (partly)
/// lettered is refused: MyUnisoft letters a line once.
pub fn settlement(
    payment: &InvoicePayment,
    item: &InvoicePaymentItem,
    field: &str,
    invoice: &Invoice,
    entry: &JournalEntry,
) -> Result<Settlement, Invalid> {
    let mut partner_lines = entry.items.iter().filter(|l| l.partner_id.is_some());
    if let Some(done) = partner_lines.find_map(|l| l.matching_numbers.first()) {
        return Err(Invalid::body(
            format!("{field}.invoice_id"),
            format!("invoice `{}` is already matched ({done}): MyUnisoft cannot letter its line again; record the payment with POST /journal-entries", item.invoice_id),
        ));
    }
    let partner = invoice.partner_id.clone().ok_or_else(|| {
        Invalid::body(format!("{field}.invoice_id"), "the invoice has no partner")
    })?;
    let settles = format!("Règlement {}", invoice.invoice_number.clone().unwrap_or_default());
    Ok(Settlement {
        field: field.to_owned(),
        kind: if invoice.invoice_type.is_sale() { PartyKind::Client } else { PartyKind::Supplier },
        partner,
        invoice: invoice.id.clone(),
        // Money comes in when the partner was debited (customer invoice, supplier refund).
        received: invoice.invoice_type.partner_sign() * item.amount,
        label: text_or(payment.reference.as_deref(), &settles).to_owned(),
    })
}

/// The payment as a posting in `bank`'s journal, one movement per settlement.
pub fn posting(
    payment: &InvoicePayment,
    bank: &Journal,
    settled: &[Settlement],
) -> Result<Posting, Invalid> {
    let treasury = bank.counterpart_account.clone().unwrap_or_default();
    let lines = settled
        .iter()
        .flat_map(|s| {
            let partner = AccountRef::Partner { kind: s.kind, id: s.partner.clone() };
            movement(&s.field, &treasury, partner, s.received, &s.label)
        })
        .collect();
    Posting {
        journal: JournalRef::Id(bank.id.clone()),
        date: payment.date,
        // The currency is checked before the number and the reference.
        currency: foreign(&payment.currency, payment.currency_exchange_rate)?,
        number: payment.number.as_deref().map(|n| piece("number", n)).transpose()?,
        reference: payment.reference.as_deref().map(|r| piece("reference", r)).transpose()?,
        lines,
        attachment: None,
        posted: true,
        period: None,
        metadata: serde_json::json!({ "payment_method_id": payment.payment_method_id, "number": payment.number }),
    }
    .in_euros()
}

/// What to letter once the payment is `written`: per partner, its invoices' entries and the
/// payment's.
pub fn lettering(settled: &[Settlement], written: &str) -> BTreeMap<String, Vec<String>> {
    let mut by_partner: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in settled {
        by_partner.entry(s.partner.clone()).or_default().push(s.invoice.clone());
    }
    for entries in by_partner.values_mut() {
        entries.push(written.to_owned());
    }
    by_partner
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::InvoiceType;
    use crate::domain::money::Money;

    fn journal(id: &str, code: &str, account: &str, blocked: bool) -> Journal {
        Journal {
            id: id.into(),
            code: Some(code.into()),
            name: format!("Banque {code}"),
            journal_type: JournalType::FinancialOperation,
            counterpart_account: Some(account.into()),
            currency: None,
            blocked,
            iban: None,
            next_document_numbers: vec![],
            other_currencies_allowed: false,
            unallocated_account: None,
        }
    }

    fn payment() -> InvoicePayment {
        serde_json::from_value(serde_json::json!({
            "date": "2026-03-15", "payment_method_id": "1", "currency": "EUR",
            "reference": null, "number": "REG-1",
            "items": [{"invoice_id": "I1", "amount": 120}, {"invoice_id": "I2", "amount": 30}]
        }))
        .unwrap()
    }

    fn entry(matching: &[&str]) -> JournalEntry {
        serde_json::from_value(serde_json::json!({
            "id": "I1", "reference": null, "name": "FV1", "journal_id": "VT", "journal_name": null,
            "date": "2026-02-01", "due_date": null, "due_dates": [], "posted": true,
            "attachments_info": {"status": "no"}, "created_on": null, "entry_id": "1",
            "document_currency": null, "document_exchange_rate": null,
            "items": [{"id": "1", "account_number": "411A", "account_name": "A", "partner_id": "7",
                "partner_name": null, "description": null, "debit": 120, "credit": 0,
                "currency": "EUR", "currency_exchange_rate": 1, "matching_numbers": matching,
                "analytic_distribution": [], "analytic_account": null,
                "analytic_account_name": null, "due_date": null}]
        }))
        .unwrap()
    }

    fn invoice(id: &str, kind: InvoiceType, partner: Option<&str>) -> Invoice {
        let mut invoice: Invoice = serde_json::from_value(serde_json::json!({
            "id": id, "invoice_type": kind, "invoice_number": format!("F-{id}"), "currency": "EUR",
            "untaxed_amount": 100, "tax_amount": 20, "total": 120, "reference": null,
            "payment_communication": null, "customer_memo": null, "payment_term_id": null,
            "invoice_date": "2026-02-01", "due_date": "2026-03-01", "partner_id": partner,
            "journal_id": "VT", "status": "posted", "lines": [], "payments": null,
            "last_updated_on": null, "partner": null, "due_dates": [],
            "attachments_info": {"status": "no"},
            "accounting_info": {"main_currency": "EUR", "main_currency_total": 120, "account_number": null},
            "approval_status": "unknown", "payment_method_id": null
        }))
        .unwrap();
        invoice.partner_id = partner.map(str::to_owned);
        invoice
    }

    #[test]
    fn the_first_open_bank_journal_by_code_takes_the_payment() {
        let journals = vec![
            journal("1", "BQ3", "512300", false),
            journal("2", "BQ1", "512100", true),
            journal("3", "CA", "530000", false),
            journal("4", "BQ2", "512200", false),
        ];
        assert_eq!(bank_journal(&journals).unwrap().id, "4");
        assert_eq!(bank_journal(&journals[1..3]).unwrap_err().field, "payment_method_id");
    }

    #[test]
    fn money_moves_on_each_partner_then_partners_are_lettered() {
        let p = payment();
        let paid =
            [("I1", InvoiceType::CustomerInvoice, "7"), ("I2", InvoiceType::SupplierInvoice, "8")];
        let settled: Vec<Settlement> = paid
            .iter()
            .zip(&p.items)
            .enumerate()
            .map(|(i, ((id, kind, partner), item))| {
                let invoice = invoice(id, *kind, Some(partner));
                settlement(&p, item, &format!("items.{i}"), &invoice, &entry(&[])).unwrap()
            })
            .collect();
        let posting = posting(&p, &journal("4", "BQ2", "512200", false), &settled).unwrap();
        let d = Decimal::from;
        let sides: Vec<(&AccountRef, Decimal, Decimal)> =
            posting.lines.iter().map(|l| (&l.account, l.debit, l.credit)).collect();
        let bank = AccountRef::General { number: "512200".into(), create: None };
        assert_eq!(
            sides,
            vec![
                (&bank, d(120), d(0)),
                (&AccountRef::Partner { kind: PartyKind::Client, id: "7".into() }, d(0), d(120)),
                (&bank, d(0), d(30)),
                (&AccountRef::Partner { kind: PartyKind::Supplier, id: "8".into() }, d(30), d(0)),
            ]
        );
        assert_eq!(posting.lines[0].label, "Règlement F-I1");
        assert_eq!(posting.journal, JournalRef::Id("4".into()));
        let letters = lettering(&settled, "P9");
        assert_eq!(letters["7"], vec!["I1".to_owned(), "P9".to_owned()]);
        assert_eq!(letters["8"], vec!["I2".to_owned(), "P9".to_owned()]);
    }

    #[test]
    fn amounts_lettered_invoices_and_invoices_without_partner_are_refused() {
        let p = payment();
        let mut zero = p.items[0].clone();
        zero.amount = Money(Decimal::ZERO);
        assert_eq!(check_amount(&zero, "items.0").unwrap_err().field, "items.0.amount");
        assert!(check_amount(&p.items[0], "items.0").is_ok());
        let sale = invoice("I1", InvoiceType::CustomerInvoice, Some("7"));
        let matched = settlement(&p, &p.items[0], "items.0", &sale, &entry(&["AB"])).unwrap_err();
        assert_eq!(matched.field, "items.0.invoice_id");
        assert!(matched.rule.contains("already matched (AB)"), "{}", matched.rule);
        let orphan = invoice("I1", InvoiceType::CustomerInvoice, None);
        let e = settlement(&p, &p.items[0], "items.0", &orphan, &entry(&[])).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.as_str()),
            ("items.0.invoice_id", "the invoice has no partner")
        );
    }
}
