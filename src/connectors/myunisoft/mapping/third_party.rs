//! Clients (411) and suppliers (401): MyUnisoft third-party accounts and their complementary
//! information, both ways.

use crate::connectors::myunisoft::dto::{
    AccountDetails, ContactWrite, Country, IbanWrite, Info, InfoWrite,
};
use crate::domain::third_party::{
    Address, AddressType, Contact, Labelled, NewAddress, NewThirdParty, PartnerBankAccount,
    PartnerIban, PartyKind, ThirdParty, ThirdPartyPatch,
};
use crate::domain::Invalid;

fn text(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn join(parts: &[Option<&str>]) -> Option<String> {
    let joined = parts
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// MyUnisoft's language ids (`misc_language_id`) and ISO 639-1.
const LANGUAGES: [(i64, &str); 4] = [(1, "fr"), (2, "en"), (3, "de"), (4, "es")];
/// "Other" language.
const OTHER_LANGUAGE: i64 = 999;

fn language(id: Option<i64>) -> Option<String> {
    LANGUAGES.iter().find(|(i, _)| Some(*i) == id).map(|(_, iso)| (*iso).to_owned())
}

fn language_id(iso: &str) -> i64 {
    LANGUAGES
        .iter()
        .find(|(_, l)| l.eq_ignore_ascii_case(iso.trim()))
        .map_or(OTHER_LANGUAGE, |(i, _)| *i)
}

fn country_iso(id: Option<i64>, countries: &[Country]) -> Option<String> {
    countries.iter().find(|c| Some(c.id) == id).map(|c| c.iso.clone())
}

fn country_id(field: &str, name: &str, countries: &[Country]) -> Result<i64, Invalid> {
    let name = name.trim();
    countries
        .iter()
        .find(|c| c.iso.eq_ignore_ascii_case(name) || c.label.eq_ignore_ascii_case(name))
        .map(|c| c.id)
        .ok_or_else(|| {
            Invalid::body(
                field,
                format!("`{name}` is not a country MyUnisoft knows (use ISO codes such as FR)"),
            )
        })
}

fn address(info: &Info, countries: &[Country]) -> Option<Address> {
    let street =
        join(&[info.typevoie.as_ref().and_then(|w| w.lib.as_deref()), info.address.as_deref()]);
    let number = join(&[info.address_number.as_deref(), info.indice_repetition.as_deref()]);
    let any = street.is_some() || info.city.is_some() || info.postal_code.is_some();
    any.then(|| Address {
        address_type: AddressType::Main,
        name: None,
        number,
        r#box: text(&info.address_complement),
        phone: None,
        mobile: None,
        email: None,
        street,
        city: text(&info.city),
        postal_code: text(&info.postal_code),
        country: country_iso(info.id_country, countries),
    })
}

/// A third-party account as a normalized client or supplier: every complementary-information
/// field reaches a Chift field or one of the extra fields.
pub(crate) fn third_party(a: &AccountDetails, countries: &[Country]) -> ThirdParty {
    let empty = Info::default();
    let info = a.complementary_informations.as_ref().unwrap_or(&empty);
    let person = info.firstname.is_some() || info.lastname.is_some();
    let (first, last) = if person {
        (&info.firstname, &info.lastname)
    } else {
        (&info.contact_firstname, &info.contact_lastname)
    };
    let ibans: Vec<PartnerIban> = info
        .iban_list
        .iter()
        .filter_map(|i| {
            Some(PartnerIban {
                iban: formats::iban::compact(i.iban.as_deref().filter(|s| !s.trim().is_empty())?),
                bic: text(&i.bic),
                bank_name: text(&i.etablissement),
                mandate_reference: text(&i.rum),
            })
        })
        .collect();
    let archived = info.misc_archived.unwrap_or(false);
    ThirdParty {
        id: a.account_id.to_string(),
        external_reference: None,
        first_name: text(first),
        last_name: text(last),
        name: text(&info.name).or_else(|| text(&Some(a.label.clone()))),
        function: text(&info.function),
        is_company: !person,
        company_id: None,
        phone: text(&info.tel),
        mobile: text(&info.tel2),
        email: text(&info.email),
        language: language(info.misc_language_id),
        internal_notes: text(&info.comment),
        website: None,
        vat: None,
        company_number: text(&info.siren),
        iban: ibans.first().map(|i| i.iban.clone()),
        bank_account: None,
        currency: Some("EUR".into()),
        active: !a.closed && !archived,
        account_number: Some(a.account_number.clone()),
        third_party_account: Some(a.account_number.clone()),
        last_updated_on: None,
        addresses: address(info, countries).into_iter().collect(),
        bank_accounts: PartnerBankAccount::list(&ibans),
        ibans,
        payment_terms: info.payment_deadline.as_ref().map(|d| Labelled {
            id: Some(d.id_payment_deadline.to_string()),
            code: None,
            name: d.label.clone(),
        }),
        payment_method: info.payment_type.as_ref().map(|p| Labelled {
            id: Some(p.payment_type_id.to_string()),
            code: p.code.clone(),
            name: p.label.clone(),
        }),
        director: text(&info.person_in_charge),
        profession: text(&info.profession),
        activity: info.ape.as_ref().map(|ape| Labelled {
            id: ape.id.map(|i| i.to_string()),
            code: ape.value.clone(),
            name: ape.label.clone(),
        }),
        is_foreign: info.is_foreign,
        referent: text(&info.misc_referent),
        group: text(&info.misc_group),
        archived,
        closed: a.closed,
    }
}

/// The main contact first, then the contact list in MyUnisoft's order (`ordre`).
pub(crate) fn contacts(a: &AccountDetails) -> Vec<Contact> {
    let Some(info) = &a.complementary_informations else { return vec![] };
    let mut out = vec![];
    if let Some(name) = join(&[info.contact_firstname.as_deref(), info.contact_lastname.as_deref()])
    {
        out.push(Contact {
            id: format!("{}-main", a.account_id),
            name,
            first_name: text(&info.contact_firstname),
            last_name: text(&info.contact_lastname),
            function: text(&info.function),
            email: text(&info.email),
            phone: text(&info.tel),
            mobile: text(&info.tel2),
        });
    }
    let mut list = info.contact_list.clone();
    list.sort_by_key(|c| c.ordre);
    out.extend(list.iter().map(|c| {
        Contact {
            id: c.id_contact_compte_tiers.to_string(),
            name: join(&[c.firstname.as_deref(), c.lastname.as_deref()])
                .unwrap_or_else(|| c.id_contact_compte_tiers.to_string()),
            first_name: text(&c.firstname),
            last_name: text(&c.lastname),
            function: text(&c.function),
            email: text(&c.email),
            phone: text(&c.tel1),
            mobile: text(&c.tel2),
        }
    }));
    out
}

/// The write shape of what an account holds now, so that a full replacement keeps it.
pub(crate) fn info_write(info: Option<&Info>) -> InfoWrite {
    let Some(i) = info else { return InfoWrite::default() };
    InfoWrite {
        name: i.name.clone(),
        siren: i.siren.clone(),
        id_ape: i.ape.as_ref().and_then(|a| a.id),
        is_foreign: i.is_foreign,
        person_in_charge: i.person_in_charge.clone(),
        profession: i.profession.clone(),
        firstname: i.firstname.clone(),
        lastname: i.lastname.clone(),
        address_number: i.address_number.clone(),
        repetition_index: i.indice_repetition.clone(),
        way_type_id: i.typevoie.as_ref().and_then(|w| w.id_type_voie),
        address: i.address.clone(),
        address_complement: i.address_complement.clone(),
        postal_code: i.postal_code.clone(),
        city: i.city.clone(),
        id_country: i.id_country,
        contact_firstname: i.contact_firstname.clone(),
        contact_lastname: i.contact_lastname.clone(),
        function: i.function.clone(),
        tel: i.tel.clone(),
        tel2: i.tel2.clone(),
        email: i.email.clone(),
        contact_list: {
            let mut list = i.contact_list.clone();
            list.sort_by_key(|c| c.ordre);
            list.into_iter()
                .map(|c| ContactWrite {
                    id_contact_compte_tiers: c.id_contact_compte_tiers,
                    firstname: c.firstname,
                    lastname: c.lastname,
                    function: c.function,
                    tel1: c.tel1,
                    tel2: c.tel2,
                    email: c.email,
                })
                .collect()
        },
        iban_list: i
            .iban_list
            .iter()
            .filter_map(|b| {
                Some(IbanWrite {
                    id: b.id_iban_compte_tiers,
                    iban: b.iban.clone()?,
                    bic: b.bic.clone(),
                    etablissement: b.etablissement.clone(),
                    rum: b.rum.clone(),
                })
            })
            .collect(),
        id_payment_deadline: i.payment_deadline.as_ref().map(|d| d.id_payment_deadline),
        payment_type_id: i.payment_type.as_ref().map(|p| p.payment_type_id),
        comment: i.comment.clone(),
        misc_language_id: i.misc_language_id,
        misc_doubtful_id: i.misc_doubtful_id,
        misc_referent: i.misc_referent.clone(),
        misc_group: i.misc_group.clone(),
        misc_archived: i.misc_archived,
    }
}

/// The fields a create or an update may set; `None` leaves the base as it is.
struct Changes<'a> {
    name: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    is_company: Option<bool>,
    function: Option<&'a str>,
    phone: Option<&'a str>,
    mobile: Option<&'a str>,
    email: Option<&'a str>,
    language: Option<&'a str>,
    internal_notes: Option<&'a str>,
    company_number: Option<&'a str>,
    iban: Option<&'a str>,
    currency: Option<&'a str>,
    active: Option<bool>,
    address: Option<AddressChange<'a>>,
}

struct AddressChange<'a> {
    field: String,
    number: Option<&'a str>,
    r#box: Option<&'a str>,
    street: Option<&'a str>,
    city: Option<&'a str>,
    postal_code: Option<&'a str>,
    country: Option<&'a str>,
}

