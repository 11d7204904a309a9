//! The FEC (Fichier des Écritures Comptables) engine: movements read as a stream into compact
//! rows spooled to a temporary file, checked as a whole year, then written as the legal DGFiP
//! file or as Chift's `FECItemOut` JSON. Memory holds one small record per entry and 16 bytes
//! per line, never the upstream body.
//!
//! - [`read`]: a blocking reader fed by an async byte stream, and an element-by-element visit
//!   of a JSON array;
//! - [`spool`]: rows on disk plus the per-entry aggregates the checks and the order need;
//! - [`checks`]: balance, accounts, window; numbering in date order;
//! - [`writer`]: the two renderings.

pub mod checks;
pub mod read;
pub mod spool;
pub mod writer;

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use checks::{Export, FecError};
pub use spool::Spool;
pub use writer::{Encoding, Format, Separator};

/// One movement as the FEC needs it, whatever the software it comes from.
#[derive(Debug, Clone, PartialEq)]
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
