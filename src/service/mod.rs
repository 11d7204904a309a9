//! One async function per use case: resolves the context, fetches the references a rule needs
//! through the connector, books the document with [`crate::booking`], then posts once or reads.

pub mod accounting;
pub mod accounts;
pub mod analytics;
pub mod attachments;
pub mod connect;
pub mod connections;
pub mod consumers;
pub mod datalayer;
pub mod expenses;
pub mod fec;
pub mod idempotent;
pub mod invoices;
pub mod journal_entries;
pub mod operations;
pub mod outstandings;
pub mod postings;
pub mod quota;
pub mod tenancy_cache;
pub mod third_parties;
pub mod treasury;