/// The address MyUnisoft keeps (one): the `main` one, else the first.
fn pick<T>(addresses: &[T], is_main: impl Fn(&T) -> bool) -> Option<(usize, &T)> {
    addresses
        .iter()
        .enumerate()
        .find(|(_, a)| is_main(a))
        .or_else(|| addresses.iter().enumerate().next())
}

fn apply(mut w: InfoWrite, c: Changes<'_>, countries: &[Country]) -> Result<InfoWrite, Invalid> {
    let set = |slot: &mut Option<String>, value: Option<&str>| {
        if let Some(v) = value {
            *slot = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        }
    };
    if let Some(currency) = c.currency {
        if !currency.eq_ignore_ascii_case("EUR") {
            return Err(Invalid::body("currency", "MyUnisoft third parties are kept in EUR"));
        }
    }
    set(&mut w.name, c.name);
    let person = c
        .is_company
        .map(|company| !company)
        .unwrap_or(w.firstname.is_some() || w.lastname.is_some());
    if person {
        set(&mut w.firstname, c.first_name);
        set(&mut w.lastname, c.last_name);
    } else {
        set(&mut w.contact_firstname, c.first_name);
        set(&mut w.contact_lastname, c.last_name);
        if c.is_company == Some(true) {
            w.firstname = None;
            w.lastname = None;
        }
    }
    set(&mut w.function, c.function);
    set(&mut w.tel, c.phone);
    set(&mut w.tel2, c.mobile);
    if let Some(email) = c.email {
        if !email.trim().is_empty() && !email.contains('@') {
            return Err(Invalid::body("email", "must be an email address"));
        }
        set(&mut w.email, Some(email));
    }
    if let Some(language) = c.language {
        w.misc_language_id = Some(language_id(language));
    }
    set(&mut w.comment, c.internal_notes);
    if let Some(number) = c.company_number {
        let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        if !(digits.len() == 9 || digits.len() == 14) || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return Err(Invalid::body(
                "company_number",
                "must be a SIREN (9 digits) or a SIRET (14 digits)",
            ));
        }
        w.siren = Some(digits[..9].to_owned());
    }
    if let Some(iban) = c.iban {
        let iban = formats::iban::compact(iban);
        if !formats::iban::is_valid(&iban) {
            return Err(Invalid::body("iban", "is not a valid IBAN (ISO 13616 check digits)"));
        }
        if !w.iban_list.iter().any(|b| formats::iban::compact(&b.iban) == iban) {
            w.iban_list
                .insert(0, IbanWrite { id: None, iban, bic: None, etablissement: None, rum: None });
        }
    }
    if let Some(active) = c.active {
        w.misc_archived = Some(!active);
    }
    if let Some(a) = c.address {
        set(&mut w.address_number, a.number);
        set(&mut w.address_complement, a.r#box);
        if a.street.is_some() {
            // The street is kept whole; the type of way is then part of it.
            w.way_type_id = None;
            w.repetition_index = None;
        }
        set(&mut w.address, a.street);
        set(&mut w.city, a.city);
        set(&mut w.postal_code, a.postal_code);
        if let Some(country) = a.country {
            w.id_country = Some(country_id(&format!("{}.country", a.field), country, countries)?);
        }
    }
    Ok(w)
}

