//! One function per use case: checks ownership, applies the rules, calls the store.

pub mod accounting;
pub mod accounts;
pub mod analytics;
pub mod attachments;
pub mod connections;
pub mod consumers;
pub mod expenses;
pub mod fec;
pub mod invoices;
pub mod journal_entries;
pub mod operations;
pub mod outstandings;
pub mod postings;
pub mod third_parties;
pub mod treasury;
