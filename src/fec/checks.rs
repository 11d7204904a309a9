//! The whole-year checks that must pass before the first byte of a FEC is sent, and the order
//! and numbering of the entries (fec.md 8.3 steps 3–5).

use std::cmp::Ordering;
use std::fs::File;
use std::io;

use chrono::NaiveDate;

use super::spool::{EntryTotals, Labels, Spool};

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
}

impl FecError {
    /// The entries or accounts named by the error, for the error detail.
    pub fn named(&self) -> &[String] {
        match self {
            FecError::Unbalanced { named, .. }
            | FecError::Accounts { named, .. }
            | FecError::Amounts { named, .. }
            | FecError::OutsideWindow { named, .. } => named,
            FecError::Empty { .. } | FecError::NoSiren { .. } | FecError::Io(_) => &[],
        }
    }
}

/// A checked, numbered year ready to be written.
pub struct Export {
    pub(crate) file: File,
    /// Entries in file order; the entry number is the position plus one.
    pub(crate) entries: Vec<EntryTotals>,
    pub(crate) journals: Labels,
    pub(crate) accounts: Labels,
    /// `(entry rank, record offset)` sorted: lines of an entry together, upstream order within.
    pub(crate) lines: Vec<(u32, u64)>,
}

impl Export {
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }
}

fn collect<'a>(items: impl Iterator<Item = String> + 'a) -> (usize, Vec<String>) {
    let mut count = 0;
    let mut named = Vec::new();
    for item in items {
        count += 1;
        if named.len() < NAMED {
            named.push(item);
        }
    }
    (count, named)
}

fn fec_account(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() >= 3 && (b'1'..=b'8').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

/// fec.md 8.3 step 4: date, opening entries first, validation date, journal code, entry id
/// (numerically when it is a number).
fn order(a: &EntryTotals, b: &EntryTotals, journals: &Labels) -> Ordering {
    let code = |e: &EntryTotals| journals.list.get(e.journal as usize).map(|(c, _)| c.as_str());
    let id = |e: &EntryTotals| e.id.parse::<u64>().ok();
    a.date
        .cmp(&b.date)
        .then(b.opening.cmp(&a.opening))
        .then(a.valid_date.cmp(&b.valid_date))
        .then(code(a).cmp(&code(b)))
        .then(id(a).cmp(&id(b)))
        .then(a.id.cmp(&b.id))
}

impl Spool {
    /// Checks the whole window read into the spool and numbers its entries.
    pub fn finish(self, from: NaiveDate, to: NaiveDate) -> Result<Export, FecError> {
        let (file, mut entries, journals, accounts, mut lines) = self.into_parts()?;
        if lines.is_empty() {
            return Err(FecError::Empty { from, to });
        }
        let (count, named) = collect(
            accounts.list.iter().filter(|(n, _)| !fec_account(n)).map(|(n, _)| format!("`{n}`")),
        );
        if count > 0 {
            return Err(FecError::Accounts { count, named });
        }
        let (count, named) = collect(
            entries
                .iter()
                .filter(|e| e.debit.normalize().scale() > 2 || e.credit.normalize().scale() > 2)
                .map(|e| format!("entry {}", e.id)),
        );
        if count > 0 {
            return Err(FecError::Amounts { count, named });
        }
        let (count, named) = collect(
            entries
                .iter()
                .filter(|e| e.date < from || e.date > to)
                .map(|e| format!("entry {} dated {}", e.id, e.date)),
        );
        if count > 0 {
            return Err(FecError::OutsideWindow { from, to, count, named });
        }
        let (count, named) = collect(entries.iter().filter(|e| e.debit != e.credit).map(|e| {
            format!("entry {} of {}: debit {} credit {}", e.id, e.date, e.debit, e.credit)
        }));
        if count > 0 {
            return Err(FecError::Unbalanced { count, named });
        }
        let mut ranks: Vec<u32> = (0..u32::try_from(entries.len()).unwrap_or(u32::MAX)).collect();
        ranks.sort_unstable_by(|&a, &b| {
            order(&entries[a as usize], &entries[b as usize], &journals)
        });
        let mut rank_of = vec![0u32; entries.len()];
        for (rank, &entry) in ranks.iter().enumerate() {
            rank_of[entry as usize] = u32::try_from(rank).unwrap_or(u32::MAX);
        }
        for line in &mut lines {
            line.0 = rank_of[line.0 as usize];
        }
        lines.sort_unstable();
        drop(rank_of);
        let mut sorted: Vec<Option<EntryTotals>> = entries.drain(..).map(Some).collect();
        let entries: Vec<EntryTotals> =
            ranks.iter().filter_map(|&i| sorted[i as usize].take()).collect();
        Ok(Export { file, entries, journals, accounts, lines })
    }
}
