//! VAT codes: MyUnisoft VAT parameters. They have no label, so one is built from the code, rate,
//! type and exigibility.

use crate::connectors::myunisoft::dto::VatParam;
use crate::domain::accounting::{VatCode, VatCodeScope, VatCodeType};
use crate::domain::money::Rate;

pub(crate) fn vat_code(v: &VatParam) -> VatCode {
    let deductible = v.account_ded.as_ref().and_then(|a| a.account_number.clone());
    let payable = v.account_coll.as_ref().and_then(|a| a.account_number.clone());
    let r#type = match (&deductible, &payable) {
        (Some(_), Some(_)) => VatCodeType::Both,
        (Some(_), None) => VatCodeType::Purchase,
        (None, Some(_)) => VatCodeType::Sale,
        (None, None) => VatCodeType::Unknown,
    };
    let type_code = v.vat_type.as_ref().and_then(|t| t.code.as_deref()).unwrap_or_default();
    let label = [
        v.code.clone(),
        Some(format!("{}%", v.vat.rate.normalize())),
        v.vat_type.as_ref().and_then(|t| t.label.clone()),
        v.vat_exigility.as_ref().and_then(|e| e.label.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" - ");
    VatCode {
        id: v.vat_param_id.to_string(),
        code: v.code.clone(),
        active: !v.blocked,
        label,
        scope: if type_code.contains("INTRA") {
            VatCodeScope::Eu
        } else if type_code.contains("IMPORT") || type_code == "EXPORT" {
            VatCodeScope::Int
        } else {
            VatCodeScope::Nat
        },
        rate: Rate(v.vat.rate),
        r#type,
        deductible_account: deductible,
        payable_account: payable,
        reversed: type_code.starts_with("AUTO"),
        country: None,
        withholding_tax: false,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    #[test]
    fn vat_params_become_labelled_codes() {
        let params: Vec<VatParam> = serde_json::from_str(fixture!("vat_param.json")).unwrap();
        let codes: Vec<VatCode> = params.iter().map(vat_code).collect();
        assert_eq!(codes[0].label, "01 - 20% - Bien et service - Débit (facturation)");
        assert_eq!(codes[0].r#type, VatCodeType::Both);
        assert_eq!(codes[0].rate, Decimal::from(20));
        assert_eq!(codes[0].deductible_account.as_deref(), Some("445660"));
        assert_eq!(codes[1].rate, Decimal::from_str("5.5").unwrap());
        assert_eq!(codes[1].r#type, VatCodeType::Sale);
        assert!(codes[2].reversed && !codes[2].active);
        assert_eq!(codes[3].r#type, VatCodeType::Unknown);
    }
}
