//! Chart-of-accounts writes: `POST /account` (find-or-create), `PUT /account` (full
//! replacement) and `PUT /account/contact` (replace-all contacts). Requests use the write
//! vocabulary (`complementary_info`, `repetition_index`, `way_type_id`); the stored
//! [`ThirdInfo`] is what the read routes return as `complementary_informations`.

use serde::Deserialize;

use super::catalog;
use super::{is_third_party_number, Account, Contact, Folder, Iban, Ids, ThirdInfo};
use crate::errors::{ApiError, ApiResult};

/// The body of `POST /account` and `PUT /account` (`UpsertAccount` / `UpdateAccount`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AccountInput {
    pub(crate) account_id: Option<i64>,
    pub(crate) account_number: Option<String>,
    pub(crate) label: Option<String>,
    pub(crate) provider: Option<bool>,
    pub(crate) intraco_account: Option<bool>,
    pub(crate) btp_autoliquidation: Option<bool>,
    pub(crate) exoneration: Option<bool>,
    pub(crate) das_2: Option<bool>,
    pub(crate) analytics: Option<bool>,
    pub(crate) vat_param_id: Option<i64>,
    pub(crate) counterpart_account_id: Option<i64>,
    pub(crate) complementary_info: Option<InfoInput>,
}

/// `complementary_info` as written.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct InfoInput {
    pub(crate) name: Option<String>,
    pub(crate) siren: Option<String>,
    pub(crate) id_ape: Option<i64>,
    pub(crate) is_foreign: Option<bool>,
    pub(crate) person_in_charge: Option<String>,
    pub(crate) profession: Option<String>,
    pub(crate) firstname: Option<String>,
    pub(crate) lastname: Option<String>,
    pub(crate) address_number: Option<String>,
    pub(crate) repetition_index: Option<String>,
    pub(crate) way_type_id: Option<u8>,
    pub(crate) address: Option<String>,
    pub(crate) address_complement: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) id_country: Option<i64>,
    pub(crate) country: Option<String>,
    pub(crate) contact_firstname: Option<String>,
    pub(crate) contact_lastname: Option<String>,
    pub(crate) function: Option<String>,
    pub(crate) tel: Option<String>,
    pub(crate) tel2: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) contact_list: Option<Vec<ContactInput>>,
    pub(crate) iban_list: Option<Vec<IbanInput>>,
    pub(crate) id_payment_deadline: Option<u8>,
    pub(crate) payment_type_id: Option<i64>,
    pub(crate) comment: Option<String>,
    pub(crate) misc_referent: Option<String>,
    pub(crate) misc_group: Option<String>,
    pub(crate) misc_doubtful_id: Option<i64>,
    pub(crate) misc_language_id: Option<u16>,
    pub(crate) misc_archived: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ContactInput {
    pub(crate) id_contact_compte_tiers: Option<i64>,
    pub(crate) firstname: Option<String>,
    pub(crate) lastname: Option<String>,
    pub(crate) function: Option<String>,
    pub(crate) tel1: Option<String>,
    pub(crate) tel2: Option<String>,
    pub(crate) email: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct IbanInput {
    pub(crate) id: Option<i64>,
    pub(crate) id_iban_compte_tiers: Option<i64>,
    pub(crate) iban: Option<String>,
    pub(crate) bic: Option<String>,
    pub(crate) rum: Option<String>,
    pub(crate) rum_date_signature: Option<String>,
    pub(crate) etablissement: Option<String>,
}

/// The number as stored: trimmed, checked (`COMPTE3`, `COMPTE6`, `COMPTE7`, `COMPTE30`), digit-only
/// numbers shorter than the general length right-padded with zeros (`"251"` → `"251000"`), and
/// within the folder's limits (third-party ≤ `max_car_third_p_account`, general ≤
/// `max_car_general_account`: `GBL5`).
pub(crate) fn normalize_number(folder: &Folder, raw: &str) -> ApiResult<String> {
    let number = raw.trim();
    let Some(first) = number.chars().next() else {
        return Err(ApiError::rule("COMPTE3", "Veuillez saisir un numéro de compte."));
    };
    if !('1'..='9').contains(&first) {
        return Err(ApiError::rule(
            "COMPTE6",
            "Le premier caractère du numéro de compte doit être compris entre 1 et 9.",
        ));
    }
    if number.chars().count() > 20 {
        return Err(ApiError::rule(
            "COMPTE7",
            "Le numéro de compte saisi ne doit pas dépasser 20 caractères.",
        ));
    }
    if !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::rule("COMPTE30", format!("Le compte {number} est invalide")));
    }
    let mut number = number.to_owned();
    if number.bytes().all(|b| b.is_ascii_digit()) && number.len() < folder.max_general_len {
        number.extend(std::iter::repeat_n('0', folder.max_general_len - number.len()));
    }
    let limit = if is_third_party_number(&number) {
        folder.max_third_party_len
    } else {
        folder.max_general_len
    };
    if number.len() > limit {
        return Err(ApiError::rule(
            "GBL5",
            format!("Le champ account_number ne peut excéder {limit} caractères"),
        ));
    }
    Ok(number)
}

