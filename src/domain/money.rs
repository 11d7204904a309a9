//! Exact decimals on the wire: JSON numbers in, `Decimal` inside, JSON numbers out with the digits
//! that were written (see `formats::amount`). [`Money`] is an amount, [`Rate`] an exchange or tax
//! rate or a percentage: each says its serde and its OpenAPI schema once. `quantity`-like fields
//! that are neither use the bare helpers, `#[serde(with = "crate::domain::money")]`.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Deref, Mul, Neg, Sub};

pub use formats::amount::{deserialize, option, serialize};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// Declares an exact decimal newtype: `Decimal` inside, a JSON number outside.
macro_rules! exact_decimal {
    ($(#[$doc:meta])* $name:ident, $description:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub Decimal);

        impl $name {
            pub const ZERO: Self = Self(Decimal::ZERO);
        }

        impl Deref for $name {
            type Target = Decimal;
            fn deref(&self) -> &Decimal {
                &self.0
            }
        }

        impl From<Decimal> for $name {
            fn from(value: Decimal) -> Self {
                Self(value)
            }
        }

        impl From<$name> for Decimal {
            fn from(value: $name) -> Decimal {
                value.0
            }
        }

        impl PartialEq<Decimal> for $name {
            fn eq(&self, other: &Decimal) -> bool {
                self.0 == *other
            }
        }

        impl PartialOrd<Decimal> for $name {
            fn partial_cmp(&self, other: &Decimal) -> Option<std::cmp::Ordering> {
                self.0.partial_cmp(other)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize(&self.0, s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize(d).map(Self)
            }
        }

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Number))
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                    .description(Some($description))
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

exact_decimal!(
    /// An amount of money.
    Money,
    "An amount: exact to the digits written, never rounded through binary floating point."
);

exact_decimal!(
    /// An exchange rate, a tax rate or a percentage.
    Rate,
    "A rate or a percentage: exact to the digits written."
);

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Mul<Rate> for Money {
    type Output = Decimal;
    fn mul(self, rate: Rate) -> Decimal {
        self.0 * rate.0
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

/// Sums in progress stay `Decimal`: `Decimal` op `Money` (or `Rate`) is a `Decimal`.
impl AddAssign<Money> for Decimal {
    fn add_assign(&mut self, other: Money) {
        *self += other.0;
    }
}

/// `Decimal × Money`, `Decimal × Rate`, and sums of either into a `Decimal`.
macro_rules! decimal_with {
    ($name:ident) => {
        impl Mul<$name> for Decimal {
            type Output = Decimal;
            fn mul(self, other: $name) -> Decimal {
                self * other.0
            }
        }

        impl Sum<$name> for Decimal {
            fn sum<I: Iterator<Item = $name>>(iter: I) -> Decimal {
                iter.map(|m| m.0).sum()
            }
        }
    };
}

decimal_with!(Money);
decimal_with!(Rate);

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Line {
        amount: Money,
        #[serde(default)]
        rate: Option<Rate>,
    }

    #[test]
    fn money_and_rates_keep_the_digits_that_were_sent() {
        let line: Line = serde_json::from_str(r#"{"amount": 0.1, "rate": "20.00"}"#).unwrap();
        assert_eq!(line.amount, Decimal::from_str("0.1").unwrap());
        assert_eq!(line.rate, Some(Rate(Decimal::from_str("20.00").unwrap())));
        let ten: Money = (0..10).map(|_| line.amount).sum();
        assert_eq!(ten, Decimal::ONE);
        assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"amount":0.1,"rate":20.0}"#);
        let absent: Line = serde_json::from_str(r#"{"amount": -3}"#).unwrap();
        assert_eq!((absent.amount, absent.rate), (Money(Decimal::from(-3)), None));
    }

    #[test]
    fn a_non_number_names_what_was_sent() {
        let err = serde_json::from_str::<Line>(r#"{"amount": "ten"}"#).unwrap_err();
        assert!(err.to_string().contains("`ten` is not a decimal amount"), "{err}");
    }
}
