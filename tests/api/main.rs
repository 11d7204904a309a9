//! End-to-end tests: the gateway on a real port, over a real database.
#![allow(clippy::unwrap_used)]

mod accounting;
mod analytic_accounts;
mod auth;
mod bounds;
mod cli;
mod connect;
mod connections;
mod consumers;
mod contract_fields;
mod datalayer;
mod datalayer_budget;
mod datalayer_cadence;
mod datalayer_state;
mod datalayer_volume;
mod entry_writes;
mod errors;
mod fec;
mod governor;
mod invoices;
mod journal_entries;
mod operations;
mod ops;
mod outstandings;
mod process;
mod receiver;
mod record_events;
mod replays;
mod replicas;
mod rolling;
mod shutdown;
mod store;
mod support;
mod third_parties;
mod webhooks;