/// `POST /account`: the account with that number, created first when missing. Returns its id.
pub(crate) fn upsert(folder: &mut Folder, ids: &mut Ids, input: AccountInput) -> ApiResult<i64> {
    let number = normalize_number(folder, input.account_number.as_deref().unwrap_or(""))?;
    if let Some(existing) = folder.account_by_number(&number) {
        return Ok(existing.id);
    }
    let label = required_label(input.label.as_deref())?;
    let mut account = Account { number, label, ..Account::default() };
    apply_settings(folder, &mut account, &input)?;
    account.info = match input.complementary_info {
        Some(info) => Some(third_info(folder, ids, info, None)?),
        None => None,
    };
    account.analytics = folder.company.analytics && matches!(account.class(), 6 | 7);
    account.id = ids.account.next();
    let id = account.id;
    folder.accounts.push(account);
    Ok(id)
}

/// `PUT /account`: replaces every setting of the account with the body (omitted flags become
/// false, an omitted `complementary_info` is cleared). Returns the account id.
pub(crate) fn replace(folder: &mut Folder, ids: &mut Ids, input: AccountInput) -> ApiResult<i64> {
    let id = input.account_id.ok_or_else(|| ApiError::param("account_id"))?;
    let current = folder.account(id).cloned().ok_or_else(account_missing)?;
    let mut account = current.clone();
    if let Some(raw) = input.account_number.as_deref() {
        let number = normalize_number(folder, raw)?;
        if folder.accounts.iter().any(|a| a.number == number && a.id != id) {
            return Err(ApiError::rule("GBL6", "Cet élément existe déjà."));
        }
        account.number = number;
    }
    if input.label.is_some() {
        account.label = required_label(input.label.as_deref())?;
    }
    apply_settings(folder, &mut account, &input)?;
    if let Some(analytics) = input.analytics {
        account.analytics = analytics;
    }
    account.info = match input.complementary_info {
        Some(info) => Some(third_info(folder, ids, info, current.info.as_ref())?),
        None => None,
    };
    let slot = folder.accounts.iter_mut().find(|a| a.id == id).ok_or_else(account_missing)?;
    *slot = account;
    Ok(id)
}

/// `PUT /account/contact`: the account's secondary contacts become exactly `contacts` (known ids
/// kept, others created, missing ones deleted), ordered as sent.
pub(crate) fn replace_contacts(
    folder: &mut Folder,
    ids: &mut Ids,
    account_id: i64,
    contacts: Vec<ContactInput>,
) -> ApiResult<Vec<Contact>> {
    let previous = folder.account(account_id).ok_or_else(account_missing)?.info.clone();
    let contacts = build_contacts(ids, contacts, previous.as_ref())?;
    let account =
        folder.accounts.iter_mut().find(|a| a.id == account_id).ok_or_else(account_missing)?;
    let info = account.info.get_or_insert_with(|| ThirdInfo {
        id: ids.info.next(),
        language_id: Some(1),
        ..ThirdInfo::default()
    });
    info.contacts = contacts.clone();
    Ok(contacts)
}

fn account_missing() -> ApiError {
    ApiError::rule("COMPTE2", "Le compte n'existe pas.")
}

