//! Normalized models and newtypes: no I/O, no upstream names.

pub mod account;
pub mod connection;
pub mod consumer;
