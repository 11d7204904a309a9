//! Per-folder settings: identity, fiscal years, journals, payment types, VAT parameters, bank
//! accounts and analytic axes.

use rust_decimal::Decimal;

use super::super::dates::ymd;
use super::super::world::catalog;
use super::super::world::{
    Axis, Closure, Company, Diary, Exercice, Folder, Ids, PaymentType, Rib, Section, VatParam,
};

/// The folders of the firm, by id: 4821 and 4822 hold a year of entries, 4823 serves the
/// large-volume movements.
pub(super) fn companies() -> Vec<Company> {
    vec![
        Company {
            id: 4821,
            name: "BOULANGERIE DU PORT".into(),
            siret: Some("91234567500011".into()),
            ape_id: Some(297),
            legal_form: (1, "SARL"),
            address_number: Some("12".into()),
            road_type_id: Some(12),
            street_name: Some("DES PECHEURS".into()),
            complement: None,
            postal_code: Some("29200".into()),
            city: Some("BREST".into()),
            country: "FRANCE".into(),
            insee: Some("29019".into()),
            capital: Decimal::new(5000, 0),
            member_id: 2,
            folder_reference: Some("BDP01".into()),
            analytics: true,
            vat_regime: (8, "Réel Normal Trimestrielle", "T"),
            registration_date: ymd(2018, 4, 3),
            director: ("Erwan", "LE GALL"),
            rcs: (31, "BREST"),
        },
        Company {
            id: 4822,
            name: "GARAGE DES ALPES".into(),
            siret: Some("83456789300027".into()),
            ape_id: Some(430),
            legal_form: (2, "SAS"),
            address_number: Some("5".into()),
            road_type_id: Some(14),
            street_name: Some("DE GRENOBLE".into()),
            complement: Some("ZA des Blanchisseries".into()),
            postal_code: Some("38500".into()),
            city: Some("VOIRON".into()),
            country: "FRANCE".into(),
            insee: Some("38563".into()),
            capital: Decimal::new(20000, 0),
            member_id: 2,
            folder_reference: Some("GDA01".into()),
            analytics: false,
            vat_regime: (7, "Réel Normal Mensuelle", "M"),
            registration_date: ymd(2017, 9, 12),
            director: ("Sylvie", "REYNAUD"),
            rcs: (44, "GRENOBLE"),
        },
        Company {
            id: 4823,
            name: "ENTREPOT DU GRAND VOLUME".into(),
            siret: Some("798765434".into()),
            ape_id: Some(702),
            legal_form: (3, "SA"),
            address_number: Some("77".into()),
            road_type_id: Some(2),
            street_name: Some("DE LA LOGISTIQUE".into()),
            complement: None,
            postal_code: Some("69007".into()),
            city: Some("LYON".into()),
            country: "FRANCE".into(),
            insee: Some("69387".into()),
            capital: Decimal::new(150_000, 0),
            member_id: 2,
            folder_reference: Some("EGV01".into()),
            analytics: false,
            vat_regime: (8, "Réel Normal Trimestrielle", "T"),
            registration_date: ymd(2013, 1, 7),
            director: ("Marc", "DUMONT"),
            rcs: (52, "LYON"),
        },
    ]
}

/// 2025 (closed in March 2026) and 2026 (open).
pub(super) fn exercices(ids: &mut Ids) -> Vec<Exercice> {
    vec![
        Exercice {
            id: ids.exercice.next(),
            start: ymd(2025, 1, 1),
            end: ymd(2025, 12, 31),
            closure: Some(Closure { at: ymd(2026, 3, 14), by: (311, "Paul", "MARTIN") }),
        },
        Exercice {
            id: ids.exercice.next(),
            start: ymd(2026, 1, 1),
            end: ymd(2026, 12, 31),
            closure: None,
        },
    ]
}

/// `(code, name, type code, counterpart account, closed)`; `""` is a journal without type.
const JOURNALS: [(&str, &str, &str, Option<&str>, bool); 16] = [
    ("01", "JOURNAL D'ACHATS", "ACH", None, false),
    ("02", "JOURNAL DE VENTES", "VTE", None, false),
    ("03", "JOURNAL D'ACHATS IMMOBILISATIONS", "ACH", None, false),
    ("09", "JOURNAL NDF", "NDF", None, false),
    ("15", "JOURNAL BANQUE", "BQ", Some("512000"), false),
    ("16", "ANCIENNE BANQUE", "BQ", Some("512200"), true),
    ("18", "JOURNAL CAISSE", "CAISSE", Some("530000"), false),
    ("20", "JOURNAL D' OD", "OD", None, false),
    ("21", "JOURNAL DE SITUATION", "OD_SIMUL", None, false),
    ("30", "JOURNAL OD PAIE", "OD_PAIE", None, false),
    ("40", "JOURNAL A NOUVEAUX", "AN", None, false),
    ("50", "JOURNAL OD TVA", "OD_DECL_FISCALE", None, false),
    ("60", "JOURNAL OD LETTRAGE", "OD_LET", None, false),
    ("98", "JOURNAL A EXTOURNER", "A_EXT", None, false),
    ("99", "JOURNAL EXTOURNE", "EXT", None, false),
    ("CT", "Compte chèque", "", None, false),
];

