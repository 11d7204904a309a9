//! Open items of clients (411) and suppliers (401), derived from MAD movements and their
//! lettering: `complete` closes a line, `none` leaves it open in full, and for a `partial` group
//! the group's net stays open on its invoice line(s), the newest first.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::connectors::myunisoft::dto::{LetteringState, Movement};
use crate::domain::accounting::JournalType;
use crate::domain::money::{Money, Rate};
use crate::domain::outstanding::{Outstanding, OutstandingDueDate, OutstandingType};

/// The root of the third-party accounts of a kind, as MAD's `classAccount` takes it.
pub(crate) fn class_account(kind: OutstandingType) -> &'static str {
    match kind {
        OutstandingType::Client => "411%",
        OutstandingType::Supplier => "401%",
    }
}

/// MAD's journal type label → the normalized type.
pub(crate) fn journal_type(label: Option<&str>) -> JournalType {
    match label.unwrap_or_default() {
        "Vente" => JournalType::CustomerInvoice,
        "Achat" => JournalType::SupplierInvoice,
        "Banque" | "Caisse" => JournalType::FinancialOperation,
        _ => JournalType::MiscellaneousOperation,
    }
}

/// A movement's amount as the third party sees it: what a client owes (debit − credit) or what
/// is owed to a supplier (credit − debit).
fn signed(kind: OutstandingType, m: &Movement) -> Decimal {
    match kind {
        OutstandingType::Client => m.value.debit - m.value.credit,
        OutstandingType::Supplier => m.value.credit - m.value.debit,
    }
}

/// The lettering code without the `*` of partial groups.
fn matching_number(m: &Movement) -> Option<String> {
    let code = m.lettering.as_ref()?.value.as_deref()?;
    Some(code.trim_start_matches('*').to_owned()).filter(|c| !c.is_empty())
}

fn state(m: &Movement) -> LetteringState {
    m.lettering.as_ref().map_or(LetteringState::None, |l| l.state)
}

/// A fetched movement and whether its entry is posted (`false`: awaiting validation).
pub(crate) struct Line {
    pub movement: Movement,
    pub posted: bool,
}

fn item(kind: OutstandingType, line: &Line, open_amount: Decimal) -> Outstanding {
    let m = &line.movement;
    let due_date = m.due_date.or(m.entry.due_date);
    let currency = m.entry.currency.as_ref();
    let due_dates = due_date
        .map(|due_date| OutstandingDueDate {
            due_date,
            payment_method: m.payment.as_ref().and_then(|p| p.name.clone()),
            payment_method_id: m.payment.as_ref().map(|p| p.producer_id.clone()),
            amount: Money(open_amount),
        })
        .into_iter()
        .collect();
    let account = m.account.as_ref();
    Outstanding {
        id: m.producer_id.clone(),
        number: m.invoice_number.clone().filter(|n| !n.is_empty()),
        journal_id: m.entry.journal.producer_id.clone(),
        journal_type: journal_type(m.entry.journal.kind.as_deref()),
        date: m.entry.date,
        due_date,
        due_dates,
        currency: currency.map_or_else(|| "EUR".to_owned(), |c| c.code.clone()),
        currency_exchange_rate: Rate(currency.and_then(|c| c.rate).unwrap_or(Decimal::ONE)),
        amount: Money(signed(kind, m)),
        open_amount: Money(open_amount),
        partner_id: account.map(|a| a.producer_id.clone()).unwrap_or_default(),
        account_number: account.and_then(|a| a.number.clone()).unwrap_or_default(),
        reference: m.free_number.clone().filter(|r| !r.is_empty()),
        matching_numbers: matching_number(m).into_iter().collect(),
        payment_communication: None,
        posted: line.posted,
        original_document: None,
    }
}

/// The open part of a partially lettered group: its net, on the lines of the net's sign, the
/// newest first (payments settle the oldest invoices first).
fn open_in_group<'a>(kind: OutstandingType, group: &[&'a Line]) -> Vec<(&'a Line, Decimal)> {
    let net: Decimal = group.iter().map(|l| signed(kind, &l.movement)).sum();
    if net.is_zero() {
        return vec![];
    }
    let mut invoices: Vec<&Line> = group
        .iter()
        .copied()
        .filter(|l| signed(kind, &l.movement).is_sign_negative() == net.is_sign_negative())
        .collect();
    invoices.sort_by(|a, b| {
        (b.movement.entry.date, &b.movement.producer_id)
            .cmp(&(a.movement.entry.date, &a.movement.producer_id))
    });
    let mut remaining = net.abs();
    let mut open = vec![];
    for line in invoices {
        if remaining.is_zero() {
            break;
        }
        let part = signed(kind, &line.movement).abs().min(remaining);
        remaining -= part;
        open.push((line, if net.is_sign_negative() { -part } else { part }));
    }
    open
}

