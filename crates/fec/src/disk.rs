//! Disk the spools of one process may use together. A spool reserves what it writes (twice a
//! record: once in a sorted run, once in the merged file) before writing it, and gives it all
//! back when it, or the export made from it, is dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A shared allowance of spool bytes; clones share the count.
#[derive(Debug, Clone)]
pub struct DiskBudget {
    used: Arc<AtomicU64>,
    limit: u64,
}

impl DiskBudget {
    pub fn new(limit: u64) -> Self {
        Self { used: Arc::default(), limit }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes reserved by every spool now.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }
}

impl Default for DiskBudget {
    /// No limit but the disk's.
    fn default() -> Self {
        Self::new(u64::MAX)
    }
}

/// What one spool has reserved of a budget, given back on drop.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: DiskBudget,
    bytes: u64,
}

impl Reservation {
    pub(crate) fn new(budget: DiskBudget) -> Self {
        Self { budget, bytes: 0 }
    }

    pub(crate) fn limit(&self) -> u64 {
        self.budget.limit
    }

    /// Reserves `bytes` more; `false` (and nothing reserved) when the budget has not got them.
    pub(crate) fn grow(&mut self, bytes: u64) -> bool {
        let limit = self.budget.limit;
        let taken = self.budget.used.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
            used.checked_add(bytes).filter(|total| *total <= limit)
        });
        if taken.is_ok() {
            self.bytes += bytes;
        }
        taken.is_ok()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}