pub(super) fn journals(folder: &mut Folder, ids: &mut Ids) {
    for (code, name, kind, account, closed) in JOURNALS {
        let account_id = account.and_then(|n| folder.account_by_number(n)).map(|a| a.id);
        folder.diaries.push(Diary {
            id: ids.diary.next(),
            code: code.into(),
            name: name.into(),
            type_id: catalog::diary_type_by_code(kind).map(|t| t.id),
            account_id,
            blocked: kind.is_empty(),
            closed,
        });
    }
}

pub(super) fn payment_types(folder: &mut Folder, ids: &mut Ids) {
    let kinds = [
        ("Carte bleue", "CB"),
        ("Virement", "VIRT"),
        ("Espèce", "ESP"),
        ("Chèque", "CHQ"),
        ("Prélèvement", "PRLV"),
        ("Lettre de change", "LCR"),
    ];
    for (name, code) in kinds {
        folder.payment_types.push(PaymentType { id: ids.payment.next(), name, code });
    }
}

/// `(code, rate id, type id, exigibility id, deductible, collected)`.
type VatSeed = (&'static str, u8, u8, u8, Option<&'static str>, Option<&'static str>);

const VAT_PARAMS: [VatSeed; 6] = [
    ("01", 4, 1, 1, Some("445660"), Some("445712")),
    ("02", 3, 1, 1, Some("445660"), Some("445713")),
    ("03", 2, 1, 1, Some("445660"), Some("445715")),
    ("04", 1, 1, 1, Some("445660"), Some("445716")),
    ("05", 4, 1, 2, Some("445660"), Some("445720")),
    ("06", 6, 4, 1, None, None),
];

pub(super) fn vat_params(folder: &mut Folder, ids: &mut Ids) {
    for (code, rate_id, type_id, exigibility_id, ded, coll) in VAT_PARAMS {
        let account = |n: Option<&str>| n.and_then(|n| folder.account_by_number(n)).map(|a| a.id);
        let param = VatParam {
            id: ids.vat.next(),
            code,
            deductible: account(ded),
            collected: account(coll),
            rate_id,
            type_id,
            exigibility_id,
            blocked: false,
        };
        folder.vat_params.push(param);
    }
}

/// The company's bank account, linked to journal 15.
pub(super) fn ribs(folder: &mut Folder, ids: &mut Ids) {
    let (bban, bic) = match folder.id() {
        4821 => ("30004000031234567890143", "BNPAFRPPBRE"),
        4822 => ("10278089000002019870145", "CMCIFR2A"),
        _ => ("30003012340005012345678", "SOGEFRPP"),
    };
    let Some(diary_id) = folder.diary_by_code("15").map(|d| d.id) else {
        return;
    };
    folder.ribs.push(Rib {
        id: ids.rib.next(),
        diary_id,
        start_date: Some(ymd(2025, 1, 1)),
        owner: folder.company.name.clone(),
        iban: formats::iban::with_checksum("FR", bban),
        bic: bic.into(),
        is_default: true,
        label: Some("COMPTE PRINCIPAL".into()),
        banking_integration: true,
    });
}

/// `(code, label, account filter, closed)`.
type SectionSeed = (&'static str, &'static str, Option<&'static str>, bool);

/// Two axes with a default `ATTENTE` section each, when the company uses analytics.
pub(super) fn analytics(folder: &mut Folder, ids: &mut Ids) {
    if !folder.company.analytics {
        return;
    }
    let axes: [(&str, &str, &[SectionSeed]); 2] = [
        (
            "ACTIVITE",
            "Activités",
            &[
                ("BOUL", "Boulangerie", Some("701;601"), false),
                ("PATI", "Pâtisserie", Some("701;602"), false),
                ("TRAI", "Traiteur", None, true),
            ],
        ),
        (
            "MAGASIN",
            "Points de vente",
            &[
                ("PORT", "Boutique du port", None, false),
                ("HALLES", "Stand des Halles Saint-Louis", None, false),
            ],
        ),
    ];
    for (code, label, sections) in axes {
        let axis_id = ids.axis.next();
        let waiting = ids.section.next();
        folder.axes.push(Axis {
            id: axis_id,
            code: code.into(),
            label: label.into(),
            default_section: Some(waiting),
        });
        folder.sections.push(Section {
            id: waiting,
            axis_id,
            code: "ATTENTE".into(),
            label: "Section d'attente".into(),
            account: None,
            closed: false,
        });
        for (code, label, account, closed) in sections {
            folder.sections.push(Section {
                id: ids.section.next(),
                axis_id,
                code: (*code).into(),
                label: (*label).into(),
                account: account.map(str::to_owned),
                closed: *closed,
            });
        }
    }
}
