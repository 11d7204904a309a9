//! The two renderings of a checked year: the legal DGFiP flat file (A47 A-1: 18 columns in
//! order, header line, CR LF, `|` or TAB, `AAAAMMJJ`, decimal comma, UTF-8 or ISO 8859-15) and
//! Chift's `FECItemOut` JSON array.

use std::borrow::Cow;
use std::io::{self, Write};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::checks::Export;
use super::runs::Reader;
use super::spool::{group, Labels, Record};
use super::Progress;

/// The 18 standard field names, in the imposed order.
pub const HEADER: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Separator {
    #[default]
    Pipe,
    Tab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    #[default]
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// ISO 8859-15.
    Latin9,
}

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The legal flat file.
    Text { separator: Separator, encoding: Encoding },
    /// Chift's `FECItemOut[]`.
    Json,
}

/// `FECItemOut`: one line of the FEC as Chift renders it (ISO dates, JSON numbers). Passerelle
/// adds `EcritureLib`, the line label of the legal file, which Chift's schema lacks.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = FECItemOut))]
#[allow(non_snake_case)]
pub struct FecItem {
    pub JournalCode: String,
    pub JournalLib: String,
    pub EcritureNum: String,
    pub EcritureDate: chrono::NaiveDate,
    pub CompteNum: String,
    pub CompteLib: String,
    pub CompAuxNum: String,
    pub CompAuxLib: String,
    pub PieceRef: String,
    pub PieceDate: chrono::NaiveDate,
    pub EcritureLib: String,
    #[serde(with = "formats::amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub Debit: Decimal,
    #[serde(with = "formats::amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub Credit: Decimal,
    pub EcritureLet: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub DateLet: Option<chrono::NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub ValidDate: Option<chrono::NaiveDate>,
    #[serde(with = "formats::amount")]
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub Montantdevise: Decimal,
    pub Idevise: String,
}

/// Text cleaning: separators, line breaks and control characters become spaces; runs of spaces
/// collapse; the value is trimmed.
pub fn clean(text: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() || c == '|';
    let trimmed = text.trim();
    if !trimmed.contains(bad) && !trimmed.contains("  ") {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars().map(|c| if bad(c) { ' ' } else { c }) {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    Cow::Owned(out.trim().to_owned())
}

fn amount(value: Decimal) -> String {
    format!("{:.2}", value.round_dp(2)).replace('.', ",")
}

/// ISO 8859-15 bytes of `text`; characters outside it are transliterated or become `?`.
fn latin9(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        let byte = match c {
            '€' => Some(0xA4),
            'Š' => Some(0xA6),
            'š' => Some(0xA8),
            'Ž' => Some(0xB4),
            'ž' => Some(0xB8),
            'Œ' => Some(0xBC),
            'œ' => Some(0xBD),
            'Ÿ' => Some(0xBE),
            '\u{A4}' | '\u{A6}' | '\u{A8}' | '\u{B4}' | '\u{B8}' | '\u{BC}' | '\u{BD}'
            | '\u{BE}' => None,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => {
                u8::try_from(c as u32).ok()
            }
            _ => None,
        };
        match (byte, c) {
            (Some(b), _) => out.push(b),
            (None, '‘' | '’' | '‚' | '′') => out.push(b'\''),
            (None, '“' | '”' | '„' | '″') => out.push(b'"'),
            (None, '–' | '—' | '‐' | '−') => out.push(b'-'),
            (None, '…') => out.extend_from_slice(b"..."),
            (None, _) => out.push(b'?'),
        }
    }
}

/// One entry's lines, copied out of the sorted file.
#[derive(Debug, Default)]
struct EntryLines {
    /// The key the entry's lines share.
    group: Vec<u8>,
    payloads: Vec<u8>,
    ends: Vec<usize>,
}

impl EntryLines {
    fn start(&mut self, key: &[u8]) {
        self.group.clear();
        self.group.extend_from_slice(group(key));
        self.payloads.clear();
        self.ends.clear();
    }

    fn holds(&self, key: &[u8]) -> bool {
        group(key) == self.group
    }

    fn push(&mut self, payload: &[u8]) {
        self.payloads.extend_from_slice(payload);
        self.ends.push(self.payloads.len());
    }

    fn records(&self) -> io::Result<Vec<Record<'_>>> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| Record::read(&self.group, &self.payloads[start..end]))
            .collect()
    }
}

