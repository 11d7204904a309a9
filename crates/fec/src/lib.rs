//! The FEC (Fichier des Écritures Comptables) engine: movements read as a stream into compact
//! records, sorted on disk into the order of the file and checked as a whole year on the way,
//! then written as the legal DGFiP file or as Chift's `FECItemOut` JSON. Memory holds a bounded
//! sort buffer, the journal and account labels, and one entry at a time: never the upstream
//! body, and nothing that grows with the number of lines.
//!
//! - [`read`]: a blocking reader fed by an async byte stream, and an element-by-element visit
//!   of a JSON array;
//! - [`spool`]: lines as records whose key sorts in file order;
//! - `runs`: the external sort of those records (sorted runs on disk, merged);
//! - [`checks`]: accounts on the interned chart, then amounts, window and balance entry by
//!   entry while the runs are merged;
//! - [`writer`]: the two renderings, entries numbered in file order;
//! - [`validate`]: a validator of any FEC file (rules R1–R21 of the FEC reference, §7), written
//!   independently of the writer; the `fec-check` binary runs it on a file.
//!
//! The `openapi` feature derives `utoipa::ToSchema` for the types a gateway documents.

pub mod checks;
mod disk;
pub mod read;
mod runs;
pub mod spool;
pub mod validate;
pub mod writer;

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use checks::{Export, FecError};
pub use disk::DiskBudget;
pub use spool::Spool;
pub use writer::{Encoding, Format, Separator};

/// One movement as the FEC needs it, whatever the software it comes from (serialized, it is
/// how a gateway keeps it to export again without reading it upstream).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    /// The software's entry id: lines sharing it form one entry.
    pub entry: String,
    pub journal_code: String,
    pub journal_name: String,
    /// The entry belongs to an opening (à-nouveaux) journal.
    pub opening: bool,
    pub date: NaiveDate,
    pub valid_date: NaiveDate,
    pub account: String,
    pub account_name: String,
    pub invoice_number: Option<String>,
    pub free_number: Option<String>,
    pub label: String,
    pub debit: Decimal,
    pub credit: Decimal,
    pub lettering: Option<String>,
}

#[cfg(test)]
impl Line {
    /// A line of `entry` on the sales journal, amounts in cents.
    pub(crate) fn sample(entry: &str, date: &str, account: &str, debit: i64, credit: i64) -> Line {
        let date = date.parse().expect("tests give ISO dates");
        Line {
            entry: entry.into(),
            journal_code: "VT".into(),
            journal_name: "VENTES".into(),
            opening: false,
            date,
            valid_date: date,
            account: account.into(),
            account_name: String::new(),
            invoice_number: None,
            free_number: None,
            label: "VENTE".into(),
            debit: Decimal::new(debit, 2),
            credit: Decimal::new(credit, 2),
            lettering: None,
        }
    }
}

/// Counters a caller can show while an export runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes_read: AtomicU64,
    pub movements_read: AtomicU64,
    pub rows_written: AtomicU64,
}

impl Progress {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
