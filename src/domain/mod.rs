//! Normalized models and newtypes: no I/O, no upstream names.

pub mod account;
pub mod accounting;
pub mod analytics;
pub mod connect_link;
pub mod connection;
pub mod consumer;
mod invalid;
pub mod invoice;
pub mod journal_entry;
pub mod money;
pub mod operation;
pub mod outstanding;
pub mod posting;
mod resource;
pub mod third_party;
pub mod write;

pub use invalid::{Invalid, Location, Refusal};
pub use resource::Resource;
