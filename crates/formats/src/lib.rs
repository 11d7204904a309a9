//! Small pure helpers for standard formats that the gateway, the MyUnisoft simulator and the
//! FEC engine all read or write, so that none of them depends on another for them:
//!
//! - [`amount`]: amounts in JSON, exact to the digit (`rust_decimal::Decimal` inside);
//! - [`iban`]: ISO 13616 IBANs (compact and grouped forms, the mod 97 check).

pub mod amount;
pub mod iban;
