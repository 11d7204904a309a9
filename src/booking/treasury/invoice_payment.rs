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
use crate::domain::posting::{piece, AccountRef, JournalRef, PartyKind, Posting};
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
    pub partner: String,
    /// The invoice's entry id.
    pub invoice: String,
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
