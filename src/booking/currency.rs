//! A document's currency: MyUnisoft books in euros, so another currency comes with its rate.

use rust_decimal::Decimal;

use crate::domain::money::Rate;
use crate::domain::{Invalid, Refusal};

/// A document's currency: `None` for euros; another one needs its rate (units per euro).
pub fn foreign(currency: &str, rate: Option<Rate>) -> Result<Option<(String, Decimal)>, Invalid> {
    let code = currency.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Invalid::body("currency", "an ISO 4217 code such as EUR")
            .because(Refusal::InvalidCurrencyFormat));
    }
    if code == "EUR" {
        return Ok(None);
    }
    match rate {
        Some(r) if r > Decimal::ZERO => Ok(Some((code, r.0))),
        Some(_) => Err(Invalid::body("currency_exchange_rate", "must be positive")),
        None => Err(Invalid::body(
            "currency_exchange_rate",
            "required for a currency other than EUR (units of the currency per euro): MyUnisoft books in euros",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_currencies_need_their_rate() {
        assert_eq!(foreign("eur", None).unwrap(), None);
        assert_eq!(
            foreign("USD", Some(Rate(Decimal::new(108, 2)))).unwrap(),
            Some(("USD".into(), Decimal::new(108, 2)))
        );
        assert!(matches!(foreign("USD", None), Err(i) if i.field == "currency_exchange_rate"));
        assert!(matches!(foreign("US", None), Err(i) if i.field == "currency"));
        assert!(foreign("USD", Some(Rate(Decimal::ZERO))).is_err());
    }
}