/// The complementary information of a new third party (over `base`, another record's when
/// merging).
pub(crate) fn new_info(
    new: &NewThirdParty,
    base: InfoWrite,
    countries: &[Country],
) -> Result<InfoWrite, Invalid> {
    let address =
        pick(&new.addresses, |a: &NewAddress| a.address_type == AddressType::Main).map(|(i, a)| {
            AddressChange {
                field: format!("addresses[{i}]"),
                number: a.number.as_deref(),
                r#box: a.r#box.as_deref(),
                street: Some(a.street.as_str()),
                city: Some(a.city.as_str()),
                postal_code: Some(a.postal_code.as_str()),
                country: Some(a.country.as_str()),
            }
        });
    let changes = Changes {
        name: Some(new.name.as_str()),
        first_name: new.first_name.as_deref(),
        last_name: new.last_name.as_deref(),
        is_company: new.is_company,
        function: new.function.as_deref(),
        phone: new.phone.as_deref(),
        mobile: new.mobile.as_deref(),
        email: new.email.as_deref(),
        language: new.language.as_deref(),
        internal_notes: new.internal_notes.as_deref(),
        company_number: new.company_number.as_deref(),
        iban: new.iban.as_deref(),
        currency: new.currency.as_deref(),
        active: new.active,
        address,
    };
    apply(base, changes, countries)
}

