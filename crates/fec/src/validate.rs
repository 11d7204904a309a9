//! A FEC validator implementing rules R1–R21 of `shared/reference/fec.md` §7: any FEC file, from
//! whatever software, is checked as a whole and every violation is reported with its rule and
//! line. It shares nothing with [`crate::writer`], so that it cannot agree with the writer's
//! mistakes; the gateway's tests put every file they produce through it, and the `fec-check`
//! binary runs it on a file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The 18 names of A47 A-1 VII, spelled here independently of the writer.
const HEADER_LINE: &str = "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise";

fn standard() -> Vec<&'static str> {
    HEADER_LINE.split('|').collect()
}

/// What the validator is told about the file.
pub struct Expect<'a> {
    pub file_name: &'a str,
    pub siren: &'a str,
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
}

/// One broken rule: `R<n>`, the line (1 is the header; 0 when the rule is about the name, the
/// whole file or an entry), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}: {}", self.rule, self.line, self.message)
    }
}

/// One parsed data line.
#[derive(Debug, Clone)]
pub struct FecLine {
    pub fields: Vec<String>,
    pub debit: Decimal,
    pub credit: Decimal,
}

fn date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d = NaiveDate::parse_from_str(s, "%Y%m%d").ok()?;
    (1900..=2099).contains(&chrono::Datelike::year(&d)).then_some(d)
}

fn amount(s: &str) -> Option<Decimal> {
    let body = s.strip_prefix('-').or_else(|| s.strip_suffix('-')).unwrap_or(s);
    let (int, dec) = body.split_once(',').unwrap_or((body, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && dec.bytes().all(|b| b.is_ascii_digit())
        && dec.len() <= 2;
    let negative = body.len() != s.len();
    ok.then(|| {
        Decimal::from_str(&format!(
            "{}{int}.{}",
            if negative { "-" } else { "" },
            if dec.is_empty() { "0" } else { dec }
        ))
        .ok()
    })
    .flatten()
}

fn luhn(siren: &str) -> bool {
    if siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = siren
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The violations found so far, in the order found.
#[derive(Default)]
struct Found(Vec<Violation>);

impl Found {
    fn add(&mut self, rule: &'static str, line: usize, message: String) {
        self.0.push(Violation { rule, line, message });
    }
}

/// The lines of one entry, by their index among the data lines, under its EcritureNum.
type Entry = (String, Vec<usize>);

/// Every violation, in the order found; the data lines when the file is readable.
pub fn validate(bytes: &[u8], expect: &Expect) -> (Vec<Violation>, Vec<FecLine>) {
    let mut found = Found::default();
    check_name(expect, &mut found);
    let text = decode(bytes, &mut found);
    let Some((records, sep, columns)) = structure(&text, &mut found) else {
        return (found.0, vec![]);
    };
    let (lines, entries) = read_lines(&records, sep, columns, expect, &mut found);
    let mut ledger = Ledger::default();
    for (num, members) in &entries {
        ledger.check_entry(num, members, &lines, &mut found);
    }
    ledger.finish(&mut found);
    (found.0, lines)
}

/// R21: the name is `<SIREN>FEC<closing date>`, with a valid SIREN.
fn check_name(expect: &Expect, found: &mut Found) {
    let stem = expect
        .file_name
        .strip_suffix(".txt")
        .or_else(|| expect.file_name.strip_suffix(".csv"))
        .unwrap_or(expect.file_name);
    let expected = format!("{}FEC{}", expect.siren, expect.year_end.format("%Y%m%d"));
    if stem != expected || !luhn(expect.siren) {
        found.add(
            "R21",
            0,
            format!("file name {} (expected {expected}.txt, valid SIREN)", expect.file_name),
        );
    }
}

/// R1: the text of the file (UTF-8 without its BOM, else Latin-1), with no control character.
fn decode(bytes: &[u8], found: &mut Found) -> String {
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => t.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    };
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
        found.add("R1", 0, "control character".into());
    }
    text
}

/// R2, R3, R4: the records (header first), the separator and the number of columns; `None`
/// when the file cannot be read further.
fn structure<'t>(text: &'t str, found: &mut Found) -> Option<(Vec<&'t str>, char, usize)> {
    let mut records: Vec<&str> = text.split("\r\n").collect();
    if !text.ends_with("\r\n") || records.len() < 3 {
        found.add("R2", 0, "no data line or missing final CR LF".into());
        return None;
    }
    records.pop();
    let header = records[0];
    let sep = match (header.contains('\t'), header.contains('|')) {
        (true, false) => '\t',
        (false, true) => '|',
        _ => {
            found.add("R3", 1, "separator".into());
            return None;
        }
    };
    let names: Vec<&str> = header.split(sep).collect();
    if names.len() < 18 || names[..18] != standard()[..] {
        found.add("R4", 1, format!("header {names:?}"));
        return None;
    }
    Some((records, sep, names.len()))
}

