//! Lines as sortable records. Each kept line becomes one record: a key whose byte order is the
//! order of the file (fec.md 8.3 step 4, then upstream order within an entry) and a payload
//! holding what the checks and the writer read back. `Runs` sorts the records on disk, so
//! memory holds a bounded buffer whatever the size of the year. Journal and account labels are
//! interned, bounded by the chart: the first label seen for a code is the one written (R17).

use std::collections::HashMap;
use std::io;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::disk::{DiskBudget, Reservation};
use super::runs::{Runs, HEADER};
use super::Line;

/// Bytes of records gathered before a sorted run goes to disk.
const RUN_BYTES: usize = 8 << 20;
/// The arrival sequence that ends every key.
const SEQUENCE: usize = 8;
/// Flips the sign bit of a day number, so that dates compare as unsigned bytes.
const SIGN: u32 = 1 << 31;

/// Codes and their first label, numbered in order of appearance.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    index: HashMap<String, u32>,
    pub(crate) list: Vec<(String, String)>,
}

impl Labels {
    fn intern(&mut self, code: String, label: String) -> u32 {
        if let Some(&i) = self.index.get(&code) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.index.insert(code.clone(), i);
        self.list.push((code, label));
        i
    }
}

/// Lines being collected for one export.
#[derive(Debug)]
pub struct Spool {
    runs: Runs,
    /// Lines kept so far.
    sequence: u64,
    key: Vec<u8>,
    payload: Vec<u8>,
    journals: Labels,
    accounts: Labels,
    disk: Reservation,
    /// A line did not fit the disk budget: nothing more is kept and the export fails.
    overflowed: bool,
}

impl Default for Spool {
    fn default() -> Self {
        Self::within(RUN_BYTES, DiskBudget::default())
    }
}

impl Spool {
    /// A spool whose records take at most what `budget` allows (shared with other spools).
    pub fn with_budget(budget: &DiskBudget) -> Self {
        Self::within(RUN_BYTES, budget.clone())
    }

    /// A spool that sends a sorted run to disk every `bytes` bytes of records.
    #[cfg(test)]
    pub(crate) fn with_run_bytes(bytes: usize) -> Self {
        Self::within(bytes, DiskBudget::default())
    }

    fn within(run_bytes: usize, budget: DiskBudget) -> Self {
        Self {
            runs: Runs::new(run_bytes),
            sequence: 0,
            key: Vec::new(),
            payload: Vec::new(),
            journals: Labels::default(),
            accounts: Labels::default(),
            disk: Reservation::new(budget),
            overflowed: false,
        }
    }

    /// Keeps `line`, netted to one side; a line with nothing on either side is dropped.
    pub fn push(&mut self, line: Line) -> io::Result<()> {
        let net = line.debit - line.credit;
        let (debit, credit) = match (line.debit.is_zero(), line.credit.is_zero()) {
            (true, true) => return Ok(()),
            (false, false) if net.is_zero() => return Ok(()),
            (false, false) if net > Decimal::ZERO => (net, Decimal::ZERO),
            (false, false) => (Decimal::ZERO, -net),
            _ => (line.debit, line.credit),
        };
        self.key.clear();
        key(&mut self.key, &line, self.sequence);
        self.sequence += 1;
        let journal = self.journals.intern(line.journal_code, line.journal_name);
        let account = self.accounts.intern(line.account, line.account_name);
        let out = &mut self.payload;
        out.clear();
        out.extend_from_slice(&journal.to_le_bytes());
        out.extend_from_slice(&account.to_le_bytes());
        out.extend_from_slice(&debit.serialize());
        out.extend_from_slice(&credit.serialize());
        put(out, Some(&line.entry));
        put(out, Some(&line.label));
        put(out, line.invoice_number.as_deref());
        put(out, line.free_number.as_deref());
        put(out, line.lettering.as_deref());
        // On disk twice: in a sorted run, then in the merged file.
        let bytes = 2 * (HEADER + self.key.len() + self.payload.len()) as u64;
        if self.overflowed || !self.disk.grow(bytes) {
            self.overflowed = true;
            return Ok(());
        }
        self.runs.push(&self.key, &self.payload)
    }

