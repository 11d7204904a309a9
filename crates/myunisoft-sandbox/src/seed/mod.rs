//! The deterministic world every sandbox starts with: the same folders, ids and entries on
//! every start (only the exercise labels N / N-1 follow today's date).

mod chart;
mod ledger;
mod reference;
mod thirds;

use std::collections::{BTreeMap, BTreeSet};

use super::world::catalog;
use super::world::{Account, Contact, Folder, Iban, Ids, ThirdInfo, World};
use thirds::InfoSeed;

pub(crate) fn world() -> World {
    let mut ids = Ids::default();
    let mut folders = BTreeMap::new();
    for company in reference::companies() {
        let folder = folder(company, &mut ids);
        folders.insert(folder.id(), folder);
    }
    World { folders, ids, activated: BTreeSet::new() }
}

fn folder(company: super::world::Company, ids: &mut Ids) -> Folder {
    let generated = company.id == 4823;
    let mut folder = Folder {
        company,
        exercices: reference::exercices(ids),
        max_third_party_len: 10,
        max_general_len: 6,
        diaries: Vec::new(),
        payment_types: Vec::new(),
        vat_params: Vec::new(),
        accounts: Vec::new(),
        axes: Vec::new(),
        sections: Vec::new(),
        ribs: Vec::new(),
        entries: Vec::new(),
        pending: Vec::new(),
        generated,
    };
    reference::payment_types(&mut folder, ids);
    accounts(&mut folder, ids);
    reference::journals(&mut folder, ids);
    reference::vat_params(&mut folder, ids);
    reference::ribs(&mut folder, ids);
    reference::analytics(&mut folder, ids);
    ledger::post(&mut folder, ids);
    folder
}

fn accounts(folder: &mut Folder, ids: &mut Ids) {
    let analytics = folder.company.analytics;
    for (number, label) in chart::GENERAL_ACCOUNTS {
        let mut account = Account {
            id: ids.account.next(),
            number: (*number).into(),
            label: (*label).into(),
            closed: *number == chart::CLOSED_ACCOUNT,
            ..Account::default()
        };
        account.analytics = analytics && matches!(account.class(), 6 | 7);
        account.presta = number.starts_with("706") || number.starts_with("622");
        account.das_2 = number.starts_with("622");
        folder.accounts.push(account);
    }
    for seed in thirds::thirds(folder.id()) {
        let info = seed.info.as_ref().map(|info| third_info(folder, ids, info));
        let account = Account {
            id: ids.account.next(),
            number: seed.number.into(),
            label: seed.label.into(),
            closed: seed.closed,
            provider: seed.number.starts_with("401"),
            info,
            ..Account::default()
        };
        folder.accounts.push(account);
    }
}

fn third_info(folder: &Folder, ids: &mut Ids, seed: &InfoSeed) -> ThirdInfo {
    let text = |v: Option<&str>| v.map(str::to_owned);
    let contacts = seed
        .contacts
        .iter()
        .map(|(firstname, lastname, function, tel1, email, order)| Contact {
            id: ids.contact.next(),
            firstname: (*firstname).into(),
            lastname: (*lastname).into(),
            function: (*function).into(),
            tel1: (*tel1).into(),
            tel2: String::new(),
            email: (*email).into(),
            order: *order,
        })
        .collect();
    let ibans = seed
        .ibans
        .iter()
        .map(|(country, bban, bic, bank)| Iban {
            id: ids.iban.next(),
            iban: formats::iban::with_checksum(country, bban),
            bic: (*bic).into(),
            rum: String::new(),
            rum_signed: None,
            bank: (*bank).into(),
            first_direct_debit: false,
        })
        .collect();
    let payment_type_id = seed
        .payment
        .and_then(|code| folder.payment_types.iter().find(|p| p.code == code))
        .map(|p| p.id);
    ThirdInfo {
        id: ids.info.next(),
        name: text(seed.name),
        siren: text(seed.siren),
        ape_id: seed.ape.and_then(catalog::ape_by_code).map(|a| a.0),
        is_foreign: seed.is_foreign,
        person_in_charge: text(seed.person_in_charge),
        profession: text(seed.profession),
        firstname: text(seed.firstname),
        lastname: text(seed.lastname),
        address_number: text(seed.address_number),
        repetition_index: text(seed.repetition_index),
        road_type_id: seed.road,
        address: text(seed.address),
        address_complement: text(seed.complement),
        postal_code: text(seed.postal_code),
        city: text(seed.city),
        country_id: seed.country,
        contact_firstname: seed.contact.map(|c| c.0.to_owned()),
        contact_lastname: seed.contact.map(|c| c.1.to_owned()),
        function: seed.contact.map(|c| c.2.to_owned()),
        tel: text(seed.tel),
        tel2: text(seed.tel2),
        email: text(seed.email),
        contacts,
        ibans,
        payment_type_id,
        payment_deadline_id: seed.deadline,
        comment: text(seed.comment),
        language_id: seed.language,
        doubtful_id: None,
        referent: text(seed.referent),
        group: text(seed.group),
        archived: seed.archived,
        nir: text(seed.nir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_is_the_same_on_every_start() {
        let (a, b) = (world(), world());
        assert_eq!(format!("{:?}", a.folders), format!("{:?}", b.folders));
    }

    #[test]
    fn every_folder_has_its_reference_data() {
        let w = world();
        assert_eq!(w.folders.keys().copied().collect::<Vec<_>>(), vec![4821, 4822, 4823]);
        for folder in w.folders.values() {
            assert_eq!(folder.payment_types.len(), 6);
            assert_eq!(folder.vat_params.len(), 6);
            assert!(folder.diary_by_code("15").unwrap().account_id.is_some());
            assert!(folder.accounts.len() >= 100, "{}", folder.accounts.len());
            let numbers: BTreeSet<_> = folder.accounts.iter().map(|a| &a.number).collect();
            assert_eq!(numbers.len(), folder.accounts.len(), "numbers are unique");
            for account in &folder.accounts {
                let number = &account.number;
                let normalized = crate::world::accounts::normalize_number(folder, number);
                assert_eq!(
                    normalized.as_ref(),
                    Ok(number),
                    "the folder's own limits hold for {number}"
                );
            }
        }
        let ibans = w
            .folders
            .values()
            .flat_map(|f| &f.accounts)
            .filter_map(|a| a.info.as_ref())
            .flat_map(|i| &i.ibans);
        for iban in ibans {
            let expected = match &iban.iban[..2] {
                "FR" => 27,
                "CH" => 21,
                _ => 22,
            };
            assert_eq!(iban.iban.len(), expected, "{}", iban.iban);
            assert!(formats::iban::checksum_ok(&iban.iban));
        }
        let port = &w.folders[&4821];
        assert_eq!(port.axes.len(), 2);
        assert!(port.accounts.iter().filter(|a| a.number.starts_with("401")).count() >= 7);
        assert!(port.accounts.iter().filter(|a| a.number.starts_with("411")).count() >= 7);
        assert!(port.accounts.iter().filter(|a| a.number.starts_with("421")).count() >= 4);
    }
}