/// R2 (blank lines), R5–R14, R17 and R20, line by line; the readable lines, and their entries
/// as runs of one EcritureNum.
fn read_lines(
    records: &[&str],
    sep: char,
    columns: usize,
    expect: &Expect,
    found: &mut Found,
) -> (Vec<FecLine>, Vec<Entry>) {
    let mut lines = Vec::new();
    let mut labels = Labels::default();
    let mut entries: Vec<Entry> = Vec::new();
    for (i, record) in records.iter().enumerate().skip(1) {
        let n = i + 1;
        if record.is_empty() {
            found.add("R2", n, "blank line".into());
            continue;
        }
        let f: Vec<String> = record.split(sep).map(str::to_owned).collect();
        if f.len() != columns {
            found.add("R5", n, format!("{} fields", f.len()));
            continue;
        }
        check_presence_and_dates(n, &f, found);
        let (debit, credit) = check_amounts(n, &f, found);
        check_codes(n, &f, found);
        labels.check(n, &f, found);
        if let Some(d) = date(&f[3]) {
            if d < expect.year_start || d > expect.year_end {
                found.add("R20", n, format!("EcritureDate {d}"));
            }
        }
        let index = lines.len();
        match entries.last_mut() {
            Some((num, members)) if *num == f[2] => members.push(index),
            _ => entries.push((f[2].clone(), vec![index])),
        }
        lines.push(FecLine { fields: f, debit, credit });
    }
    (lines, entries)
}

/// R6, R7, R8: the mandatory fields are filled, the dates are dates.
fn check_presence_and_dates(n: usize, f: &[String], found: &mut Found) {
    for k in [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12] {
        if f[k].trim().is_empty() {
            found.add("R6", n, format!("{} blank", standard()[k]));
        }
    }
    if f[15].is_empty() {
        found.add("R7", n, "ValidDate blank".into());
    }
    for k in [3, 9, 15] {
        if !f[k].is_empty() && date(&f[k]).is_none() {
            found.add("R8", n, format!("{} = {}", standard()[k], f[k]));
        }
    }
    if !f[14].is_empty() && date(&f[14]).is_none() {
        found.add("R8", n, "DateLet".into());
    }
}

/// R9, R10: the amounts are amounts, one side only; the debit and credit (zero when unreadable).
fn check_amounts(n: usize, f: &[String], found: &mut Found) -> (Decimal, Decimal) {
    let (debit, credit) = (amount(&f[11]), amount(&f[12]));
    if debit.is_none() || credit.is_none() || (!f[16].is_empty() && amount(&f[16]).is_none()) {
        found.add("R9", n, format!("amounts {} {}", f[11], f[12]));
    }
    let (debit, credit) = (debit.unwrap_or_default(), credit.unwrap_or_default());
    if debit.is_zero() == credit.is_zero() {
        found.add("R10", n, "exactly one of Debit/Credit must be non-zero".into());
    }
    (debit, credit)
}

/// R11–R14: the account number, the auxiliary account, the currency and the lettering.
fn check_codes(n: usize, f: &[String], found: &mut Found) {
    let acc = f[4].as_bytes();
    if acc.len() < 3
        || !(b'1'..=b'8').contains(&acc[0])
        || !acc[1].is_ascii_digit()
        || !acc[2].is_ascii_digit()
    {
        found.add("R11", n, format!("CompteNum {}", f[4]));
    }
    if f[6].is_empty() != f[7].is_empty() {
        found.add("R12", n, "CompAux".into());
    }
    if f[16].is_empty() != f[17].is_empty()
        || !(f[17].is_empty() || f[17].len() == 3 && f[17].bytes().all(|b| b.is_ascii_uppercase()))
    {
        found.add("R13", n, "devise".into());
    }
    if !f[14].is_empty() && f[13].is_empty() {
        found.add("R14", n, "DateLet without EcritureLet".into());
    }
}