    pub(crate) fn disk_limit(&self) -> u64 {
        self.disk.limit()
    }

    /// The records to sort, the journals and the accounts, and the disk they hold; `None` when
    /// the disk budget ran out before every line was kept.
    pub(crate) fn into_parts(self) -> Option<(Runs, Labels, Labels, Reservation)> {
        (!self.overflowed).then_some((self.runs, self.journals, self.accounts, self.disk))
    }
}

/// The sort key of `line`: date, opening entries first, validation date, journal code, entry id
/// (numerically when it is a number, then as text), then `sequence`, the arrival order.
fn key(out: &mut Vec<u8>, line: &Line, sequence: u64) {
    put_date(out, line.date);
    out.push(u8::from(!line.opening));
    put_date(out, line.valid_date);
    put_key_text(out, &line.journal_code);
    match line.entry.parse::<u64>() {
        Ok(n) => {
            out.push(1);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Err(_) => out.extend_from_slice(&[0; 9]),
    }
    put_key_text(out, &line.entry);
    out.extend_from_slice(&sequence.to_be_bytes());
}

/// The key of `line` without its arrival sequence: the lines of one entry share it.
pub(crate) fn group(key: &[u8]) -> &[u8] {
    &key[..key.len().saturating_sub(SEQUENCE)]
}

fn put_date(out: &mut Vec<u8>, date: NaiveDate) {
    out.extend_from_slice(&((date.num_days_from_ce() as u32) ^ SIGN).to_be_bytes());
}

/// `text` then a 0, with 0 written 1 1 and 1 written 1 2: bytes compare as the text does, a
/// shorter text first.
fn put_key_text(out: &mut Vec<u8>, text: &str) {
    for &b in text.as_bytes() {
        match b {
            0 | 1 => out.extend_from_slice(&[1, b + 1]),
            b => out.push(b),
        }
    }
    out.push(0);
}

/// A string as its length plus one (0 for none) and its bytes.
fn put(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => out.extend_from_slice(&0u32.to_le_bytes()),
        Some(t) => {
            let len = u32::try_from(t.len()).unwrap_or(u32::MAX - 1);
            out.extend_from_slice(&(len + 1).to_le_bytes());
            out.extend_from_slice(&t.as_bytes()[..len as usize]);
        }
    }
}

/// One line read back from a sorted record.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    pub(crate) date: NaiveDate,
    pub(crate) valid_date: NaiveDate,
    pub(crate) journal: u32,
    pub(crate) account: u32,
    pub(crate) debit: Decimal,
    pub(crate) credit: Decimal,
    pub(crate) entry: &'a str,
    pub(crate) label: &'a str,
    pub(crate) invoice_number: Option<&'a str>,
    pub(crate) free_number: Option<&'a str>,
    pub(crate) lettering: Option<&'a str>,
}

impl<'a> Record<'a> {
    /// Decodes a record from its key (or its [`group`]) and its payload.
    pub(crate) fn read(key: &[u8], payload: &'a [u8]) -> io::Result<Self> {
        let input = &mut &payload[..];
        Ok(Record {
            date: date(key.get(..4))?,
            valid_date: date(key.get(5..9))?,
            journal: u32::from_le_bytes(bytes(input)?),
            account: u32::from_le_bytes(bytes(input)?),
            debit: Decimal::deserialize(bytes(input)?),
            credit: Decimal::deserialize(bytes(input)?),
            entry: take(input)?.unwrap_or_default(),
            label: take(input)?.unwrap_or_default(),
            invoice_number: take(input)?,
            free_number: take(input)?,
            lettering: take(input)?,
        })
    }
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a spooled FEC record is corrupt")
}

fn date(bytes: Option<&[u8]>) -> io::Result<NaiveDate> {
    let bytes: [u8; 4] = bytes.and_then(|b| b.try_into().ok()).ok_or_else(corrupt)?;
    let days = (u32::from_be_bytes(bytes) ^ SIGN) as i32;
    NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(corrupt)
}

fn bytes<const N: usize>(input: &mut &[u8]) -> io::Result<[u8; N]> {
    let (head, rest) = input.split_first_chunk::<N>().ok_or_else(corrupt)?;
    *input = rest;
    Ok(*head)
}

