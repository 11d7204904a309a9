//! Folders: MyUnisoft societies.

use crate::connectors::myunisoft::dto::Society;
use crate::domain::accounting::{Folder, FolderAddress};

fn non_blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

pub(crate) fn folder(s: &Society) -> Folder {
    let street = [s.road_type.as_ref().and_then(|r| r.text()), s.street_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let address = FolderAddress {
        street: non_blank(Some(&street)),
        number: non_blank(s.address_number.as_deref()),
        r#box: non_blank(s.complement.as_deref()),
        postal_code: non_blank(s.postal_code.as_deref()),
        city: non_blank(s.city.as_ref().and_then(|c| c.text())),
        country: non_blank(s.country.as_ref().and_then(|c| c.text())),
    };
    let has_address =
        address.street.is_some() || address.city.is_some() || address.postal_code.is_some();
    Folder {
        id: s.society_id.to_string(),
        name: s.name.clone(),
        selected: Some(true),
        active: Some(true),
        vat: None,
        company_number: non_blank(s.siret.as_deref()),
        main_currency: Some("EUR".into()),
        addresses: has_address.then(|| vec![address]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::myunisoft::dto::{Society, SocietyList};
    use crate::connectors::myunisoft::mapping::fixture;

    #[test]
    fn a_listed_society_becomes_a_folder_with_its_address() {
        let list: SocietyList = serde_json::from_str(fixture!("society_list.json")).unwrap();
        let f = folder(&list.society_array[0]);
        assert_eq!((f.id.as_str(), f.name.as_str()), ("4821", "BOULANGERIE DU PORT"));
        assert_eq!(f.company_number.as_deref(), Some("91234567500011"));
        let a = &f.addresses.unwrap()[0];
        assert_eq!(a.street.as_deref(), Some("Quai DES PECHEURS"));
        assert_eq!(
            (a.number.as_deref(), a.postal_code.as_deref(), a.city.as_deref()),
            (Some("12"), Some("29200"), Some("BREST"))
        );
    }

    #[test]
    fn a_society_in_detail_shape_reads_the_same() {
        let detail: Society = serde_json::from_str(fixture!("society_detail.json")).unwrap();
        let f = folder(&detail);
        let a = &f.addresses.unwrap()[0];
        assert_eq!(a.street.as_deref(), Some("Quai DES PECHEURS"));
        assert_eq!(a.city.as_deref(), Some("BREST"));
    }
}