impl Export {
    /// Writes the whole file to `out`, counting written rows in `progress`.
    pub fn write(
        self,
        format: Format,
        out: &mut impl Write,
        progress: &Progress,
    ) -> io::Result<()> {
        let Export { sorted, journals, accounts, .. } = self;
        let mut input = Reader::sorted(sorted)?;
        let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
        match format {
            Format::Text { separator, .. } => {
                let sep = if separator == Separator::Tab { "\t" } else { "|" };
                buf.extend_from_slice(HEADER.join(sep).as_bytes());
                buf.extend_from_slice(b"\r\n");
            }
            Format::Json => buf.push(b'['),
        }
        let mut entry = EntryLines::default();
        let mut number = 0u64;
        let mut first = true;
        let mut more = input.advance()?;
        while more {
            entry.start(input.key());
            while more && entry.holds(input.key()) {
                entry.push(input.payload());
                more = input.advance()?;
            }
            number += 1;
            let items = items(&journals, &accounts, number, &entry.records()?);
            Progress::add(&progress.rows_written, items.len() as u64);
            for item in items {
                match format {
                    Format::Text { separator, encoding } => {
                        text_line(&item, separator, encoding, &mut buf)
                    }
                    Format::Json => {
                        if !first {
                            buf.push(b',');
                        }
                        serde_json::to_writer(&mut buf, &item).map_err(io::Error::other)?;
                    }
                }
                first = false;
            }
            if buf.len() >= 48 * 1024 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        if format == Format::Json {
            buf.push(b']');
        }
        out.write_all(&buf)?;
        out.flush()
    }
}

/// The FEC lines of entry `number`, given its lines (fec.md 8.2).
fn items<'r>(
    journals: &Labels,
    accounts: &Labels,
    number: u64,
    records: &[Record<'r>],
) -> Vec<FecItem> {
    let Some(entry) = records.first() else { return Vec::new() };
    let (journal_code, journal_name) =
        journals.list.get(entry.journal as usize).cloned().unwrap_or_default();
    let journal_code = clean(&journal_code).into_owned();
    let journal_name = match clean(&journal_name) {
        name if name.is_empty() => journal_code.clone(),
        name => name.into_owned(),
    };
    let first = |pick: fn(&Record<'r>) -> Option<&'r str>| {
        records.iter().filter_map(pick).map(clean).find(|v| !v.is_empty())
    };
    let piece = first(|r| r.invoice_number)
        .or_else(|| first(|r| r.free_number))
        .map_or_else(|| clean(entry.entry).into_owned(), Cow::into_owned);
    let fallback_label =
        first(|r| Some(r.label)).map_or_else(|| journal_name.clone(), Cow::into_owned);
    let number = number.to_string();
    records
        .iter()
        .map(|r| {
            let (account, account_name) =
                accounts.list.get(r.account as usize).cloned().unwrap_or_default();
            let account = clean(&account).into_owned();
            let account_name = match clean(&account_name) {
                name if name.is_empty() => account.clone(),
                name => name.into_owned(),
            };
            let label = match clean(r.label) {
                l if l.is_empty() => fallback_label.clone(),
                l => l.into_owned(),
            };
            FecItem {
                JournalCode: journal_code.clone(),
                JournalLib: journal_name.clone(),
                EcritureNum: number.clone(),
                EcritureDate: entry.date,
                CompteNum: account,
                CompteLib: account_name,
                CompAuxNum: String::new(),
                CompAuxLib: String::new(),
                PieceRef: piece.clone(),
                PieceDate: entry.date,
                EcritureLib: label,
                Debit: r.debit,
                Credit: r.credit,
                EcritureLet: r.lettering.map(clean).unwrap_or_default().into_owned(),
                DateLet: None,
                ValidDate: Some(entry.valid_date),
                Montantdevise: Decimal::ZERO,
                Idevise: String::new(),
            }
        })
        .collect()
}

fn text_line(item: &FecItem, separator: Separator, encoding: Encoding, out: &mut Vec<u8>) {
    let date = |d: chrono::NaiveDate| d.format("%Y%m%d").to_string();
    let fields: [Cow<'_, str>; 18] = [
        Cow::Borrowed(&item.JournalCode),
        Cow::Borrowed(&item.JournalLib),
        Cow::Borrowed(&item.EcritureNum),
        Cow::Owned(date(item.EcritureDate)),
        Cow::Borrowed(&item.CompteNum),
        Cow::Borrowed(&item.CompteLib),
        Cow::Borrowed(&item.CompAuxNum),
        Cow::Borrowed(&item.CompAuxLib),
        Cow::Borrowed(&item.PieceRef),
        Cow::Owned(date(item.PieceDate)),
        Cow::Borrowed(&item.EcritureLib),
        Cow::Owned(amount(item.Debit)),
        Cow::Owned(amount(item.Credit)),
        Cow::Borrowed(&item.EcritureLet),
        Cow::Owned(item.DateLet.map(date).unwrap_or_default()),
        Cow::Owned(item.ValidDate.map(date).unwrap_or_default()),
        Cow::Borrowed(""),
        Cow::Borrowed(&item.Idevise),
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(if separator == Separator::Tab { b'\t' } else { b'|' });
        }
        match encoding {
            Encoding::Utf8 => out.extend_from_slice(field.as_bytes()),
            Encoding::Latin9 => latin9(field, out),
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// A blocking `Write` that hands 64 KB chunks to an async consumer (an HTTP body); when the
/// consumer is gone, or has taken nothing for the `stall` time, writes fail and the export stops
/// (freeing its thread and its spool).
pub struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<io::Result<bytes::Bytes>>,
    stall: std::time::Duration,
    runtime: tokio::runtime::Handle,
}

impl ChannelWriter {
    /// A writer for a blocking thread of the current runtime (`spawn_blocking`).
    pub fn new(
        tx: tokio::sync::mpsc::Sender<io::Result<bytes::Bytes>>,
        stall: std::time::Duration,
    ) -> Self {
        Self { tx, stall, runtime: tokio::runtime::Handle::current() }
    }

    /// Ends the body with an error, so that the client sees a broken transfer.
    pub fn fail(self, error: io::Error) {
        // Waits for room (a full channel must not turn the error into a clean end of a short
        // file), but not for a client that stopped reading or went away.
        let sent = tokio::time::timeout(self.stall, self.tx.send(Err(error)));
        let _ = self.runtime.block_on(sent);
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let gone = || io::Error::new(io::ErrorKind::BrokenPipe, "the client went away");
        let chunk = match self.tx.try_send(Ok(bytes::Bytes::copy_from_slice(buf))) {
            Ok(()) => return Ok(buf.len()),
            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return Err(gone()),
            Err(tokio::sync::mpsc::error::TrySendError::Full(chunk)) => chunk,
        };
        let sent = self.runtime.block_on(tokio::time::timeout(self.stall, self.tx.send(chunk)));
        match sent {
            Ok(Ok(())) => Ok(buf.len()),
            Ok(Err(_)) => Err(gone()),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client read nothing for {} s", self.stall.as_secs()),
            )),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Line, Spool};

    fn file(lines: &[Line], run_bytes: usize) -> String {
        let mut spool = Spool::with_run_bytes(run_bytes);
        for line in lines {
            spool.push(line.clone()).unwrap();
        }
        let export = spool.finish("2025-01-01".parse().unwrap(), "2025-12-31".parse().unwrap());
        let format = Format::Text { separator: Separator::Pipe, encoding: Encoding::Utf8 };
        let mut out = vec![];
        export.unwrap().write(format, &mut out, &Progress::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Journal, number, account, piece, label, debit, credit of every row.
    fn rows(file: &str) -> Vec<String> {
        let columns = [0, 2, 4, 8, 10, 11, 12];
        let row = |l: &str| {
            let fields: Vec<&str> = l.split('|').collect();
            columns.iter().map(|&c| fields[c]).collect::<Vec<_>>().join(" ")
        };
        file.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(row).collect()
    }

    #[test]
    fn entries_are_numbered_in_file_order_whatever_their_arrival() {
        let on = |journal: &str, opening: bool, line: Line| Line {
            journal_code: journal.into(),
            journal_name: journal.into(),
            opening,
            ..line
        };
        let mut invoiced = Line::sample("12", "2025-03-01", "411000", 12_000, 0);
        invoiced.invoice_number = Some("F12".into());
        let mut unlabelled = Line::sample("9", "2025-03-01", "706000", 0, 5_000);
        unlabelled.label = " ".into();
        let lines = [
            invoiced,
            Line::sample("9", "2025-03-01", "411000", 5_000, 0),
            on("BQ", false, Line::sample("x", "2025-01-01", "512000", 700, 0)),
            on("AN", true, Line::sample("AN1", "2025-01-01", "512000", 1_000, 0)),
            Line::sample("12", "2025-03-01", "706000", 0, 12_000),
            unlabelled,
            on("AN", true, Line::sample("AN1", "2025-01-01", "101000", 0, 1_000)),
            on("BQ", false, Line::sample("x", "2025-01-01", "411000", 0, 700)),
        ];
        assert_eq!(
            rows(&file(&lines, 8 << 20)),
            [
                "AN 1 512000 AN1 VENTE 10,00 0,00",
                "AN 1 101000 AN1 VENTE 0,00 10,00",
                "BQ 2 512000 x VENTE 7,00 0,00",
                "BQ 2 411000 x VENTE 0,00 7,00",
                "VT 3 411000 9 VENTE 50,00 0,00",
                "VT 3 706000 9 VENTE 0,00 50,00",
                "VT 4 411000 F12 VENTE 120,00 0,00",
                "VT 4 706000 F12 VENTE 0,00 120,00",
            ]
        );
    }

    #[test]
    fn many_small_runs_write_the_file_one_run_writes() {
        let mut lines = vec![];
        for i in 0..400u32 {
            let id = if i % 7 == 0 { format!("E{i}") } else { (i * 7_919 % 1_000).to_string() };
            let date = format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let amount = i64::from(100 + i);
            let mut debit = Line::sample(&id, &date, "411000", amount, 0);
            debit.journal_code = ["VT", "BQ", "AC"][i as usize % 3].into();
            debit.opening = i % 50 == 0;
            debit.free_number = (i % 2 == 0).then(|| format!("P{i}"));
            let credit = Line { debit: Decimal::ZERO, credit: debit.debit, ..debit.clone() };
            lines.push(debit);
            lines.push(credit);
        }
        lines.rotate_left(401);
        let one = file(&lines, 8 << 20);
        let many = file(&lines, 300);
        assert_eq!(one, many);
        let numbers: Vec<String> = one
            .split("\r\n")
            .skip(1)
            .filter_map(|l| l.split('|').nth(2))
            .map(String::from)
            .collect();
        assert_eq!(numbers.len(), 800);
        assert!(numbers
            .chunks(2)
            .enumerate()
            .all(|(i, n)| n.iter().all(|n| *n == (i + 1).to_string())));
    }

    #[test]
    fn cleaning_removes_separators_and_collapses_spaces() {
        assert_eq!(clean("  A|B\tC\r\n  D  "), "A B C D");
        assert!(matches!(clean("plain"), Cow::Borrowed("plain")));
        assert_eq!(amount(Decimal::new(123450, 2)), "1234,50");
        assert_eq!(amount(Decimal::ZERO), "0,00");
    }

    #[test]
    fn latin9_maps_the_euro_and_transliterates_the_rest() {
        let mut out = vec![];
        latin9("é€’Ω", &mut out);
        assert_eq!(out, vec![0xE9, 0xA4, b'\'', b'?']);
    }
}