/// The complementary information after a partial update.
pub(crate) fn patched_info(
    patch: &ThirdPartyPatch,
    base: InfoWrite,
    countries: &[Country],
) -> Result<InfoWrite, Invalid> {
    let address = patch
        .addresses
        .as_deref()
        .and_then(|list| pick(list, |a: &Address| a.address_type == AddressType::Main))
        .map(|(i, a)| AddressChange {
            field: format!("addresses[{i}]"),
            number: a.number.as_deref(),
            r#box: a.r#box.as_deref(),
            street: a.street.as_deref(),
            city: a.city.as_deref(),
            postal_code: a.postal_code.as_deref(),
            country: a.country.as_deref(),
        });
    let changes = Changes {
        name: patch.name.as_deref(),
        first_name: patch.first_name.as_deref(),
        last_name: patch.last_name.as_deref(),
        is_company: patch.is_company,
        function: patch.function.as_deref(),
        phone: patch.phone.as_deref(),
        mobile: patch.mobile.as_deref(),
        email: patch.email.as_deref(),
        language: patch.language.as_deref(),
        internal_notes: patch.internal_notes.as_deref(),
        company_number: patch.company_number.as_deref(),
        iban: patch.iban.as_deref(),
        currency: patch.currency.as_deref(),
        active: patch.active,
        address,
    };
    apply(base, changes, countries)
}

