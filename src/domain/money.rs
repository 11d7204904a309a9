//! Money on the wire: JSON numbers in, `Decimal` inside, JSON numbers out, exact to the digit
//! written (see `formats::amount`). `#[serde(with = "crate::domain::money")]` and
//! `crate::domain::money::option` keep working through these re-exports.

pub use formats::amount::{deserialize, option, serialize};
