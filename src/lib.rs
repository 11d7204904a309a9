//! Passerelle: a self-hostable, Chift-compatible unified accounting API gateway.

pub mod api;
pub mod app;
pub mod auth;
pub mod booking;
pub mod cli;
pub mod config;
pub mod connect;
pub mod connectors;
pub mod crypto;
pub mod datalayer;
pub mod domain;
pub mod error;
pub mod service;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod webhooks;