/// R17: one label per journal and per account, the first one met.
#[derive(Default)]
struct Labels {
    journal: HashMap<String, String>,
    account: HashMap<String, String>,
}

impl Labels {
    fn check(&mut self, n: usize, f: &[String], found: &mut Found) {
        if self.journal.entry(f[0].clone()).or_insert_with(|| f[1].clone()) != &f[1] {
            found.add("R17", n, format!("JournalLib of {}", f[0]));
        }
        if self.account.entry(f[4].clone()).or_insert_with(|| f[5].clone()) != &f[5] {
            found.add("R17", n, format!("CompteLib of {}", f[4]));
        }
    }
}

/// R15, R16, R18, R19 over the entries in file order, then over the file.
#[derive(Default)]
struct Ledger {
    seen: HashSet<String>,
    sequences: BTreeMap<String, Vec<u64>>,
    total_debit: Decimal,
    total_credit: Decimal,
    last_date: Option<NaiveDate>,
}

impl Ledger {
    fn check_entry(&mut self, num: &str, members: &[usize], lines: &[FecLine], found: &mut Found) {
        if !self.seen.insert(num.to_owned()) {
            found.add("R15", 0, format!("entry {num} not contiguous"));
        }
        let first = &lines[members[0]].fields;
        for &m in members {
            let f = &lines[m].fields;
            for k in [0, 3, 8, 9, 15] {
                if f[k] != first[k] {
                    found.add("R15", 0, format!("entry {num}: {} differs", standard()[k]));
                }
            }
        }
        let d: Decimal = members.iter().map(|&m| lines[m].debit).sum();
        let c: Decimal = members.iter().map(|&m| lines[m].credit).sum();
        if d != c {
            found.add("R16", 0, format!("entry {num}: {d} ≠ {c}"));
        }
        self.total_debit += d;
        self.total_credit += c;
        let digits = num.len() - num.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, seq) = num.split_at(num.len() - digits);
        match seq.parse::<u64>() {
            Ok(s) => self.sequences.entry(prefix.to_owned()).or_default().push(s),
            Err(_) => found.add("R18", 0, format!("entry {num} has no sequence number")),
        }
        let d = date(&first[3]);
        if d < self.last_date {
            found.add("R19", 0, format!("entry {num} out of date order"));
        }
        self.last_date = d;
    }

    /// The file balances; per prefix, the numbers grow and leave no gap.
    fn finish(self, found: &mut Found) {
        if self.total_debit != self.total_credit {
            found.add("R16", 0, format!("file: {} ≠ {}", self.total_debit, self.total_credit));
        }
        for (prefix, seqs) in &self.sequences {
            if seqs.windows(2).any(|w| w[1] <= w[0]) {
                found.add("R19", 0, format!("prefix {prefix:?}: numbers do not grow"));
            }
            let mut sorted = seqs.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[1] != w[0] + 1) {
                found.add("R18", 0, format!("prefix {prefix:?}: gap or duplicate"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validator_catches_what_it_must() {
        let expect = Expect {
            file_name: "912345675FEC20261231.txt",
            siren: "912345675",
            year_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            year_end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        };
        let head = HEADER_LINE;
        let good = format!("{head}\r\nVE|VENTES|1|20260102|411A|A|||F1|20260102|X|12,00|0,00|||20260102||\r\nVE|VENTES|1|20260102|706|B|||F1|20260102|X|0,00|12,00|||20260102||\r\n");
        let (errors, lines) = validate(good.as_bytes(), &expect);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines.len(), 2);
        let bad = good
            .replace("0,00|12,00", "0,00|11,00")
            .replace("411A", "911A")
            .replace("20260102|X", "2026-01-02|X");
        let (errors, _) = validate(bad.as_bytes(), &expect);
        for rule in ["R8", "R11", "R16"] {
            assert!(errors.iter().any(|e| e.rule == rule), "{rule}: {errors:?}");
        }
    }
}
