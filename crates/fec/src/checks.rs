//! The whole-year checks that must pass before the first byte of a FEC is sent (fec.md 8.3
//! step 3), made while the spooled lines are sorted into the order of the file (step 4): the
//! lines of an entry arrive together, so one entry's totals are held at a time.

use std::fs::File;
use std::io;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::disk::Reservation;
use super::spool::{group, Labels, Record, Spool};

/// How many faulty entries or accounts an error names.
const NAMED: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum FecError {
    #[error("no movement between {from} and {to}: a FEC needs at least one entry")]
    Empty { from: NaiveDate, to: NaiveDate },
    #[error("{count} unbalanced entr{} (debit ≠ credit) in the books: {}", if *count == 1 { "y" } else { "ies" }, named.join("; "))]
    Unbalanced { count: usize, named: Vec<String> },
    #[error("{count} line(s) on accounts a FEC cannot hold (no number, or not starting with three digits of classes 1–8): {}", named.join(", "))]
    Accounts { count: usize, named: Vec<String> },
    #[error("{count} amount(s) with more than two decimals: {}", named.join(", "))]
    Amounts { count: usize, named: Vec<String> },
    #[error("{count} entr(ies) dated outside {from}..{to}: {}", named.join(", "))]
    OutsideWindow { from: NaiveDate, to: NaiveDate, count: usize, named: Vec<String> },
    #[error("folder {folder} has no SIREN (its SIRET is missing or malformed in the software): the legal file cannot be named; the JSON rendering needs none")]
    NoSiren { folder: i64 },
    #[error("spool: {0}")]
    Io(#[from] io::Error),
    #[error("the exports running on this gateway fill its FEC spool ({limit} bytes on disk): retry later or export a shorter window")]
    SpoolFull { limit: u64 },
}

impl FecError {
    /// The entries or accounts named by the error, for the error detail.
    pub fn named(&self) -> &[String] {
        match self {
            FecError::Unbalanced { named, .. }
            | FecError::Accounts { named, .. }
            | FecError::Amounts { named, .. }
            | FecError::OutsideWindow { named, .. } => named,
            FecError::Empty { .. }
            | FecError::NoSiren { .. }
            | FecError::Io(_)
            | FecError::SpoolFull { .. } => &[],
        }
    }
}

/// A checked year ready to be written.
pub struct Export {
    /// The lines in file order, an entry's lines together.
    pub(crate) sorted: File,
    pub(crate) journals: Labels,
    pub(crate) accounts: Labels,
    pub(crate) lines: usize,
    /// The spool disk it holds until it is dropped.
    _disk: Reservation,
}

impl Export {
    pub fn line_count(&self) -> usize {
        self.lines
    }
}

/// How many items failed a check, and the first [`NAMED`] of them.
#[derive(Debug, Default)]
struct Named {
    count: usize,
    named: Vec<String>,
}

impl Named {
    fn add(&mut self, item: impl FnOnce() -> String) {
        self.count += 1;
        if self.named.len() < NAMED {
            self.named.push(item());
        }
    }
}

fn fec_account(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() >= 3 && (b'1'..=b'8').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

/// The entry being read: its lines share `group`.
#[derive(Debug, Default)]
struct Entry {
    group: Vec<u8>,
    id: String,
    date: NaiveDate,
    debit: Decimal,
    credit: Decimal,
}

/// The checks on the entries of the window, fed the sorted lines one by one.
#[derive(Debug)]
struct Window {
    from: NaiveDate,
    to: NaiveDate,
    entry: Entry,
    lines: usize,
    amounts: Named,
    outside: Named,
    unbalanced: Named,
}

impl Window {
    fn new(from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            from,
            to,
            entry: Entry::default(),
            lines: 0,
            amounts: Named::default(),
            outside: Named::default(),
            unbalanced: Named::default(),
        }
    }

    fn visit(&mut self, key: &[u8], payload: &[u8]) -> io::Result<()> {
        let record = Record::read(key, payload)?;
        let group = group(key);
        if self.lines == 0 || group != self.entry.group {
            self.close();
            let entry = &mut self.entry;
            entry.group.clear();
            entry.group.extend_from_slice(group);
            entry.id.clear();
            entry.id.push_str(record.entry);
            entry.date = record.date;
            entry.debit = Decimal::ZERO;
            entry.credit = Decimal::ZERO;
        }
        self.entry.debit += record.debit;
        self.entry.credit += record.credit;
        self.lines += 1;
        Ok(())
    }

    /// Checks the entry read so far.
    fn close(&mut self) {
        if self.lines == 0 {
            return;
        }
        let e = &self.entry;
        if e.debit.normalize().scale() > 2 || e.credit.normalize().scale() > 2 {
            self.amounts.add(|| format!("entry {}", e.id));
        }
        if e.date < self.from || e.date > self.to {
            self.outside.add(|| format!("entry {} dated {}", e.id, e.date));
        }
        if e.debit != e.credit {
            self.unbalanced.add(|| {
                format!("entry {} of {}: debit {} credit {}", e.id, e.date, e.debit, e.credit)
            });
        }
    }

    /// The number of lines, or the first check that failed.
    fn end(mut self) -> Result<usize, FecError> {
        self.close();
        let Window { from, to, amounts, outside, unbalanced, lines, .. } = self;
        if amounts.count > 0 {
            return Err(FecError::Amounts { count: amounts.count, named: amounts.named });
        }
        if outside.count > 0 {
            let (count, named) = (outside.count, outside.named);
            return Err(FecError::OutsideWindow { from, to, count, named });
        }
        if unbalanced.count > 0 {
            return Err(FecError::Unbalanced { count: unbalanced.count, named: unbalanced.named });
        }
        Ok(lines)
    }
}

impl Spool {
    /// Checks the whole window read into the spool and sorts its lines into file order.
    pub fn finish(self, from: NaiveDate, to: NaiveDate) -> Result<Export, FecError> {
        let limit = self.disk_limit();
        let (runs, journals, accounts, disk) =
            self.into_parts().ok_or(FecError::SpoolFull { limit })?;
        if runs.is_empty() {
            return Err(FecError::Empty { from, to });
        }
        let mut faulty = Named::default();
        for (number, _) in accounts.list.iter().filter(|(n, _)| !fec_account(n)) {
            faulty.add(|| format!("`{number}`"));
        }
        if faulty.count > 0 {
            return Err(FecError::Accounts { count: faulty.count, named: faulty.named });
        }
        let mut window = Window::new(from, to);
        let sorted = runs.sort(|key, payload| window.visit(key, payload))?;
        let lines = window.end()?;
        Ok(Export { sorted, journals, accounts, lines, _disk: disk })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Line;

    fn finish(lines: &[Line], run_bytes: usize) -> Result<Export, FecError> {
        let mut spool = Spool::with_run_bytes(run_bytes);
        for line in lines {
            spool.push(line.clone()).unwrap();
        }
        spool.finish("2025-01-01".parse().unwrap(), "2025-12-31".parse().unwrap())
    }

    /// `n` balanced entries, their first lines all arriving before their second lines.
    fn balanced(n: usize) -> Vec<Line> {
        let first = (0..n).map(|i| Line::sample(&i.to_string(), "2025-06-01", "411000", 1_200, 0));
        let second = (0..n).map(|i| Line::sample(&i.to_string(), "2025-06-01", "706000", 0, 1_200));
        first.chain(second).collect()
    }

    #[test]
    fn spools_past_their_shared_disk_budget_fail_whole_and_give_it_back() {
        let (from, to) = ("2025-01-01".parse().unwrap(), "2025-12-31".parse().unwrap());
        let spooled = |budget: &crate::DiskBudget, lines: &[Line]| {
            let mut spool = Spool::with_budget(budget);
            for line in lines {
                spool.push(line.clone()).unwrap();
            }
            spool
        };
        let budget = crate::DiskBudget::new(64 * 1024);
        let held = spooled(&budget, &balanced(100)).finish(from, to).unwrap();
        let used = budget.used();
        assert!(used > 0);
        // Another export past what is left fails as a whole, holding nothing.
        let full = spooled(&budget, &balanced(1000)).finish(from, to);
        assert!(matches!(full, Err(FecError::SpoolFull { limit: 65536 })), "{:?}", full.err());
        assert_eq!(budget.used(), used);
        drop(held);
        assert_eq!(budget.used(), 0, "a dropped export gives its disk back");
        assert!(spooled(&budget, &balanced(100)).finish(from, to).is_ok());
    }

    #[test]
    fn an_entry_spread_over_runs_is_summed_whole() {
        let export = finish(&balanced(200), 256).unwrap();
        assert_eq!(export.line_count(), 400);
    }

    #[test]
    fn unbalanced_entries_are_all_counted_and_twenty_named() {
        let mut lines = balanced(30);
        lines.truncate(55);
        let Err(FecError::Unbalanced { count, named }) = finish(&lines, 256) else {
            panic!("unbalanced entries pass")
        };
        assert_eq!((count, named.len()), (5, 5));
        assert_eq!(named[0], "entry 25 of 2025-06-01: debit 12.00 credit 0.00");
        let lines: Vec<Line> =
            (0..25).map(|i| Line::sample(&i.to_string(), "2025-06-01", "411000", 100, 0)).collect();
        let Err(FecError::Unbalanced { count, named }) = finish(&lines, 1 << 20) else {
            panic!("unbalanced entries pass")
        };
        assert_eq!((count, named.len()), (25, 20));
    }

    #[test]
    fn checks_fail_in_order_accounts_amounts_window_balance() {
        let mut lines = balanced(3);
        lines.push(Line::sample("late", "2026-01-01", "411000", 100, 0));
        lines.push(Line::sample("late", "2026-01-01", "706000", 0, 100));
        lines.push(Line::sample("odd", "2025-02-01", "411000", 100, 0));
        let mut fine = Line::sample("fine", "2025-02-01", "411000", 0, 0);
        fine.debit = "0.005".parse().unwrap();
        let wrong_account = Line::sample("bad", "2025-02-01", "ABC", 100, 0);
        let err = |lines: &[Line]| finish(lines, 128).err().map(|e| e.to_string());

        let all = [&lines[..], &[fine.clone(), wrong_account]].concat();
        assert_eq!(
            err(&all).as_deref(),
            Some("1 line(s) on accounts a FEC cannot hold (no number, or not starting with three digits of classes 1–8): `ABC`")
        );
        let no_account = [&lines[..], &[fine]].concat();
        assert_eq!(
            err(&no_account).as_deref(),
            Some("1 amount(s) with more than two decimals: entry fine")
        );
        assert_eq!(
            err(&lines).as_deref(),
            Some("1 entr(ies) dated outside 2025-01-01..2025-12-31: entry late dated 2026-01-01")
        );
        lines.drain(6..8);
        assert_eq!(
            err(&lines).as_deref(),
            Some("1 unbalanced entry (debit ≠ credit) in the books: entry odd of 2025-02-01: debit 1.00 credit 0.00")
        );
        lines.pop();
        assert_eq!(finish(&lines, 128).unwrap().line_count(), 6);
    }

    #[test]
    fn a_window_whose_lines_all_net_to_nothing_is_empty() {
        let lines = [
            Line::sample("1", "2025-06-01", "411000", 0, 0),
            Line::sample("1", "2025-06-01", "706000", 500, 500),
        ];
        assert!(matches!(finish(&lines, 1 << 20), Err(FecError::Empty { .. })));
    }
}
