//! Normalized models and newtypes: no I/O, no upstream names.

pub mod account;
pub mod accounting;
pub mod connection;
pub mod consumer;
pub mod money;
