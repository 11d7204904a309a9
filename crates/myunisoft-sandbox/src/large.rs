//! Large-volume mode: the open exercise of folder 4823 holds `N` generated movements (set with
//! `Sandbox::set_large_movements` or `PUT /_sandbox/large`). Entry `i` is computed from `i`
//! alone, so MAD responses (`routes/movements.rs`) are streamed chunk by chunk without ever holding
//! the set in memory.
//! Sales invoices have three lines (customer, revenue, VAT) and payments two (bank, customer);
//! every entry balances. `N = 3·sales + 2·payments` (a count of 1 yields nothing).

use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::world::{Entry, Folder, Line};

/// Entry ids of generated entries start above this; line ids above [`LINE_BASE`].
const ENTRY_BASE: i64 = 800_000_000;
const LINE_BASE: i64 = 8_000_000_000;

/// The generated books of one folder.
#[derive(Debug, Clone)]
pub(crate) struct Generator {
    folder: Folder,
    start: NaiveDate,
    days: u64,
    sales: u64,
    payments: u64,
    clients: Vec<i64>,
    revenue: i64,
    vat: i64,
    bank: i64,
    sales_journal: i64,
    bank_journal: i64,
}

impl Generator {
    /// The generator of `folder`'s open exercise, `None` when it has none.
    pub(crate) fn new(folder: Folder, movements: u64) -> Option<Self> {
        let open = folder.exercices.iter().find(|e| !e.closed())?.clone();
        let (sales, payments) = match movements % 3 {
            _ if movements < 2 => (0, 0),
            0 => (movements / 3, 0),
            2 => ((movements - 2) / 3, 1),
            _ => ((movements - 4) / 3, 2),
        };
        let id = |number: &str| folder.account_by_number(number).map_or(0, |a| a.id);
        let journal = |code: &str| folder.diary_by_code(code).map_or(0, |d| d.id);
        let clients: Vec<i64> = folder
            .accounts
            .iter()
            .filter(|a| a.number.starts_with("411") && !a.closed)
            .map(|a| a.id)
            .collect();
        Some(Generator {
            start: open.start,
            days: u64::try_from((open.end - open.start).num_days()).unwrap_or(0) + 1,
            sales,
            payments,
            revenue: id("707000"),
            vat: id("445712"),
            bank: id("512000"),
            sales_journal: journal("02"),
            bank_journal: journal("15"),
            clients: if clients.is_empty() { vec![id("411000")] } else { clients },
            folder,
        })
    }

    pub(crate) fn folder(&self) -> &Folder {
        &self.folder
    }

    pub(crate) fn count(&self) -> u64 {
        self.sales + self.payments
    }

    /// Entry `i` (`0 ≤ i < count`), spread evenly over the exercise.
    pub(crate) fn entry(&self, i: u64) -> Entry {
        let offset = u128::from(i) * u128::from(self.days) / u128::from(self.count().max(1));
        let date = self.start + Days::new(u64::try_from(offset).unwrap_or(0));
        let client = self.clients[usize::try_from(i).unwrap_or(0) % self.clients.len()];
        let signed = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let line = |n: u64,
                    account_id: i64,
                    label: &str,
                    debit: Decimal,
                    credit: Decimal,
                    piece2: Option<String>| Line {
            id: LINE_BASE + signed(n),
            account_id,
            label: label.to_owned(),
            debit,
            credit,
            deadline: Some(date + Days::new(if account_id == client { 30 } else { 0 })),
            piece: None,
            piece2,
            currency: None,
            payment_type_id: None,
            analytics: Vec::new(),
            lettering: None,
        };
        let (diary_id, source, lines) = if i < self.sales {
            let net = Decimal::new(1_000 + signed(i * 7_919 % 250_000), 2);
            let vat = (net * Decimal::new(20, 2))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            let invoice = Some(format!("GV{i}"));
            let first = 3 * i;
            let lines = vec![
                line(first, client, "VENTE", net + vat, Decimal::ZERO, invoice.clone()),
                line(first + 1, self.revenue, "VENTE", Decimal::ZERO, net, invoice.clone()),
                line(first + 2, self.vat, "VENTE TVA", Decimal::ZERO, vat, invoice),
            ];
            (self.sales_journal, "E", lines)
        } else {
            let j = i - self.sales;
            let amount = Decimal::new(10_000 + signed(j * 37 % 50_000), 2);
            let first = 3 * self.sales + 2 * j;
            let lines = vec![
                line(first, self.bank, "REGLEMENT CLIENT", amount, Decimal::ZERO, None),
                line(first + 1, client, "REGLEMENT CLIENT", Decimal::ZERO, amount, None),
            ];
            (self.bank_journal, "IB", lines)
        };
        Entry {
            id: ENTRY_BASE + signed(i),
            diary_id,
            date,
            period: None,
            partner_id: None,
            json: None,
            comment: None,
            source,
            created_at: date.and_hms_opt(8, 0, 0).map_or(0, |t| t.and_utc().timestamp()),
            accounted_at: date,
            attachments: Vec::new(),
            lines,
        }
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        (0..self.count()).map(|i| self.entry(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn generator(movements: u64) -> Generator {
        let folder = seed::world().folders.remove(&4823).unwrap();
        Generator::new(folder, movements).unwrap()
    }

    #[test]
    fn the_requested_number_of_movements_is_generated_and_balanced() {
        for n in [0, 2, 3, 4, 5, 6, 7, 1000, 1001] {
            let g = generator(n);
            let mut count = 0;
            for entry in g.entries() {
                let debit: Decimal = entry.lines.iter().map(|l| l.debit).sum();
                let credit: Decimal = entry.lines.iter().map(|l| l.credit).sum();
                assert_eq!(debit, credit);
                count += entry.lines.len() as u64;
            }
            assert_eq!(count, n, "{n}");
        }
    }

    #[test]
    fn entries_are_the_same_however_they_are_reached() {
        let g = generator(3_000);
        let walked: Vec<Entry> = g.entries().collect();
        assert_eq!(format!("{:?}", walked[777]), format!("{:?}", g.entry(777)));
        let line_ids: std::collections::BTreeSet<i64> =
            walked.iter().flat_map(|e| e.lines.iter().map(|l| l.id)).collect();
        assert_eq!(line_ids.len(), 3_000);
        assert!(walked.iter().all(|e| e.date.format("%Y").to_string() == "2026"));
    }
}