/// The open items among `lines` (the third-party movements of one kind), by date then id.
pub(crate) fn outstandings(kind: OutstandingType, lines: &[Line]) -> Vec<Outstanding> {
    let mut items = vec![];
    let mut groups: BTreeMap<(String, String), Vec<&Line>> = BTreeMap::new();
    for line in lines {
        let m = &line.movement;
        match state(m) {
            LetteringState::Complete => {}
            LetteringState::None => {
                let amount = signed(kind, m);
                if !amount.is_zero() {
                    items.push(item(kind, line, amount));
                }
            }
            LetteringState::Partial => {
                let account = m.account.as_ref().map(|a| a.producer_id.clone()).unwrap_or_default();
                let code = matching_number(m).unwrap_or_default();
                groups.entry((account, code)).or_default().push(line);
            }
        }
    }
    for group in groups.values() {
        items.extend(open_in_group(kind, group).into_iter().map(|(l, open)| item(kind, l, open)));
    }
    items.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    items
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn lines(pending: &[&str]) -> Vec<Line> {
        let movements: Vec<Movement> =
            serde_json::from_str(fixture!("mad_movements_outstanding.json")).unwrap();
        movements
            .into_iter()
            .map(|m| {
                let posted = !pending.contains(&m.producer_id.as_str());
                Line { movement: m, posted }
            })
            .collect()
    }

    fn by_id(items: &[Outstanding]) -> BTreeMap<&str, &Outstanding> {
        items.iter().map(|i| (i.id.as_str(), i)).collect()
    }

    #[test]
    fn client_items_follow_the_lettering() {
        let items = outstandings(OutstandingType::Client, &lines(&[]));
        let found = by_id(&items);
        // Fully lettered invoice and payment: closed.
        assert!(!found.contains_key("1001") && !found.contains_key("1002"));
        // Open invoice: open in full.
        let open = found["1003"];
        assert_eq!((*open.amount, *open.open_amount), (d("240"), d("240")));
        assert_eq!(open.number.as_deref(), Some("FV260303"));
        assert_eq!(open.journal_type, JournalType::CustomerInvoice);
        assert_eq!(
            (open.partner_id.as_str(), open.account_number.as_str()),
            ("7700412", "411DUPONT")
        );
        assert!(open.matching_numbers.is_empty() && open.posted);
        assert_eq!(open.due_dates.len(), 1);
        assert_eq!(open.due_dates[0].payment_method.as_deref(), Some("Virement"));
        // Partial group: two invoices (1000, 500) and a payment of 1200: 300 open on the newest.
        assert!(!found.contains_key("1004") && !found.contains_key("1006"));
        let partial = found["1005"];
        assert_eq!((*partial.amount, *partial.open_amount), (d("500"), d("300")));
        assert_eq!(partial.matching_numbers, ["AAC"]);
        assert_eq!(partial.due_dates[0].amount, d("300"));
        // An unlettered payment: a negative open item.
        let payment = found["1007"];
        assert_eq!((*payment.amount, *payment.open_amount), (d("-80"), d("-80")));
        assert_eq!(payment.journal_type, JournalType::FinancialOperation);
        assert_eq!(payment.reference.as_deref(), Some("VIR260410"));
        let dates: Vec<_> = items.iter().map(|i| (i.date, i.id.clone())).collect();
        let mut sorted = dates.clone();
        sorted.sort();
        assert_eq!(dates, sorted);
    }

    #[test]
    fn foreign_currency_items_keep_the_entry_currency_and_euro_amounts() {
        let items = outstandings(OutstandingType::Client, &lines(&[]));
        let usd = by_id(&items)["1008"];
        assert_eq!((usd.currency.as_str(), *usd.currency_exchange_rate), ("USD", d("1.0489")));
        assert_eq!(usd.amount, d("1200"));
        assert_eq!(by_id(&items)["1003"].currency_exchange_rate, Decimal::ONE);
    }

    #[test]
    fn supplier_amounts_are_credit_minus_debit_and_pending_ones_unposted() {
        let items = outstandings(OutstandingType::Supplier, &lines(&["1010"]));
        let found = by_id(&items);
        let invoice = found["1009"];
        assert_eq!((*invoice.amount, *invoice.open_amount), (d("600"), d("600")));
        assert_eq!(invoice.journal_type, JournalType::SupplierInvoice);
        assert!(invoice.posted);
        assert!(!found["1010"].posted);
    }

    #[test]
    fn journal_types_and_roots() {
        assert_eq!(journal_type(Some("Caisse")), JournalType::FinancialOperation);
        assert_eq!(journal_type(Some("OD Lettrage")), JournalType::MiscellaneousOperation);
        assert_eq!(journal_type(None), JournalType::MiscellaneousOperation);
        assert_eq!(class_account(OutstandingType::Supplier), "401%");
    }
}
