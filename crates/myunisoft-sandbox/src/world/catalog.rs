//! MyUnisoft's fixed reference tables: journal types, VAT rates/types/exigibility, road types,
//! payment terms, languages, countries and the APE codes the seed uses.

use rust_decimal::Decimal;

/// A journal type: id, code, label (`GET /diary`) and the MAD `type` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DiaryType {
    pub(crate) id: u8,
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) mad: &'static str,
}

pub(crate) const DIARY_TYPES: [DiaryType; 16] = [
    DiaryType { id: 1, code: "ACH", label: "Achat", mad: "Achat" },
    DiaryType { id: 2, code: "VTE", label: "Vente", mad: "Vente" },
    DiaryType { id: 3, code: "BQ", label: "Banque", mad: "Banque" },
    DiaryType { id: 4, code: "CAISSE", label: "Caisse", mad: "Caisse" },
    DiaryType { id: 5, code: "OD", label: "OD", mad: "OD" },
    DiaryType { id: 6, code: "OD_AUDIT", label: "OD Audit", mad: "OD Audit" },
    DiaryType { id: 7, code: "OD_SIMUL", label: "OD Simulation", mad: "OD Simulation" },
    DiaryType { id: 8, code: "A_EXT", label: "À extourner", mad: "À extourner" },
    DiaryType { id: 9, code: "EXT", label: "Extourne", mad: "Extourne" },
    DiaryType { id: 10, code: "AN", label: "À Nouveaux", mad: "À Nouveaux" },
    DiaryType { id: 11, code: "OD_PAIE", label: "OD Paie", mad: "OD Paie" },
    DiaryType { id: 12, code: "OD_LET", label: "OD Lettrage", mad: "OD Lettrage" },
    DiaryType { id: 13, code: "NDF", label: "Note de frais", mad: "Note de Frais" },
    DiaryType { id: 14, code: "OD_DECL_FISCALE", label: "OD TVA", mad: "OD TVA" },
    DiaryType { id: 15, code: "OD_EXC", label: "OD Extracomptable", mad: "OD Extracomptable" },
    DiaryType { id: 19, code: "RBAL", label: "Reprise Balance", mad: "Reprise Balance" },
];

pub(crate) fn diary_type(id: u8) -> Option<&'static DiaryType> {
    DIARY_TYPES.iter().find(|t| t.id == id)
}

pub(crate) fn diary_type_by_code(code: &str) -> Option<&'static DiaryType> {
    DIARY_TYPES.iter().find(|t| t.code == code)
}

/// `vat.id` → rate in percent.
pub(crate) fn vat_rate(id: u8) -> Option<Decimal> {
    let (units, scale) = match id {
        1 => (210, 2),
        2 => (55, 1),
        3 => (10, 0),
        4 => (20, 0),
        5 => (85, 1),
        6 => (0, 0),
        7 => (90, 2),
        8 => (105, 2),
        9 => (175, 2),
        _ => return None,
    };
    Some(Decimal::new(units, scale))
}

/// `vat_type`: id, label, code, and the MAD `type` name.
pub(crate) const VAT_TYPES: [(u8, &str, &str, &str); 4] = [
    (1, "Bien et service", "BIEN", "Biens et services"),
    (2, "Immobilisation", "IMMO", "Immobilisation"),
    (3, "Auto-liquidation", "AUTO", "Auto-liquidation"),
    (4, "Non soumis/Exclu", "NONS", "Non soumis/Exclu"),
];

/// `vat_exigility`: id, label, code.
pub(crate) const EXIGIBILITIES: [(u8, &str, &str); 2] =
    [(1, "Débit (facturation)", "DEB"), (2, "Encaissement/Décaissement", "ENC")];

/// Road types (`typevoie` / `way_type_id`).
pub(crate) const ROAD_TYPES: [(u8, &str); 18] = [
    (1, "Allée"),
    (2, "Avenue"),
    (3, "Boulevard"),
    (4, "Chemin"),
    (5, "Cours"),
    (6, "Faubourg"),
    (7, "Impasse"),
    (8, "Lieu dit"),
    (9, "Rue"),
    (10, "Résidence"),
    (11, "Place"),
    (12, "Quai"),
    (13, "Villa"),
    (14, "Route"),
    (15, "Square"),
    (16, "Domaine"),
    (17, "Voie"),
    (34, "Passage"),
];

pub(crate) fn road_type(id: u8) -> Option<&'static str> {
    ROAD_TYPES.iter().find(|(i, _)| *i == id).map(|(_, l)| *l)
}

/// Payment terms: id, label, number of days, end of month.
pub(crate) const PAYMENT_DEADLINES: [(u8, &str, u32, bool); 4] = [
    (1, "Comptant", 0, false),
    (2, "45 jours net", 45, false),
    (3, "30 jours fin de mois", 30, true),
    (4, "60 jours net", 60, false),
];

pub(crate) fn payment_deadline(id: u8) -> Option<(u8, &'static str, u32, bool)> {
    PAYMENT_DEADLINES.iter().copied().find(|d| d.0 == id)
}

/// `misc_language_id` → MAD language name.
pub(crate) fn language(id: u16) -> Option<&'static str> {
    match id {
        1 => Some("Français"),
        2 => Some("Anglais"),
        3 => Some("Allemand"),
        4 => Some("Espagnol"),
        999 => Some("Autres"),
        _ => None,
    }
}

/// Countries (`GET /country`): id, ISO code, label.
pub(crate) const COUNTRIES: [(i64, &str, &str); 7] = [
    (78, "FR", "FRANCE"),
    (21, "BE", "BELGIQUE"),
    (43, "CH", "SUISSE"),
    (81, "DE", "ALLEMAGNE"),
    (69, "ES", "ESPAGNE"),
    (187, "US", "ETATS-UNIS"),
    (77, "GB", "ROYAUME-UNI"),
];

pub(crate) fn country(id: i64) -> Option<&'static str> {
    COUNTRIES.iter().find(|c| c.0 == id).map(|c| c.2)
}

pub(crate) fn country_by_name(name: &str) -> Option<i64> {
    let name = name.trim();
    COUNTRIES
        .iter()
        .find(|c| c.2.eq_ignore_ascii_case(name) || c.1.eq_ignore_ascii_case(name))
        .map(|c| c.0)
}

/// APE (NAF) codes: id, code, text.
pub(crate) const APE_CODES: [(i64, &str, &str); 10] = [
    (297, "1071C", "Boulangerie et boulangerie-pâtisserie"),
    (298, "1061A", "Meunerie"),
    (305, "1051C", "Fabrication de fromage"),
    (430, "4520A", "Entretien et réparation de véhicules automobiles légers"),
    (433, "4531Z", "Commerce de gros d'équipements automobiles"),
    (534, "5829C", "Édition de logiciels applicatifs"),
    (598, "5510Z", "Hôtels et hébergement similaire"),
    (612, "5610A", "Restauration traditionnelle"),
    (640, "4941A", "Transports routiers de fret interurbains"),
    (702, "5210B", "Entreposage et stockage non frigorifique"),
];

pub(crate) fn ape(id: i64) -> Option<(i64, &'static str, &'static str)> {
    APE_CODES.iter().copied().find(|a| a.0 == id)
}

pub(crate) fn ape_by_code(code: &str) -> Option<(i64, &'static str, &'static str)> {
    APE_CODES.iter().copied().find(|a| a.1 == code)
}
