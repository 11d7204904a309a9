//! Pure conversions between MyUnisoft's wire types and the normalized models: no client, no
//! clock, no `async`.

pub(super) mod account;
pub(super) mod analytics;
pub(super) mod balance;
pub(super) mod bank;
pub(super) mod bookyear;
pub(super) mod employee;
pub(super) mod entry;
pub(super) mod fec;
pub(super) mod folder;
pub(super) mod journal;
pub(super) mod outstanding;
pub(super) mod posting;
pub(super) mod reference;
pub(super) mod third_party;
pub(super) mod vat;

/// Reads a unit-test fixture of `tests/fixtures/myunisoft/`.
#[cfg(test)]
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/myunisoft/", $name))
    };
}
#[cfg(test)]
pub(super) use fixture;
