//! `fec-check` on small files written here: a valid year exits 0 with a summary line, a broken
//! one exits 1 naming each rule and line.

use std::path::Path;
use std::process::{Command, Output};

const HEADER: &str = "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise";

fn valid_year() -> String {
    [
        HEADER,
        "VE|VENTES|VE1|20260102|411000|CLIENTS|C1|CLIENT UN|F1|20260102|VENTE|120,00|0,00|||20260102||",
        "VE|VENTES|VE1|20260102|706000|VENTES|||F1|20260102|VENTE|0,00|100,00|||20260102||",
        "VE|VENTES|VE1|20260102|445710|TVA COLLECTEE|||F1|20260102|VENTE|0,00|20,00|||20260102||",
        "BQ|BANQUE|BQ1|20260301|512000|BANQUE|||R1|20260301|REGLEMENT|120,00|0,00|||20260301||",
        "BQ|BANQUE|BQ1|20260301|411000|CLIENTS|C1|CLIENT UN|R1|20260301|REGLEMENT|0,00|120,00|||20260301||",
        "",
    ]
    .join("\r\n")
}

fn check(dir: &Path, name: &str, content: &str, flags: &[&str]) -> Output {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("the file is written");
    Command::new(env!("CARGO_BIN_EXE_fec-check"))
        .arg(&path)
        .args(flags)
        .output()
        .expect("fec-check runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_valid_year_passes_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let output = check(dir.path(), "912345675FEC20261231.txt", &valid_year(), &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("valid FEC, 5 lines, 2 entries"), "{out}");
    assert!(out.contains("2026-01-01 to 2026-12-31"), "{out}");
}

#[test]
fn a_broken_year_names_each_rule_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let broken = valid_year()
        .replace("VENTES|||F1|20260102|VENTE|0,00|100,00", "VENTES|||F1|20260102|VENTE|0,00|99,00")
        .replace("BQ|BANQUE|BQ1|20260301|512000", "BQ|BANQUE|BQ1|2026-03-01|512000");
    let output = check(dir.path(), "912345675FEC20261231.txt", &broken, &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.lines().any(|l| l.starts_with("R8 line 5: EcritureDate")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("R16 line 0: entry VE1")), "{out}");
    assert!(!out.contains("valid FEC"), "{out}");
}

#[test]
fn flags_override_what_the_name_says() {
    let dir = tempfile::tempdir().unwrap();
    let name = "912345675FEC20261231.txt";
    let output = check(dir.path(), name, &valid_year(), &["--siren", "834567893"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("R21 line 0: file name"), "{}", stdout(&output));
    let output = check(dir.path(), name, &valid_year(), &["--from", "2026-02-01"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("R20 line 2: EcritureDate 2026-01-02"));
    let output = check(dir.path(), "export.txt", &valid_year(), &[]);
    assert_eq!(output.status.code(), Some(2), "the name says neither SIREN nor year");
}
