//! `fec-check FILE [--siren SIREN] [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: checks a FEC file
//! against rules R1–R21 and prints each rule broken (rule, line, why). The SIREN and the fiscal
//! year's end default to what the legal name `{SIREN}FEC{AAAAMMJJ}.txt` carries; the year starts
//! 12 months before its end unless `--from` says otherwise.
//!
//! Exit status: 0 when the file is valid (one summary line), 1 when a rule is broken, 2 when the
//! file cannot be read or the arguments do not say enough.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

use chrono::{Days, Months, NaiveDate};
use fec::validate::{validate, Expect};
use rust_decimal::Decimal;

const USAGE: &str = "usage: fec-check FILE [--siren SIREN] [--from YYYY-MM-DD] [--to YYYY-MM-DD]";

#[derive(Default)]
struct Args {
    file: String,
    siren: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let date = |flag: &str, value: Option<String>| {
        let value = value.ok_or_else(|| format!("{flag} needs a date"))?;
        NaiveDate::parse_from_str(&value, "%Y-%m-%d")
            .map_err(|_| format!("{flag} {value}: not a YYYY-MM-DD date"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--siren" => parsed.siren = Some(args.next().ok_or("--siren needs a SIREN")?),
            "--from" => parsed.from = Some(date("--from", args.next())?),
            "--to" => parsed.to = Some(date("--to", args.next())?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ if arg.starts_with("--") || !parsed.file.is_empty() => {
                return Err(format!("unexpected argument {arg}"))
            }
            _ => parsed.file = arg,
        }
    }
    if parsed.file.is_empty() {
        return Err("no file given".to_owned());
    }
    Ok(parsed)
}

/// What a legal name `{SIREN}FEC{AAAAMMJJ}` (then `.txt` or `.csv`) tells: the SIREN and the
/// fiscal year's last day.
fn from_name(name: &str) -> (Option<&str>, Option<NaiveDate>) {
    let stem = name.strip_suffix(".txt").or_else(|| name.strip_suffix(".csv")).unwrap_or(name);
    match stem.split_once("FEC") {
        Some((siren, end)) => (Some(siren), NaiveDate::parse_from_str(end, "%Y%m%d").ok()),
        None => (None, None),
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let name = Path::new(&args.file).file_name().and_then(|n| n.to_str()).unwrap_or(&args.file);
    let (named_siren, named_end) = from_name(name);
    let siren = args.siren.as_deref().or(named_siren).ok_or_else(|| {
        format!("{name} is not named {{SIREN}}FEC{{AAAAMMJJ}}.txt: give --siren and --to")
    })?;
    let year_end = args
        .to
        .or(named_end)
        .ok_or_else(|| format!("{name} does not carry the fiscal year's end: give --to"))?;
    let year_start = match args.from {
        Some(from) => from,
        None => year_end
            .checked_add_days(Days::new(1))
            .and_then(|d| d.checked_sub_months(Months::new(12)))
            .ok_or_else(|| format!("no fiscal year ends on {year_end}"))?,
    };
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file))?;
    let expect = Expect { file_name: name, siren, year_start, year_end };
    let (violations, lines) = validate(&bytes, &expect);
    for violation in &violations {
        println!("{violation}");
    }
    if violations.is_empty() {
        let entries: HashSet<&str> = lines.iter().map(|l| l.fields[2].as_str()).collect();
        let debit: Decimal = lines.iter().map(|l| l.debit).sum();
        println!(
            "{name}: valid FEC, {} lines, {} entries, {debit} debit = credit, {year_start} to {year_end}",
            lines.len(),
            entries.len(),
        );
    }
    Ok(violations.is_empty())
}

fn main() -> ExitCode {
    let outcome = parse_args(std::env::args().skip(1)).and_then(|args| run(&args));
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(why) => {
            eprintln!("fec-check: {why}");
            if why != USAGE {
                eprintln!("{USAGE}");
            }
            ExitCode::from(2)
        }
    }
}