fn take<'a>(input: &mut &'a [u8]) -> io::Result<Option<&'a str>> {
    let len = u32::from_le_bytes(bytes(input)?) as usize;
    if len == 0 {
        return Ok(None);
    }
    let (text, rest) = input.split_at_checked(len - 1).ok_or_else(corrupt)?;
    *input = rest;
    std::str::from_utf8(text).map(Some).map_err(|_| corrupt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(entry: &str, journal: &str, date: &str, opening: bool) -> Line {
        Line {
            journal_code: journal.into(),
            opening,
            ..Line::sample(entry, date, "411000", 1_050, 0)
        }
    }

    fn sorted(lines: &[Line]) -> Vec<&str> {
        let mut keys: Vec<(Vec<u8>, &str)> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut k = vec![];
                key(&mut k, l, i as u64);
                (k, l.entry.as_str())
            })
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, id)| id).collect()
    }

    #[test]
    fn keys_sort_in_the_order_of_the_file() {
        let lines = [
            line("b", "VT", "2025-01-02", false),
            line("10", "VT", "2025-01-02", false),
            line("9", "VT", "2025-01-02", false),
            line("09", "VT", "2025-01-02", false),
            line("a", "VT", "2025-01-02", false),
            line("2", "BQ", "2025-01-02", false),
            line("1", "VTE", "2025-01-02", false),
            line("7", "ZZ", "2025-01-02", true),
            line("8", "AN", "2025-01-03", true),
            line("3", "VT", "2024-12-31", false),
        ];
        assert_eq!(sorted(&lines), ["3", "7", "2", "a", "b", "09", "9", "10", "1", "8"]);
    }

    #[test]
    fn the_validation_date_comes_after_the_opening_flag() {
        let mut late = line("1", "AA", "2025-01-02", false);
        late.valid_date = "2025-02-01".parse().unwrap();
        let early = line("2", "ZZ", "2025-01-02", false);
        let opening = line("3", "ZZ", "2025-01-02", true);
        assert_eq!(sorted(&[late, early, opening]), ["3", "2", "1"]);
    }

    #[test]
    fn nul_bytes_keep_their_place_in_codes() {
        let mut out = vec![];
        put_key_text(&mut out, "A\0\u{1}");
        assert_eq!(out, [b'A', 1, 1, 1, 2, 0]);
        let texts = ["A", "A\0", "A\u{1}", "A\u{2}", "AB"];
        let mut keys: Vec<Vec<u8>> = texts
            .iter()
            .rev()
            .map(|t| {
                let mut k = vec![];
                put_key_text(&mut k, t);
                k
            })
            .collect();
        keys.sort();
        let mut expected: Vec<Vec<u8>> = vec![];
        for t in texts {
            let mut k = vec![];
            put_key_text(&mut k, t);
            expected.push(k);
        }
        assert_eq!(keys, expected);
    }

    #[test]
    fn a_record_reads_back_as_pushed() {
        let mut spool = Spool::default();
        let mut l = line("51000231", "VT", "2025-03-02", false);
        l.valid_date = "2025-03-04".parse().unwrap();
        l.credit = Decimal::new(50, 2);
        l.lettering = Some("AA".into());
        l.invoice_number = Some("F1".into());
        spool.push(l).unwrap();
        spool.push(line("second", "VT", "2025-03-02", false)).unwrap();
        let (runs, journals, accounts, _) = spool.into_parts().unwrap();
        let mut seen = vec![];
        runs.sort(|key, payload| {
            let r = Record::read(group(key), payload)?;
            seen.push(format!(
                "{} {} {} {} {} {} {} {:?} {:?} {:?}",
                r.date,
                r.valid_date,
                journals.list[r.journal as usize].0,
                accounts.list[r.account as usize].0,
                r.debit,
                r.credit,
                r.entry,
                r.invoice_number,
                r.free_number,
                r.lettering
            ));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                "2025-03-02 2025-03-02 VT 411000 10.50 0.00 second None None None",
                "2025-03-02 2025-03-04 VT 411000 10.00 0 51000231 Some(\"F1\") None Some(\"AA\")",
            ]
        );
    }
}
