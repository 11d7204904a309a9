//! Rows on disk, aggregates in memory. Each kept line is appended to an anonymous temporary
//! file as a compact binary record; memory keeps, per line, its entry and offset (16 bytes), and
//! per entry what ordering and checking need (dates, journal, totals). Journal and account
//! labels are interned: the first label seen for a code is the one written (R17).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Line;

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

/// What is known of one entry once its lines are read.
#[derive(Debug)]
pub(crate) struct EntryTotals {
    pub(crate) id: Box<str>,
    pub(crate) date: NaiveDate,
    pub(crate) valid_date: NaiveDate,
    pub(crate) journal: u32,
    pub(crate) opening: bool,
    pub(crate) debit: Decimal,
    pub(crate) credit: Decimal,
}

/// One line read back from the spool.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) account: u32,
    pub(crate) debit: Decimal,
    pub(crate) credit: Decimal,
    pub(crate) label: String,
    pub(crate) invoice_number: Option<String>,
    pub(crate) free_number: Option<String>,
    pub(crate) lettering: Option<String>,
}

/// The flushed spool file, entries, journals, accounts and line index.
pub(crate) type Parts = (File, Vec<EntryTotals>, Labels, Labels, Vec<(u32, u64)>);

/// Lines being collected for one export.
pub struct Spool {
    file: BufWriter<File>,
    offset: u64,
    pub(crate) entries: Vec<EntryTotals>,
    by_id: HashMap<Box<str>, u32>,
    pub(crate) journals: Labels,
    pub(crate) accounts: Labels,
    /// `(entry index, record offset)` of every kept line, in arrival order.
    pub(crate) lines: Vec<(u32, u64)>,
}

impl Spool {
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            file: BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?),
            offset: 0,
            entries: Vec::new(),
            by_id: HashMap::new(),
            journals: Labels::default(),
            accounts: Labels::default(),
            lines: Vec::new(),
        })
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
        let journal = self.journals.intern(line.journal_code, line.journal_name);
        let entry = match self.by_id.get(line.entry.as_str()) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
                let id: Box<str> = line.entry.into();
                self.by_id.insert(id.clone(), i);
                self.entries.push(EntryTotals {
                    id,
                    date: line.date,
                    valid_date: line.valid_date,
                    journal,
                    opening: line.opening,
                    debit: Decimal::ZERO,
                    credit: Decimal::ZERO,
                });
                i
            }
        };
        if let Some(totals) = self.entries.get_mut(entry as usize) {
            totals.debit += debit;
            totals.credit += credit;
        }
        let account = self.accounts.intern(line.account, line.account_name);
        self.lines.push((entry, self.offset));
        let mut record = Vec::with_capacity(64 + line.label.len());
        record.extend_from_slice(&account.to_le_bytes());
        record.extend_from_slice(&debit.serialize());
        record.extend_from_slice(&credit.serialize());
        put(&mut record, Some(&line.label));
        put(&mut record, line.invoice_number.as_deref());
        put(&mut record, line.free_number.as_deref());
        put(&mut record, line.lettering.as_deref());
        self.file.write_all(&record)?;
        self.offset += record.len() as u64;
        Ok(())
    }

    /// The spool file, flushed, and what was gathered.
    pub(crate) fn into_parts(self) -> io::Result<Parts> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        Ok((file, self.entries, self.journals, self.accounts, self.lines))
    }
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

fn take(input: &mut impl Read) -> io::Result<Option<String>> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len);
    if len == 0 {
        return Ok(None);
    }
    let mut bytes = vec![0u8; (len - 1) as usize];
    input.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map(Some).map_err(io::Error::other)
}

fn decimal(input: &mut impl Read) -> io::Result<Decimal> {
    let mut raw = [0u8; 16];
    input.read_exact(&mut raw)?;
    Ok(Decimal::deserialize(raw))
}

/// Reads the record at the reader's position.
pub(crate) fn record(input: &mut impl Read) -> io::Result<Record> {
    let mut account = [0u8; 4];
    input.read_exact(&mut account)?;
    Ok(Record {
        account: u32::from_le_bytes(account),
        debit: decimal(input)?,
        credit: decimal(input)?,
        label: take(input)?.unwrap_or_default(),
        invoice_number: take(input)?,
        free_number: take(input)?,
        lettering: take(input)?,
    })
}
