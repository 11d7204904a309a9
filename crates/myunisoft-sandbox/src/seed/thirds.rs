//! Suppliers (401), customers (411) and employees (421) of each seeded folder, with their
//! complementary information: full records, partial and empty ones, accents, foreign
//! companies, an archived and a closed account per kind.

/// One third-party account.
pub(super) struct ThirdSeed {
    pub(super) number: &'static str,
    pub(super) label: &'static str,
    pub(super) closed: bool,
    pub(super) info: Option<InfoSeed>,
}

/// `(first name, last name, function, tel1, email, ordre)`.
pub(super) type ContactSeed =
    (&'static str, &'static str, &'static str, &'static str, &'static str, i64);

/// Complementary information, in the read vocabulary.
pub(super) struct InfoSeed {
    pub(super) name: Option<&'static str>,
    pub(super) siren: Option<&'static str>,
    pub(super) ape: Option<&'static str>,
    pub(super) is_foreign: bool,
    pub(super) person_in_charge: Option<&'static str>,
    pub(super) profession: Option<&'static str>,
    pub(super) firstname: Option<&'static str>,
    pub(super) lastname: Option<&'static str>,
    pub(super) address_number: Option<&'static str>,
    pub(super) repetition_index: Option<&'static str>,
    pub(super) road: Option<u8>,
    pub(super) address: Option<&'static str>,
    pub(super) complement: Option<&'static str>,
    pub(super) postal_code: Option<&'static str>,
    pub(super) city: Option<&'static str>,
    pub(super) country: Option<i64>,
    /// Main contact: first name, last name, function.
    pub(super) contact: Option<(&'static str, &'static str, &'static str)>,
    pub(super) tel: Option<&'static str>,
    pub(super) tel2: Option<&'static str>,
    pub(super) email: Option<&'static str>,
    pub(super) contacts: &'static [ContactSeed],
    /// `(country, BBAN, BIC, bank)`: the check digits are computed.
    pub(super) ibans: &'static [(&'static str, &'static str, &'static str, &'static str)],
    /// Payment type code (`VIRT`, `CHQ`, …), resolved to the folder's id.
    pub(super) payment: Option<&'static str>,
    pub(super) deadline: Option<u8>,
    pub(super) language: Option<u16>,
    pub(super) archived: bool,
    pub(super) comment: Option<&'static str>,
    pub(super) referent: Option<&'static str>,
    pub(super) group: Option<&'static str>,
    pub(super) nir: Option<&'static str>,
    /// Currency the seeded ledger invoices this partner in.
    pub(super) currency: Option<&'static str>,
}

const BLANK: InfoSeed = InfoSeed {
    name: None,
    siren: None,
    ape: None,
    is_foreign: false,
    person_in_charge: None,
    profession: None,
    firstname: None,
    lastname: None,
    address_number: None,
    repetition_index: None,
    road: None,
    address: None,
    complement: None,
    postal_code: None,
    city: None,
    country: None,
    contact: None,
    tel: None,
    tel2: None,
    email: None,
    contacts: &[],
    ibans: &[],
    payment: None,
    deadline: None,
    language: Some(1),
    archived: false,
    comment: None,
    referent: None,
    group: None,
    nir: None,
    currency: None,
};

const fn open(number: &'static str, label: &'static str, info: InfoSeed) -> ThirdSeed {
    ThirdSeed { number, label, closed: false, info: Some(info) }
}

pub(super) fn thirds(folder: i64) -> &'static [ThirdSeed] {
    match folder {
        4821 => PORT,
        4822 => GARAGE,
        _ => VOLUME,
    }
}

const PORT: &[ThirdSeed] = &[
    open(
        "401MINOT",
        "MINOTERIE DE L'ELORN",
        InfoSeed {
            name: Some("MINOTERIE DE L'ELORN"),
            siren: Some("412345678"),
            ape: Some("1061A"),
            person_in_charge: Some("Hervé LE BRIS"),
            address_number: Some("4"),
            road: Some(9),
            address: Some("DU MOULIN"),
            postal_code: Some("29800"),
            city: Some("LANDERNEAU"),
            country: Some(78),
            contact: Some(("Gwenaëlle", "LE BRIS", "Comptable")),
            tel: Some("+33298000101"),
            email: Some("compta@minoterie-elorn.example"),
            contacts: &[
                (
                    "Yann",
                    "CORRE",
                    "Commercial",
                    "0612000102",
                    "yann.corre@minoterie-elorn.example",
                    2,
                ),
                (
                    "Soazig",
                    "LE BRIS",
                    "Livraisons",
                    "0612000103",
                    "livraison@minoterie-elorn.example",
                    1,
                ),
            ],
            ibans: &[(
                "FR",
                "13807000001234567890127",
                "CCBPFRPPBRT",
                "Banque Populaire Grand Ouest",
            )],
            payment: Some("VIRT"),
            deadline: Some(2),
            referent: Some("Anne LE GALL"),
            group: Some("Matières premières"),
            ..BLANK
        },
    ),
    open(
        "401LAIT",
        "LAITERIE DES MONTS D'ARRÉE",
        InfoSeed {
            name: Some("LAITERIE DES MONTS D'ARRÉE"),
            siren: Some("423456789"),
            ape: Some("1051C"),
            person_in_charge: Some("Éloïse KERVELLA"),
            address_number: Some("12"),
            repetition_index: Some("BIS"),
            road: Some(14),
            address: Some("DE BRASPARTS"),
            complement: Some("Zone artisanale de Kerlan"),
            postal_code: Some("29190"),
            city: Some("PLEYBEN"),
            country: Some(78),
            contact: Some(("Éloïse", "KERVELLA", "Gérante")),
            tel: Some("+33298000201"),
            tel2: Some("+33698000202"),
            email: Some("eloise@laiterie-arree.example"),
            contacts: &[(
                "Loïc",
                "GUÉGUEN",
                "Achats",
                "0698000203",
                "loic@laiterie-arree.example",
                1,
            )],
            ibans: &[("FR", "15589000009876543210987", "CMBRFR2BARK", "Crédit Mutuel de Bretagne")],
            payment: Some("PRLV"),
            deadline: Some(3),
            ..BLANK
        },
    ),
    open(
        "401EDF",
        "EDF ENTREPRISES",
        InfoSeed {
            name: Some("EDF ENTREPRISES"),
            siren: Some("552081317"),
            address_number: Some("22"),
            road: Some(2),
            address: Some("DE WAGRAM"),
            postal_code: Some("75008"),
            city: Some("PARIS"),
            payment: Some("PRLV"),
            ..BLANK
        },
    ),
    open(
        "401ORANGE",
        "ORANGE BUSINESS",
        InfoSeed { name: Some("ORANGE BUSINESS"), language: None, ..BLANK },
    ),
    open(
        "401ZURICH",
        "MÜHLE ZÜRICH AG",
        InfoSeed {
            name: Some("MÜHLE ZÜRICH AG"),
            is_foreign: true,
            address_number: Some("8"),
            address: Some("MÜHLESTRASSE"),
            postal_code: Some("8001"),
            city: Some("ZÜRICH"),
            country: Some(43),
            contact: Some(("Urs", "MEIER", "Export")),
            email: Some("export@muehle-zuerich.example"),
            ibans: &[("CH", "09000000123456789", "POFICHBEXXX", "PostFinance")],
            payment: Some("VIRT"),
            deadline: Some(4),
            language: Some(3),
            currency: Some("CHF"),
            ..BLANK
        },
    ),
    open(
        "401EMBAL",
        "EMBALLAGES ARMORICAINS",
        InfoSeed {
            name: Some("EMBALLAGES ARMORICAINS"),
            siren: Some("434567890"),
            address_number: Some("3"),
            road: Some(7),
            address: Some("DES PAPETIERS"),
            postal_code: Some("29000"),
            city: Some("QUIMPER"),
            payment: Some("CHQ"),
            deadline: Some(2),
            archived: true,
            comment: Some("Fournisseur remplacé en 2025"),
            ..BLANK
        },
    ),
    ThirdSeed {
        number: "401ANCIEN",
        label: "ANCIEN FOURNIL SARL",
        closed: true,
        info: Some(InfoSeed {
            name: Some("ANCIEN FOURNIL SARL"),
            siren: Some("445678901"),
            city: Some("MORLAIX"),
            ..BLANK
        }),
    },
    open(
        "411HOTEL",
        "HÔTEL DE LA MER",
        InfoSeed {
            name: Some("HÔTEL DE LA MER"),
            siren: Some("456789012"),
            ape: Some("5510Z"),
            person_in_charge: Some("Marc-Antoine PÉRON"),
            address_number: Some("1"),
            road: Some(12),
            address: Some("DE LA RECOUVRANCE"),
            postal_code: Some("29200"),
            city: Some("BREST"),
            country: Some(78),
            contact: Some(("Nolwenn", "PÉRON", "Directrice")),
            tel: Some("+33298000301"),
            email: Some("direction@hotel-de-la-mer.example"),
            contacts: &[
                (
                    "Paul",
                    "ABIVEN",
                    "Chef de cuisine",
                    "0611000302",
                    "cuisine@hotel-de-la-mer.example",
                    2,
                ),
                (
                    "Claire",
                    "TANGUY",
                    "Comptabilité",
                    "0611000303",
                    "compta@hotel-de-la-mer.example",
                    1,
                ),
                (
                    "Jean",
                    "MORIN",
                    "Réception",
                    "0611000304",
                    "reception@hotel-de-la-mer.example",
                    3,
                ),
            ],
            ibans: &[("FR", "30004000031234567890147", "BNPAFRPPBRE", "BNP Paribas Brest")],
            payment: Some("VIRT"),
            deadline: Some(3),
            referent: Some("Anne LE GALL"),
            group: Some("Hôtellerie"),
            ..BLANK
        },
    ),
    open(
        "411CREPE",
        "CRÊPERIE TI BREIZH",
        InfoSeed {
            name: Some("CRÊPERIE TI BREIZH"),
            firstname: Some("Maëlle"),
            lastname: Some("LE ROUX"),
            profession: Some("Crêpière"),
            ape: Some("5610A"),
            address_number: Some("7"),
            road: Some(9),
            address: Some("DE SIAM"),
            postal_code: Some("29200"),
            city: Some("BREST"),
            country: Some(78),
            tel: Some("+33298000401"),
            email: Some("tibreizh@creperie.example"),
            payment: Some("CHQ"),
            deadline: Some(1),
            ..BLANK
        },
    ),
    open(
        "411CANTINE",
        "MAIRIE DE BREST - CANTINES",
        InfoSeed {
            name: Some("MAIRIE DE BREST - CANTINES"),
            siren: Some("212900195"),
            postal_code: Some("29200"),
            city: Some("BREST"),
            payment: Some("VIRT"),
            deadline: Some(4),
            ..BLANK
        },
    ),
    open(
        "411EPICE",
        "ÉPICERIE FINE KERJEAN",
        InfoSeed {
            name: Some("ÉPICERIE FINE KERJEAN"),
            siren: Some("467890123"),
            address_number: Some("15"),
            road: Some(11),
            address: Some("GUÉRIN"),
            postal_code: Some("29200"),
            city: Some("BREST"),
            contact: Some(("Françoise", "KERJEAN", "Gérante")),
            email: Some("francoise@epicerie-kerjean.example"),
            payment: Some("CB"),
            ..BLANK
        },
    ),
    open(
        "411LONDON",
        "THE BRITISH BAKERY LTD",
        InfoSeed {
            name: Some("THE BRITISH BAKERY LTD"),
            is_foreign: true,
            address_number: Some("221"),
            address: Some("BAKER STREET"),
            postal_code: Some("NW1 6XE"),
            city: Some("LONDON"),
            country: Some(77),
            contact: Some(("Oliver", "SMITH", "Purchasing")),
            email: Some("oliver@britishbakery.example"),
            ibans: &[("GB", "NWBK60161331926819", "NWBKGB2L", "NatWest")],
            payment: Some("VIRT"),
            deadline: Some(2),
            language: Some(2),
            currency: Some("GBP"),
            ..BLANK
        },
    ),
    open(
        "411SALON",
        "SALON DE THÉ L'ÉCUME",
        InfoSeed {
            name: Some("SALON DE THÉ L'ÉCUME"),
            siren: Some("478901234"),
            city: Some("LE CONQUET"),
            payment: Some("CHQ"),
            archived: true,
            ..BLANK
        },
    ),
    ThirdSeed {
        number: "411BRASSE",
        label: "BRASSERIE DU PORT (FERMÉE)",
        closed: true,
        info: Some(InfoSeed {
            name: Some("BRASSERIE DU PORT"),
            siren: Some("489012345"),
            city: Some("BREST"),
            payment: Some("VIRT"),
            ..BLANK
        }),
    },
    ThirdSeed { number: "411DIVERS", label: "CLIENTS DIVERS", closed: false, info: None },
    open(
        "421LEGALL",
        "LE GALL ANNE",
        InfoSeed {
            firstname: Some("Anne"),
            lastname: Some("LE GALL"),
            profession: Some("Boulangère"),
            address_number: Some("9"),
            road: Some(9),
            address: Some("DE LYON"),
            postal_code: Some("29200"),
            city: Some("BREST"),
            country: Some(78),
            tel: Some("0612345601"),
            tel2: Some("0298765601"),
            email: Some("anne.legall@example.fr"),
            ibans: &[("FR", "14404000001111222233337", "AGRIFRPP844", "Crédit Agricole Finistère")],
            payment: Some("VIRT"),
            nir: Some("285032901912345"),
            ..BLANK
        },
    ),
    open(
        "421MORVAN",
        "MORVAN YANNICK",
        InfoSeed {
            firstname: Some("Yannick"),
            lastname: Some("MORVAN"),
            profession: Some("Pâtissier"),
            postal_code: Some("29280"),
            city: Some("PLOUZANÉ"),
            email: Some("yannick.morvan@example.fr"),
            payment: Some("VIRT"),
            nir: Some("190072923812345"),
            ..BLANK
        },
    ),
    open(
        "421QUERE",
        "QUÉRÉ MAËLLE",
        InfoSeed {
            firstname: Some("Maëlle"),
            lastname: Some("QUÉRÉ"),
            profession: Some("Vendeuse"),
            tel: Some("0612345603"),
            payment: Some("VIRT"),
            nir: Some("299112923854321"),
            ..BLANK
        },
    ),
];

const GARAGE: &[ThirdSeed] = &[
    open(
        "401PIECES",
        "AUTO PIÈCES DAUPHINÉ",
        InfoSeed {
            name: Some("AUTO PIÈCES DAUPHINÉ"),
            siren: Some("501234567"),
            ape: Some("4531Z"),
            person_in_charge: Some("Jérôme BERTHIER"),
            address_number: Some("45"),
            road: Some(2),
            address: Some("DE L'INDUSTRIE"),
            postal_code: Some("38100"),
            city: Some("GRENOBLE"),
            country: Some(78),
            contact: Some(("Sandrine", "BERTHIER", "Comptable")),
            tel: Some("+33476000101"),
            email: Some("compta@autopieces-dauphine.example"),
            contacts: &[
                (
                    "Thierry",
                    "ROLLAND",
                    "Magasin",
                    "0676000102",
                    "magasin@autopieces-dauphine.example",
                    2,
                ),
                (
                    "Inès",
                    "BENALI",
                    "Commerciale",
                    "0676000103",
                    "ines@autopieces-dauphine.example",
                    1,
                ),
            ],
            ibans: &[("FR", "10278000009876512345677", "CMCIFR2A", "Crédit Mutuel Grenoble")],
            payment: Some("VIRT"),
            deadline: Some(3),
            ..BLANK
        },
    ),
    open(
        "401PNEUS",
        "PNEUS DES ALPES",
        InfoSeed {
            name: Some("PNEUS DES ALPES"),
            siren: Some("512345678"),
            address_number: Some("2"),
            road: Some(4),
            address: Some("DU VERCORS"),
            postal_code: Some("38500"),
            city: Some("VOIRON"),
            contact: Some(("Rémi", "FAURE", "Gérant")),
            tel: Some("+33476000201"),
            payment: Some("LCR"),
            deadline: Some(2),
            ..BLANK
        },
    ),
    open(
        "401TOTAL",
        "TOTALENERGIES MARKETING",
        InfoSeed {
            name: Some("TOTALENERGIES MARKETING"),
            siren: Some("531680445"),
            city: Some("NANTERRE"),
            payment: Some("PRLV"),
            ..BLANK
        },
    ),
    open(
        "401DETROIT",
        "DETROIT TOOLS INC",
        InfoSeed {
            name: Some("DETROIT TOOLS INC"),
            is_foreign: true,
            address_number: Some("1200"),
            address: Some("WOODWARD AVENUE"),
            postal_code: Some("48226"),
            city: Some("DETROIT"),
            country: Some(187),
            contact: Some(("Mary", "JOHNSON", "Export sales")),
            email: Some("export@detroittools.example"),
            payment: Some("VIRT"),
            deadline: Some(4),
            language: Some(2),
            currency: Some("USD"),
            ..BLANK
        },
    ),
    open(
        "401HUILES",
        "LUBRIFIANTS SAVOYARDS",
        InfoSeed {
            name: Some("LUBRIFIANTS SAVOYARDS"),
            siren: Some("523456789"),
            city: Some("CHAMBÉRY"),
            payment: Some("CHQ"),
            archived: true,
            ..BLANK
        },
    ),
    open(
        "401GEDIMO",
        "GEDIMO OUTILLAGE",
        InfoSeed { name: Some("GEDIMO OUTILLAGE"), language: None, ..BLANK },
    ),
    ThirdSeed { number: "401FERME", label: "CARROSSERIE FERMÉE", closed: true, info: None },
    open(
        "411MARTIN",
        "MARTIN JULIEN",
        InfoSeed {
            firstname: Some("Julien"),
            lastname: Some("MARTIN"),
            address_number: Some("18"),
            road: Some(9),
            address: Some("DES ÉCOLES"),
            postal_code: Some("38500"),
            city: Some("VOIRON"),
            country: Some(78),
            tel: Some("0677000301"),
            email: Some("julien.martin@example.fr"),
            payment: Some("CB"),
            deadline: Some(1),
            ..BLANK
        },
    ),
    open(
        "411TAXIS",
        "TAXIS DU VOIRONNAIS",
        InfoSeed {
            name: Some("TAXIS DU VOIRONNAIS"),
            siren: Some("534567890"),
            ape: Some("4941A"),
            person_in_charge: Some("Karim HADDAD"),
            address_number: Some("6"),
            road: Some(11),
            address: Some("DE LA GARE"),
            postal_code: Some("38500"),
            city: Some("VOIRON"),
            country: Some(78),
            contact: Some(("Karim", "HADDAD", "Gérant")),
            tel: Some("+33476000401"),
            email: Some("contact@taxis-voironnais.example"),
            contacts: &[(
                "Lucie",
                "MOREL",
                "Planning",
                "0677000402",
                "planning@taxis-voironnais.example",
                1,
            )],
            ibans: &[(
                "FR",
                "16808000005555666677777",
                "CEPAFRPP382",
                "Caisse d'Épargne Rhône Alpes",
            )],
            payment: Some("VIRT"),
            deadline: Some(3),
            ..BLANK
        },
    ),
    open(
        "411COMMUNE",
        "COMMUNE DE VOIRON",
        InfoSeed {
            name: Some("COMMUNE DE VOIRON"),
            siren: Some("213805636"),
            city: Some("VOIRON"),
            payment: Some("VIRT"),
            deadline: Some(4),
            ..BLANK
        },
    ),
    open(
        "411LOCAUTO",
        "LOC'AUTO ISÈRE",
        InfoSeed {
            name: Some("LOC'AUTO ISÈRE"),
            siren: Some("545678901"),
            postal_code: Some("38000"),
            city: Some("GRENOBLE"),
            contact: Some(("Hélène", "CHAPUIS", "Flotte")),
            payment: Some("PRLV"),
            deadline: Some(2),
            ..BLANK
        },
    ),
    open(
        "411LEMAN",
        "GARAGE DU LÉMAN SA",
        InfoSeed {
            name: Some("GARAGE DU LÉMAN SA"),
            is_foreign: true,
            address_number: Some("3"),
            address: Some("RUE DU RHÔNE"),
            postal_code: Some("1204"),
            city: Some("GENÈVE"),
            country: Some(43),
            contact: Some(("Pierre", "FAVRE", "Directeur")),
            payment: Some("VIRT"),
            deadline: Some(2),
            currency: Some("CHF"),
            ..BLANK
        },
    ),
    open(
        "411ARCHIVE",
        "AMBULANCES DU GUIERS",
        InfoSeed {
            name: Some("AMBULANCES DU GUIERS"),
            city: Some("LES ÉCHELLES"),
            archived: true,
            ..BLANK
        },
    ),
    ThirdSeed {
        number: "411CLOS",
        label: "TRANSPORTS CHARTREUSE (CLOS)",
        closed: true,
        info: None,
    },
    ThirdSeed { number: "411DIVERS", label: "CLIENTS DIVERS", closed: false, info: None },
    open(
        "421BERTHET",
        "BERTHET LUC",
        InfoSeed {
            firstname: Some("Luc"),
            lastname: Some("BERTHET"),
            profession: Some("Mécanicien"),
            city: Some("VOIRON"),
            email: Some("luc.berthet@example.fr"),
            payment: Some("VIRT"),
            nir: Some("182053854512345"),
            ..BLANK
        },
    ),
    open(
        "421FAURE",
        "FAURE CÉLINE",
        InfoSeed {
            firstname: Some("Céline"),
            lastname: Some("FAURE"),
            profession: Some("Carrossière"),
            tel: Some("0677123402"),
            payment: Some("VIRT"),
            nir: Some("291093818554321"),
            ..BLANK
        },
    ),
    open(
        "421CHABERT",
        "CHABERT THÉO",
        InfoSeed {
            firstname: Some("Théo"),
            lastname: Some("CHABERT"),
            profession: Some("Apprenti mécanicien"),
            payment: Some("VIRT"),
            ..BLANK
        },
    ),
];

const VOLUME: &[ThirdSeed] = &[
    open(
        "401TRANSP",
        "TRANSPORTS RHODANIENS",
        InfoSeed {
            name: Some("TRANSPORTS RHODANIENS"),
            siren: Some("556789012"),
            city: Some("LYON"),
            payment: Some("VIRT"),
            deadline: Some(3),
            ..BLANK
        },
    ),
    open(
        "401ENERGIE",
        "ÉNERGIES DU RHÔNE",
        InfoSeed { name: Some("ÉNERGIES DU RHÔNE"), payment: Some("PRLV"), ..BLANK },
    ),
    open(
        "411GRANDIS",
        "GRANDE DISTRIBUTION LYONNAISE",
        InfoSeed {
            name: Some("GRANDE DISTRIBUTION LYONNAISE"),
            siren: Some("567890123"),
            city: Some("VILLEURBANNE"),
            payment: Some("VIRT"),
            deadline: Some(3),
            ..BLANK
        },
    ),
    open(
        "411EPICE",
        "ÉPICERIES RÉUNIES",
        InfoSeed { name: Some("ÉPICERIES RÉUNIES"), payment: Some("VIRT"), ..BLANK },
    ),
    open(
        "421DUMAS",
        "DUMAS PAUL",
        InfoSeed {
            firstname: Some("Paul"),
            lastname: Some("DUMAS"),
            profession: Some("Cariste"),
            payment: Some("VIRT"),
            ..BLANK
        },
    ),
];