/// Upper-case ASCII letters and digits of `name`, accents folded (`Crêperie` → `CREPERIE`).
fn code_of(name: &str) -> String {
    const FOLDS: [(&str, char); 6] =
        [("àâäáã", 'A'), ("éèêë", 'E'), ("îïíì", 'I'), ("ôöóò", 'O'), ("ùûüú", 'U'), ("ç", 'C')];
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| FOLDS.iter().find(|(from, _)| from.contains(c)).map_or(c, |(_, to)| *to))
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The account number of a new third party: the one asked for (checked against MyUnisoft's
/// rules), else the root followed by the name's letters, cut to the folder's length and made
/// unique with a numeric suffix.
pub(crate) fn account_number(
    kind: PartyKind,
    requested: Option<&str>,
    name: &str,
    taken: &[String],
    max_len: usize,
) -> Result<String, Invalid> {
    let root = kind.root();
    if let Some(number) = requested.map(str::trim).filter(|n| !n.is_empty()) {
        let number = number.to_uppercase();
        if !number.starts_with(root) {
            return Err(Invalid::body(
                "account_number",
                format!("a {} account starts with {root}", kind.noun()),
            ));
        }
        if number.len() > max_len || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Invalid::body(
                "account_number",
                format!("must be letters and digits, at most {max_len} characters"),
            ));
        }
        return Ok(number);
    }
    let room = max_len.saturating_sub(root.len()).max(1);
    let mut code = code_of(name);
    if code.is_empty() {
        code = "TIERS".into();
    }
    let base: String = format!("{root}{}", code.chars().take(room).collect::<String>());
    if !taken.contains(&base) {
        return Ok(base);
    }
    (1..10_000)
        .map(|n| {
            let suffix = n.to_string();
            let keep = max_len.saturating_sub(suffix.len()).max(root.len());
            format!("{}{suffix}", base.chars().take(keep).collect::<String>())
        })
        .find(|candidate| !taken.contains(candidate))
        .ok_or_else(|| {
            Invalid::body("account_number", "no free account number is left for this name")
        })
}

