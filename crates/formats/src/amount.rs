//! Amounts on the wire: JSON numbers (or numeric strings) in, `Decimal` inside, JSON numbers
//! out, exact to the digit written. A number is read through its shortest decimal text (what the
//! sender wrote), never through binary floating-point arithmetic. Use it as
//! `#[serde(with = "formats::amount")]`, or `formats::amount::option` for `Option<Decimal>`.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serializer};

/// Accepts a JSON number or a numeric string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Wire {
    Number(serde_json::Number),
    Text(String),
}

fn parse<E: de::Error>(wire: Wire) -> Result<Decimal, E> {
    let text = match wire {
        Wire::Number(n) => n.to_string(),
        Wire::Text(s) => s,
    };
    Decimal::from_str(text.trim())
        .or_else(|_| Decimal::from_scientific(text.trim()))
        .map_err(|_| E::custom(format!("`{text}` is not a decimal amount")))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    parse(Wire::deserialize(d)?)
}

/// Writes the amount as a JSON number with the same digits (up to f64's 15 significant digits,
/// far beyond any ledger amount).
pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let normalized = value.normalize();
    match normalized.to_f64() {
        Some(f) if Decimal::from_str(&f.to_string()).ok() == Some(normalized) => s.serialize_f64(f),
        _ => Err(serde::ser::Error::custom(format!(
            "{value} cannot be written exactly as a JSON number"
        ))),
    }
}

/// The same for `Option<Decimal>` (`null` when absent).
pub mod option {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Option::<Wire>::deserialize(d)?.map(parse).transpose()
    }

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::serialize(v, s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Line {
        #[serde(with = "super")]
        amount: Decimal,
        #[serde(with = "super::option", default)]
        tax: Option<Decimal>,
    }

    #[test]
    fn amounts_keep_the_digits_that_were_sent() {
        let line: Line = serde_json::from_str(r#"{"amount": 0.1, "tax": "20.00"}"#).unwrap();
        assert_eq!(line.amount, Decimal::from_str("0.1").unwrap());
        assert_eq!(line.tax, Some(Decimal::from_str("20.00").unwrap()));
        let sum: Decimal = (0..10).map(|_| line.amount).sum();
        assert_eq!(sum, Decimal::ONE);
        assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"amount":0.1,"tax":20.0}"#);
    }

    #[test]
    fn large_and_negative_amounts_round_trip_exactly() {
        for text in ["1234567890.12", "-0.01", "99999999.99", "0"] {
            let json = format!(r#"{{"amount": {text}}}"#);
            let line: Line = serde_json::from_str(&json).unwrap();
            assert_eq!(line.amount, Decimal::from_str(text).unwrap());
            let back: Line = serde_json::from_str(&serde_json::to_string(&line).unwrap()).unwrap();
            assert_eq!(back, line);
        }
    }

    #[test]
    fn text_that_is_not_an_amount_is_refused() {
        assert!(serde_json::from_str::<Line>(r#"{"amount": "12,5"}"#).is_err());
    }
}