fn required_label(label: Option<&str>) -> ApiResult<String> {
    match label.map(str::trim) {
        Some(l) if !l.is_empty() => Ok(l.to_owned()),
        _ => Err(ApiError::rule("COMPTE4", "Veuillez saisir un intitulé pour le compte.")),
    }
}

/// Flags, VAT code and counterpart, with their rules (`VATPARAM2`, `COMPTE24`, `COMPTE2`,
/// `COMPTE8`, `COMPTE9`).
fn apply_settings(folder: &Folder, account: &mut Account, input: &AccountInput) -> ApiResult<()> {
    account.provider = input.provider.unwrap_or(false);
    account.intraco = input.intraco_account.unwrap_or(false);
    account.btp_autoliquidation = input.btp_autoliquidation.unwrap_or(false);
    account.exoneration = input.exoneration.unwrap_or(false);
    account.das_2 = input.das_2.unwrap_or(false);
    if let Some(vat) = input.vat_param_id {
        if folder.vat_param(vat).is_none() {
            return Err(ApiError::rule(
                "VATPARAM2",
                "Le code TVA renseigné n'appartient pas à la societe",
            ));
        }
        if !matches!(account.class(), 2 | 6 | 7) {
            return Err(ApiError::rule(
                "COMPTE24",
                "Un code TVA ne peut être renseigné que sur un compte de classe 2, 6 ou 7.",
            ));
        }
    }
    account.vat_param_id = input.vat_param_id;
    if let Some(counterpart) = input.counterpart_account_id {
        let target = folder.account(counterpart).ok_or_else(account_missing)?;
        if account.number.starts_with("40") && !matches!(target.class(), 2 | 6 | 7) {
            return Err(ApiError::rule(
                "COMPTE8",
                "Les comptes de contrepartie autorisées pour les comptes 40 doivent commencer par 2, 6 ou 7.",
            ));
        }
        if account.number.starts_with("41") && !matches!(target.class(), 6 | 7) {
            return Err(ApiError::rule(
                "COMPTE9",
                "Les comptes de contrepartie autorisées pour les comptes 41 doivent commencer par 6 ou 7.",
            ));
        }
    }
    account.counterpart_id = input.counterpart_account_id;
    Ok(())
}

/// Empty strings are stored as absent.
fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn third_info(
    folder: &Folder,
    ids: &mut Ids,
    input: InfoInput,
    previous: Option<&ThirdInfo>,
) -> ApiResult<ThirdInfo> {
    if let Some(id) = input.id_ape {
        catalog::ape(id).ok_or_else(|| ApiError::param("id_ape"))?;
    }
    if let Some(id) = input.way_type_id {
        catalog::road_type(id).ok_or_else(|| ApiError::param("way_type_id"))?;
    }
    if let Some(id) = input.id_payment_deadline {
        catalog::payment_deadline(id).ok_or_else(|| ApiError::param("id_payment_deadline"))?;
    }
    if let Some(id) = input.payment_type_id {
        if folder.payment_type(id).is_none() {
            return Err(ApiError::rule(
                "TYPEPAY1",
                "Le type de paiement n'appartient pas à la société",
            ));
        }
    }
    if let Some(id) = input.misc_language_id {
        catalog::language(id).ok_or_else(|| ApiError::param("misc_language_id"))?;
    }
    let country_id = match (input.id_country, text(input.country)) {
        (Some(id), _) => {
            Some(catalog::country(id).map(|_| id).ok_or_else(|| ApiError::param("id_country"))?)
        }
        (None, Some(name)) => catalog::country_by_name(&name),
        (None, None) => None,
    };
    let contacts = match input.contact_list {
        Some(list) => build_contacts(ids, list, previous)?,
        None => Vec::new(),
    };
    let ibans = match input.iban_list {
        Some(list) => build_ibans(ids, list, previous),
        None => Vec::new(),
    };
    Ok(ThirdInfo {
        id: previous.map_or_else(|| ids.info.next(), |p| p.id),
        name: text(input.name),
        siren: text(input.siren),
        ape_id: input.id_ape,
        is_foreign: input.is_foreign.unwrap_or(false),
        person_in_charge: text(input.person_in_charge),
        profession: text(input.profession),
        firstname: text(input.firstname),
        lastname: text(input.lastname),
        address_number: text(input.address_number),
        repetition_index: text(input.repetition_index),
        road_type_id: input.way_type_id,
        address: text(input.address),
        address_complement: text(input.address_complement),
        postal_code: text(input.postal_code),
        city: text(input.city),
        country_id,
        contact_firstname: text(input.contact_firstname),
        contact_lastname: text(input.contact_lastname),
        function: text(input.function),
        tel: text(input.tel),
        tel2: text(input.tel2),
        email: text(input.email),
        contacts,
        ibans,
        payment_type_id: input.payment_type_id,
        payment_deadline_id: input.id_payment_deadline,
        comment: text(input.comment),
        language_id: Some(input.misc_language_id.unwrap_or(1)),
        doubtful_id: input.misc_doubtful_id,
        referent: text(input.misc_referent),
        group: text(input.misc_group),
        archived: input.misc_archived.unwrap_or(false),
        nir: previous.and_then(|p| p.nir.clone()),
    })
}