/// The existing record a new one would duplicate: same account number, same SIREN, or same
/// name (case and accents aside).
pub(crate) fn duplicate_of<'a>(
    number: &str,
    new: &NewThirdParty,
    existing: &'a [ThirdParty],
) -> Option<&'a ThirdParty> {
    let name = code_of(&new.name);
    let siren = new
        .company_number
        .as_deref()
        .map(|n| n.chars().filter(char::is_ascii_digit).take(9).collect::<String>());
    existing.iter().find(|t| {
        t.account_number.as_deref() == Some(number)
            || (siren.is_some() && t.company_number == siren)
            || t.name.as_deref().is_some_and(|n| !name.is_empty() && code_of(n) == name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::myunisoft::mapping::fixture;

    fn fixtures() -> (Vec<AccountDetails>, Vec<Country>) {
        let accounts = serde_json::from_str(fixture!("third_parties.json")).unwrap();
        let countries = serde_json::from_str(r#"[{"id": 78, "iso": "FR", "label": "FRANCE"}, {"id": 77, "iso": "GB", "label": "ROYAUME-UNI"}]"#).unwrap();
        (accounts, countries)
    }

    fn by_number<'a>(all: &'a [AccountDetails], number: &str) -> &'a AccountDetails {
        all.iter().find(|a| a.account_number == number).unwrap()
    }

    #[test]
    fn a_full_record_maps_every_complementary_field() {
        let (all, countries) = fixtures();
        let t = third_party(by_number(&all, "411HOTEL"), &countries);
        assert_eq!((t.id.as_str(), t.name.as_deref()), ("1180307", Some("HÔTEL DE LA MER")));
        assert!(t.is_company && t.active && !t.archived);
        assert_eq!(
            (t.first_name.as_deref(), t.last_name.as_deref()),
            (Some("Nolwenn"), Some("PÉRON"))
        );
        assert_eq!(
            (t.function.as_deref(), t.phone.as_deref(), t.mobile.as_deref()),
            (Some("Directrice"), Some("+33298000301"), Some("0298000399"))
        );
        assert_eq!(t.email.as_deref(), Some("direction@hotel-de-la-mer.example"));
        assert_eq!(
            (t.company_number.as_deref(), t.language.as_deref()),
            (Some("456789012"), Some("fr"))
        );
        assert_eq!(t.internal_notes.as_deref(), Some("Livraison avant 7h"));
        let a = &t.addresses[0];
        assert_eq!(
            (a.number.as_deref(), a.street.as_deref(), a.r#box.as_deref()),
            (Some("1 BIS"), Some("Quai DE LA RECOUVRANCE"), Some("Bâtiment B"))
        );
        assert_eq!(
            (a.postal_code.as_deref(), a.city.as_deref(), a.country.as_deref()),
            (Some("29200"), Some("BREST"), Some("FR"))
        );
        assert_eq!(t.iban.as_deref(), Some("FR6530004000031234567890147"));
        assert_eq!(t.ibans[0].bic.as_deref(), Some("BNPAFRPPBRE"));
        assert_eq!(t.ibans[0].bank_name.as_deref(), Some("BNP Paribas Brest"));
        assert_eq!(t.ibans[0].mandate_reference.as_deref(), Some("RUM-0042"));
        assert!(t.bank_accounts[0].is_primary);
        assert_eq!(t.bank_accounts[0].iban.as_deref(), Some(t.ibans[0].iban.as_str()));
        assert_eq!(t.bank_accounts[0].bic_swift.as_deref(), Some("BNPAFRPPBRE"));
        assert_eq!(t.payment_terms.as_ref().unwrap().name.as_deref(), Some("30 jours fin de mois"));
        assert_eq!(t.payment_method.as_ref().unwrap().code.as_deref(), Some("VIRT"));
        assert_eq!(t.director.as_deref(), Some("Marc-Antoine PÉRON"));
        assert_eq!(t.activity.as_ref().unwrap().code.as_deref(), Some("5510Z"));
        assert_eq!(
            (t.referent.as_deref(), t.group.as_deref(), t.is_foreign),
            (Some("Anne LE GALL"), Some("Hôtellerie"), Some(false))
        );
        assert_eq!(t.profession.as_deref(), Some("Hôtelier"));
        assert_eq!(t.currency.as_deref(), Some("EUR"));
    }

    #[test]
    fn contacts_come_main_first_then_by_order() {
        let (all, _) = fixtures();
        let contacts = contacts(by_number(&all, "411HOTEL"));
        let names: Vec<_> = contacts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Nolwenn PÉRON", "Claire TANGUY", "Paul ABIVEN", "Jean MORIN"]);
        assert_eq!(
            (contacts[1].phone.as_deref(), contacts[1].function.as_deref()),
            (Some("0611000303"), Some("Comptabilité"))
        );
        assert!(super::contacts(by_number(&all, "411DIVERS")).is_empty());
    }

    #[test]
    fn natural_persons_archived_closed_and_empty_records() {
        let (all, countries) = fixtures();
        let person = third_party(by_number(&all, "411CREPE"), &countries);
        assert!(!person.is_company);
        assert_eq!(
            (person.first_name.as_deref(), person.last_name.as_deref()),
            (Some("Maëlle"), Some("LE BIHAN"))
        );
        assert_eq!(person.language.as_deref(), None, "999 is 'other'");
        let archived = third_party(by_number(&all, "411SALON"), &countries);
        assert!(archived.archived && !archived.active);
        let closed = third_party(by_number(&all, "411BRASSE"), &countries);
        assert!(closed.closed && !closed.active);
        let empty = third_party(by_number(&all, "411DIVERS"), &countries);
        assert_eq!(empty.name.as_deref(), Some("CLIENTS DIVERS"), "the label when no name");
        assert!(
            empty.addresses.is_empty() && empty.ibans.is_empty() && empty.payment_terms.is_none()
        );
        let partial = third_party(by_number(&all, "411LONDON"), &countries);
        assert_eq!(partial.addresses[0].country.as_deref(), Some("GB"));
        assert_eq!(partial.addresses[0].street, None);
    }

    #[test]
    fn reading_then_writing_keeps_everything() {
        let (all, _) = fixtures();
        let hotel = by_number(&all, "411HOTEL");
        let w = info_write(hotel.complementary_informations.as_ref());
        assert_eq!(
            (w.way_type_id, w.repetition_index.as_deref(), w.id_country),
            (Some(12), Some("BIS"), Some(78))
        );
        assert_eq!(
            (w.id_payment_deadline, w.payment_type_id, w.id_ape),
            (Some(3), Some(11092), Some(598))
        );
        assert_eq!(w.iban_list[0].rum.as_deref(), Some("RUM-0042"));
        let contact_ids: Vec<_> =
            w.contact_list.iter().map(|c| c.id_contact_compte_tiers).collect();
        assert_eq!(contact_ids, [95, 94, 96], "contacts go back whole, in their order");
        let unchanged = patched_info(&ThirdPartyPatch::default(), w.clone(), &[]).unwrap();
        assert_eq!(unchanged, w);
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_checks_it() {
        let (all, countries) = fixtures();
        let base = info_write(by_number(&all, "411HOTEL").complementary_informations.as_ref());
        let patch = ThirdPartyPatch {
            email: Some("new@hotel.example".into()),
            active: Some(false),
            ..Default::default()
        };
        let w = patched_info(&patch, base.clone(), &countries).unwrap();
        assert_eq!((w.email.as_deref(), w.misc_archived), (Some("new@hotel.example"), Some(true)));
        assert_eq!(w.tel, base.tel);
        let bad =
            |p: ThirdPartyPatch| patched_info(&p, base.clone(), &countries).unwrap_err().field;
        assert_eq!(
            bad(ThirdPartyPatch { iban: Some("FR00".into()), ..Default::default() }),
            "iban"
        );
        assert_eq!(
            bad(ThirdPartyPatch { company_number: Some("12".into()), ..Default::default() }),
            "company_number"
        );
        assert_eq!(
            bad(ThirdPartyPatch { currency: Some("USD".into()), ..Default::default() }),
            "currency"
        );
        let moved = ThirdPartyPatch {
            addresses: Some(vec![Address {
                address_type: AddressType::Main,
                name: None,
                number: Some("3".into()),
                r#box: None,
                phone: None,
                mobile: None,
                email: None,
                street: Some("Rue de Siam".into()),
                city: Some("Brest".into()),
                postal_code: Some("29200".into()),
                country: Some("XX".into()),
            }]),
            ..Default::default()
        };
        assert_eq!(bad(moved), "addresses[0].country");
    }

    #[test]
    fn account_numbers_follow_the_root_and_length_rules() {
        let taken = vec!["411CREPERI".to_owned()];
        assert_eq!(
            account_number(PartyKind::Client, None, "Crêperie Ti Breizh", &[], 10).unwrap(),
            "411CREPERI"
        );
        assert_eq!(
            account_number(PartyKind::Client, None, "Crêperie Ti Breizh", &taken, 10).unwrap(),
            "411CREPER1"
        );
        assert_eq!(account_number(PartyKind::Supplier, None, "EDF", &[], 10).unwrap(), "401EDF");
        assert_eq!(
            account_number(PartyKind::Supplier, Some("401acme"), "x", &[], 10).unwrap(),
            "401ACME"
        );
        assert_eq!(
            account_number(PartyKind::Client, Some("401ACME"), "x", &[], 10).unwrap_err().field,
            "account_number"
        );
        assert!(account_number(PartyKind::Client, Some("411TOOLONGNAME"), "x", &[], 10).is_err());
    }

    #[test]
    fn search_and_duplicates() {
        let (all, countries) = fixtures();
        let list: Vec<_> = all.iter().map(|a| third_party(a, &countries)).collect();
        assert!(list[0].matches("hôtel") && list[0].matches("456789") && list[0].matches("411hot"));
        assert!(!list[0].matches("garage"));
        let new = NewThirdParty {
            external_reference: None,
            first_name: None,
            last_name: None,
            name: "Hotel de la Mer".into(),
            function: None,
            is_company: None,
            company_id: None,
            phone: None,
            mobile: None,
            email: None,
            language: None,
            internal_notes: None,
            website: None,
            vat: None,
            company_number: None,
            iban: None,
            bank_account: None,
            currency: None,
            active: None,
            addresses: vec![],
            account_number: None,
        };
        assert_eq!(duplicate_of("411HOTELDE", &new, &list).map(|t| t.id.as_str()), Some("1180307"));
    }
}
