//! The payments of an invoice: the lines of other entries lettered with its partner lines.

use rust_decimal::Decimal;

use crate::booking::invoices::Journals;
use crate::domain::accounting::JournalType;
use crate::domain::invoice::Payment;
use crate::domain::journal_entry::{JournalEntry, JournalItem};
use crate::domain::money::Money;

/// A lettering of one of the invoice's partner lines: its account, the code, and whether the
/// match is complete.
struct Lettering<'e> {
    account: &'e str,
    code: &'e str,
    complete: bool,
}

fn letterings(invoice_entry: &JournalEntry) -> Vec<Lettering<'_>> {
    invoice_entry
        .items
        .iter()
        .filter(|i| i.partner_id.is_some())
        .flat_map(|i| {
            i.matching_numbers.iter().map(move |m| Lettering {
                account: i.account_number.as_str(),
                code: m.as_str(),
                complete: !i.matching_partial,
            })
        })
        .collect()
}

/// The payment `entry` makes with its `lines` lettered by `lettering`.
fn payment(
    entry: &JournalEntry,
    lines: &[&JournalItem],
    lettering: &Lettering,
    journals: &Journals,
) -> Payment {
    let amount: Decimal = lines.iter().map(|l| (l.debit - l.credit).abs()).sum();
    let (journal_type, journal_name) =
        journals.get(&entry.journal_id).cloned().unwrap_or((JournalType::Unknown, String::new()));
    Payment {
        id: entry.id.clone(),
        name: entry
            .name
            .clone()
            .or_else(|| entry.reference.clone())
            .unwrap_or_else(|| entry.entry_id.clone()),
        currency: "EUR".into(),
        amount: Money(amount),
        dedicated_amount: Money(amount),
        payment_date: entry.date,
        journal_type,
        journal_id: entry.journal_id.clone(),
        journal_name,
        reconciled: lettering.complete,
        communication: lines.first().and_then(|l| l.description.clone()),
        matching_number: Some(lettering.code.to_owned()),
    }
}

/// The payments of the invoice `invoice_entry` is among `all` the folder's entries: the other
/// lines lettered with its partner lines, one per entry and lettering.
pub fn payments_of(
    invoice_entry: &JournalEntry,
    all: &[JournalEntry],
    journals: &Journals,
) -> Vec<Payment> {
    let letterings = letterings(invoice_entry);
    let mut out = Vec::new();
    for entry in all.iter().filter(|e| e.entry_id != invoice_entry.entry_id) {
        for lettering in &letterings {
            let lines: Vec<&JournalItem> = entry
                .items
                .iter()
                .filter(|i| {
                    i.account_number == lettering.account
                        && i.matching_numbers.iter().any(|m| m == lettering.code)
                })
                .collect();
            if !lines.is_empty() {
                out.push(payment(entry, &lines, lettering, journals));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, journal: &str, items: serde_json::Value) -> JournalEntry {
        serde_json::from_value(serde_json::json!({
            "id": id, "reference": null, "name": null, "journal_id": journal, "journal_name": null,
            "date": "2026-03-10", "due_date": null, "due_dates": [], "posted": true,
            "attachments_info": {"status": "no"}, "created_on": null, "entry_id": id,
            "document_currency": null, "document_exchange_rate": null, "items": items
        }))
        .unwrap()
    }

    fn item(
        account: &str,
        partner: bool,
        debit: i64,
        credit: i64,
        codes: &[&str],
    ) -> serde_json::Value {
        serde_json::json!({
            "id": account, "account_number": account, "account_name": "x",
            "partner_id": if partner { Some("7") } else { None }, "partner_name": null,
            "description": format!("line {account}"), "debit": debit, "credit": credit,
            "currency": "EUR", "currency_exchange_rate": 1, "matching_numbers": codes,
            "analytic_distribution": [], "analytic_account": null, "analytic_account_name": null,
            "due_date": null
        })
    }

    #[test]
    fn entries_lettered_with_the_partner_lines_are_its_payments() {
        let mut invoice = entry(
            "INV",
            "VT",
            serde_json::json!([
                item("411A", true, 120, 0, &["AA"]),
                item("706000", false, 0, 120, &[])
            ]),
        );
        let paid = entry(
            "PAY",
            "BQ",
            serde_json::json!([
                item("512000", false, 50, 0, &[]),
                item("411A", true, 0, 50, &["AA"])
            ]),
        );
        let other = entry(
            "OTHER",
            "BQ",
            serde_json::json!([
                item("512000", false, 9, 0, &[]),
                item("411A", true, 0, 9, &["BB"])
            ]),
        );
        // The invoice's line is only partly lettered (a flag the software's reading sets).
        invoice.items[0].matching_partial = true;
        let journals: Journals =
            [("BQ".to_owned(), (JournalType::FinancialOperation, "Banque".to_owned()))].into();
        let all = [invoice.clone(), paid, other];
        let payments = payments_of(&invoice, &all, &journals);
        assert_eq!(payments.len(), 1, "{payments:?}");
        let p = &payments[0];
        assert_eq!((p.id.as_str(), *p.amount), ("PAY", Decimal::from(50)));
        assert_eq!(
            (p.journal_type, p.journal_name.as_str()),
            (JournalType::FinancialOperation, "Banque")
        );
        assert_eq!(p.matching_number.as_deref(), Some("AA"));
        assert!(!p.reconciled, "a partial lettering is not reconciled");
        assert_eq!((p.name.as_str(), p.communication.as_deref()), ("PAY", Some("line 411A")));
    }
}