/// Contacts in the order sent (`ordre` 1, 2, …); a known id is kept, anything else is new.
/// A contact without a last name is refused (`COMPTE42`).
fn build_contacts(
    ids: &mut Ids,
    list: Vec<ContactInput>,
    previous: Option<&ThirdInfo>,
) -> ApiResult<Vec<Contact>> {
    let known = |id: i64| previous.is_some_and(|p| p.contacts.iter().any(|c| c.id == id));
    let mut contacts = Vec::with_capacity(list.len());
    for (order, c) in (1..).zip(list) {
        let lastname = text(c.lastname).ok_or_else(|| {
            ApiError::rule("COMPTE42", "Le nom du contact secondaire est obligatoire")
        })?;
        let id = match c.id_contact_compte_tiers {
            Some(id) if known(id) => id,
            _ => ids.contact.next(),
        };
        contacts.push(Contact {
            id,
            firstname: c.firstname.unwrap_or_default(),
            lastname,
            function: c.function.unwrap_or_default(),
            tel1: c.tel1.unwrap_or_default(),
            tel2: c.tel2.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            order,
        });
    }
    Ok(contacts)
}

fn build_ibans(ids: &mut Ids, list: Vec<IbanInput>, previous: Option<&ThirdInfo>) -> Vec<Iban> {
    let known = |id: i64| previous.is_some_and(|p| p.ibans.iter().any(|i| i.id == id));
    list.into_iter()
        .map(|i| Iban {
            id: match i.id_iban_compte_tiers.or(i.id) {
                Some(id) if known(id) => id,
                _ => ids.iban.next(),
            },
            iban: i.iban.unwrap_or_default().replace(' ', "").to_uppercase(),
            bic: i.bic.unwrap_or_default(),
            rum: i.rum.unwrap_or_default(),
            rum_signed: text(i.rum_date_signature),
            bank: i.etablissement.unwrap_or_default(),
            first_direct_debit: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn port() -> (Folder, Ids) {
        let mut world = seed::world();
        let folder = world.folders.remove(&4821).unwrap();
        (folder, world.ids)
    }

    fn input(number: &str, label: &str) -> AccountInput {
        AccountInput {
            account_number: Some(number.into()),
            label: Some(label.into()),
            ..AccountInput::default()
        }
    }

    #[test]
    fn numbers_are_checked_and_general_ones_padded() {
        let (folder, _) = port();
        assert_eq!(normalize_number(&folder, "251").unwrap(), "251000");
        assert_eq!(normalize_number(&folder, " 411DUPONT ").unwrap(), "411DUPONT");
        assert_eq!(normalize_number(&folder, "AB411").unwrap_err().code, "COMPTE6");
        assert_eq!(normalize_number(&folder, "0411").unwrap_err().code, "COMPTE6");
        assert_eq!(
            normalize_number(&folder, "411ABCDEFGHIJKLMNOPQRS").unwrap_err().code,
            "COMPTE7"
        );
        assert_eq!(normalize_number(&folder, "").unwrap_err().code, "COMPTE3");
        assert_eq!(normalize_number(&folder, "411DU-PONT").unwrap_err().code, "COMPTE30");
        assert_eq!(normalize_number(&folder, "411ABCDEFGH").unwrap_err().code, "GBL5");
        assert_eq!(normalize_number(&folder, "6061000").unwrap_err().code, "GBL5");
    }

    #[test]
    fn upsert_finds_before_it_creates() {
        let (mut folder, mut ids) = port();
        let bank = folder.account_by_number("512000").unwrap().id;
        assert_eq!(upsert(&mut folder, &mut ids, input("512", "whatever")).unwrap(), bank);
        let before = folder.accounts.len();
        let created = upsert(&mut folder, &mut ids, input("411NOUVEAU", "NOUVEAU CLIENT")).unwrap();
        assert_eq!(folder.accounts.len(), before + 1);
        assert_eq!(upsert(&mut folder, &mut ids, input("411NOUVEAU", "autre")).unwrap(), created);
        assert_eq!(folder.account(created).unwrap().label, "NOUVEAU CLIENT");
        let missing_label = upsert(&mut folder, &mut ids, input("411AUTRE", " ")).unwrap_err();
        assert_eq!(missing_label.code, "COMPTE4");
    }

    #[test]
    fn written_complementary_info_is_stored_in_the_read_vocabulary() {
        let (mut folder, mut ids) = port();
        let virt = folder.payment_types.iter().find(|p| p.code == "VIRT").unwrap().id;
        let body: AccountInput = serde_json::from_value(serde_json::json!({
            "account_number": "401ACME", "label": "ACME FOURNITURES", "provider": true,
            "complementary_info": {
                "name": "ACME FOURNITURES", "siren": "732829320", "id_ape": 534,
                "contact_firstname": "Léa", "contact_lastname": "PETIT", "tel": "0102030405",
                "iban_list": [{"iban": "FR76 1180 8009 1012 3456 7890 147", "bic": "CMCIFRPP", "etablissement": ""}],
                "contact_list": [{"lastname": "ROUX", "firstname": "Marc"}, {"lastname": "BLANC"}],
                "id_payment_deadline": 2, "payment_type_id": virt,
                "address_number": "3", "repetition_index": "", "way_type_id": 9, "address": "DES LILAS",
                "postal_code": "75011", "city": "PARIS", "country": "FRANCE"
            }
        }))
        .unwrap();
        let id = upsert(&mut folder, &mut ids, body).unwrap();
        let account = folder.account(id).unwrap();
        assert!(account.provider);
        let info = account.info.as_ref().unwrap();
        assert_eq!(info.road_type_id, Some(9));
        assert_eq!(info.repetition_index, None);
        assert_eq!(info.country_id, Some(78));
        assert_eq!(info.ibans[0].iban, "FR7611808009101234567890147");
        assert_eq!(info.contacts.iter().map(|c| c.order).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(info.language_id, Some(1));
    }

    #[test]
    fn replace_is_a_full_replacement_and_contacts_replace_all() {
        let (mut folder, mut ids) = port();
        let id = folder
            .accounts
            .iter()
            .find(|a| a.info.as_ref().is_some_and(|i| i.contacts.len() >= 2))
            .unwrap()
            .id;
        let kept = folder.account(id).unwrap().info.as_ref().unwrap().contacts[0].id;
        let contacts = vec![
            ContactInput {
                id_contact_compte_tiers: Some(kept),
                lastname: Some("GARDE".into()),
                ..ContactInput::default()
            },
            ContactInput { lastname: Some("NEUF".into()), ..ContactInput::default() },
        ];
        let after = replace_contacts(&mut folder, &mut ids, id, contacts).unwrap();
        assert_eq!(after[0].id, kept);
        assert_ne!(after[1].id, kept);
        assert_eq!(after.len(), 2);
        let nameless =
            vec![ContactInput { firstname: Some("X".into()), ..ContactInput::default() }];
        assert_eq!(
            replace_contacts(&mut folder, &mut ids, id, nameless).unwrap_err().code,
            "COMPTE42"
        );

        let update = AccountInput {
            account_id: Some(id),
            label: Some("RENOMME".into()),
            das_2: Some(true),
            ..AccountInput::default()
        };
        replace(&mut folder, &mut ids, update).unwrap();
        let account = folder.account(id).unwrap();
        assert_eq!(account.label, "RENOMME");
        assert!(account.das_2);
        assert!(account.info.is_none(), "omitted complementary_info is cleared");
    }
}
