//! The simulated MyUnisoft data: folders with their fiscal years, journals, chart of accounts,
//! VAT and payment settings, analytics, bank accounts and entries. Plain data plus the business
//! rules of the write routes (one module per family); the wire shapes live in `routes/`.

pub(crate) mod accounts;
pub(crate) mod analytics;
pub(crate) mod banks;
pub(crate) mod catalog;
pub(crate) mod entries;
pub(crate) mod journals;
pub(crate) mod lettering;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::errors::{ApiError, ApiResult};

#[derive(Debug)]
pub(crate) struct World {
    pub(crate) folders: BTreeMap<i64, Folder>,
    pub(crate) ids: Ids,
    /// Tokens activated by `GET /key/info?mode=extended`.
    pub(crate) activated: BTreeSet<String>,
}

impl World {
    /// The folder; callers got its id from the `FolderId` extractor, which checked it exists.
    pub(crate) fn folder(&self, id: i64) -> ApiResult<&Folder> {
        self.folders.get(&id).ok_or_else(ApiError::no_access)
    }

    pub(crate) fn folder_mut(&mut self, id: i64) -> ApiResult<(&mut Folder, &mut Ids)> {
        let folder = self.folders.get_mut(&id).ok_or_else(ApiError::no_access)?;
        Ok((folder, &mut self.ids))
    }

    /// Volume tests: `count` more clients in `folder`; the folder's client count after.
    pub(crate) fn add_generated_clients(&mut self, folder: i64, count: u32) -> ApiResult<usize> {
        let (target, ids) = self.folder_mut(folder)?;
        let start = target.accounts.iter().filter(|a| a.number.starts_with("411G")).count();
        for n in start + 1..=start + count as usize {
            let info = accounts::InfoInput {
                name: Some(format!("CLIENT GENERE {n:05}")),
                email: Some(format!("client{n}@generated.example")),
                address: Some("DE LA REPUBLIQUE".into()),
                postal_code: Some("29200".into()),
                city: Some("BREST".into()),
                id_country: Some(78),
                ..accounts::InfoInput::default()
            };
            let input = accounts::AccountInput {
                account_number: Some(format!("411G{n:05}")),
                label: Some(format!("CLIENT GENERE {n:05}")),
                complementary_info: Some(info),
                ..accounts::AccountInput::default()
            };
            accounts::upsert(target, ids, input)?;
        }
        Ok(target.accounts.iter().filter(|a| a.number.starts_with("411")).count())
    }
}

/// Database sequences: every id is unique across folders, as in MyUnisoft.
#[derive(Debug)]
pub(crate) struct Ids {
    pub(crate) account: Seq,
    pub(crate) diary: Seq,
    pub(crate) entry: Seq,
    pub(crate) line: Seq,
    pub(crate) rib: Seq,
    pub(crate) axis: Seq,
    pub(crate) section: Seq,
    pub(crate) vat: Seq,
    pub(crate) payment: Seq,
    pub(crate) exercice: Seq,
    pub(crate) info: Seq,
    pub(crate) contact: Seq,
    pub(crate) iban: Seq,
    pub(crate) document: Seq,
}

impl Default for Ids {
    fn default() -> Self {
        Ids {
            account: Seq(1_180_200),
            diary: Seq(32_160),
            entry: Seq(51_000_200),
            line: Seq(153_000_800),
            rib: Seq(10_660),
            axis: Seq(410),
            section: Seq(9_050),
            vat: Seq(6_620),
            payment: Seq(11_090),
            exercice: Seq(9_020),
            info: Seq(5_500),
            document: Seq(880_000),
            contact: Seq(90),
            iban: Seq(300),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Seq(i64);

impl Seq {
    pub(crate) fn next(&mut self) -> i64 {
        self.0 += 1;
        self.0
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Folder {
    pub(crate) company: Company,
    pub(crate) exercices: Vec<Exercice>,
    pub(crate) max_third_party_len: usize,
    pub(crate) max_general_len: usize,
    pub(crate) diaries: Vec<Diary>,
    pub(crate) payment_types: Vec<PaymentType>,
    pub(crate) vat_params: Vec<VatParam>,
    pub(crate) accounts: Vec<Account>,
    pub(crate) axes: Vec<Axis>,
    pub(crate) sections: Vec<Section>,
    pub(crate) ribs: Vec<Rib>,
    /// Posted entries (`ENTRIES`).
    pub(crate) entries: Vec<Entry>,
    /// Entries awaiting validation (`ENTRIES_TEMP`).
    pub(crate) pending: Vec<Entry>,
    /// Movements of this folder's open exercise are generated on the fly (large-volume mode).
    pub(crate) generated: bool,
}

impl Folder {
    pub(crate) fn id(&self) -> i64 {
        self.company.id
    }

    pub(crate) fn account(&self, id: i64) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub(crate) fn account_by_number(&self, number: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.number == number)
    }

    pub(crate) fn diary(&self, id: i64) -> Option<&Diary> {
        self.diaries.iter().find(|d| d.id == id)
    }

    pub(crate) fn diary_by_code(&self, code: &str) -> Option<&Diary> {
        self.diaries.iter().find(|d| d.code == code)
    }

    pub(crate) fn payment_type(&self, id: i64) -> Option<&PaymentType> {
        self.payment_types.iter().find(|p| p.id == id)
    }

    pub(crate) fn vat_param(&self, id: i64) -> Option<&VatParam> {
        self.vat_params.iter().find(|v| v.id == id)
    }

    pub(crate) fn exercice(&self, id: i64) -> Option<&Exercice> {
        self.exercices.iter().find(|e| e.id == id)
    }

    pub(crate) fn exercice_at(&self, date: NaiveDate) -> Option<&Exercice> {
        self.exercices.iter().find(|e| e.start <= date && date <= e.end)
    }

    pub(crate) fn axis(&self, id: i64) -> Option<&Axis> {
        self.axes.iter().find(|a| a.id == id)
    }

    pub(crate) fn section(&self, id: i64) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Posted lines of entries dated within `[start, end]`, with their entry.
    pub(crate) fn posted_lines(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> impl Iterator<Item = (&Entry, &Line)> + '_ {
        self.entries
            .iter()
            .filter(move |e| start <= e.date && e.date <= end)
            .flat_map(|e| e.lines.iter().map(move |l| (e, l)))
    }

    /// Revenue (`ca`, classes 70x) and profit (`result`, classes 6 and 7) of a period.
    pub(crate) fn revenue_and_result(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> (Decimal, Decimal) {
        let mut revenue = Decimal::ZERO;
        let mut result = Decimal::ZERO;
        for (_, line) in self.posted_lines(start, end) {
            let Some(account) = self.account(line.account_id) else { continue };
            let net = line.credit - line.debit;
            if account.number.starts_with("70") {
                revenue += net;
            }
            if matches!(account.class(), 6 | 7) {
                result += net;
            }
        }
        (revenue, result)
    }

    /// Σ(debit − credit) per account over every posted entry, journals of type `OD_EXC` aside.
    pub(crate) fn balances(&self) -> HashMap<i64, Decimal> {
        let mut balances = HashMap::new();
        for entry in &self.entries {
            if self.diary(entry.diary_id).is_some_and(|d| d.type_code() == "OD_EXC") {
                continue;
            }
            for line in &entry.lines {
                *balances.entry(line.account_id).or_insert(Decimal::ZERO) +=
                    line.debit - line.credit;
            }
        }
        balances
    }

    /// Posted (`draft` false) or pending entries.
    pub(crate) fn entries_in(&self, draft: bool) -> &[Entry] {
        if draft {
            &self.pending
        } else {
            &self.entries
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Company {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) siret: Option<String>,
    pub(crate) ape_id: Option<i64>,
    pub(crate) legal_form: (i64, &'static str),
    pub(crate) address_number: Option<String>,
    pub(crate) road_type_id: Option<u8>,
    pub(crate) street_name: Option<String>,
    pub(crate) complement: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) country: String,
    pub(crate) insee: Option<String>,
    pub(crate) capital: Decimal,
    pub(crate) member_id: i64,
    pub(crate) folder_reference: Option<String>,
    pub(crate) analytics: bool,
    /// `(id, label, value)`, e.g. `(8, "Réel Normal Trimestrielle", "T")`.
    pub(crate) vat_regime: (i64, &'static str, &'static str),
    pub(crate) registration_date: NaiveDate,
    pub(crate) director: (&'static str, &'static str),
    pub(crate) rcs: (i64, &'static str),
}

#[derive(Debug, Clone)]
pub(crate) struct Exercice {
    pub(crate) id: i64,
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    pub(crate) closure: Option<Closure>,
}

#[derive(Debug, Clone)]
pub(crate) struct Closure {
    pub(crate) at: NaiveDate,
    /// The user who closed it: id, first name, last name.
    pub(crate) by: (i64, &'static str, &'static str),
}

impl Exercice {
    pub(crate) fn closed(&self) -> bool {
        self.closure.is_some()
    }

    pub(crate) fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Length in months (12 for a calendar year).
    pub(crate) fn duration(&self) -> i64 {
        use chrono::Datelike;
        let months = (self.end.year() - self.start.year()) * 12 + self.end.month() as i32
            - self.start.month() as i32
            + 1;
        i64::from(months)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Diary {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) type_id: Option<u8>,
    /// The counterpart account of bank and cash journals.
    pub(crate) account_id: Option<i64>,
    pub(crate) blocked: bool,
    pub(crate) closed: bool,
}

impl Diary {
    pub(crate) fn kind(&self) -> Option<&'static catalog::DiaryType> {
        self.type_id.and_then(catalog::diary_type)
    }

    pub(crate) fn type_code(&self) -> &'static str {
        self.kind().map_or("", |t| t.code)
    }

    /// `"15 - JOURNAL BANQUE"`.
    pub(crate) fn long_label(&self) -> String {
        format!("{} - {}", self.code, self.name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PaymentType {
    pub(crate) id: i64,
    pub(crate) name: &'static str,
    pub(crate) code: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct VatParam {
    pub(crate) id: i64,
    pub(crate) code: &'static str,
    pub(crate) deductible: Option<i64>,
    pub(crate) collected: Option<i64>,
    pub(crate) rate_id: u8,
    pub(crate) type_id: u8,
    pub(crate) exigibility_id: u8,
    pub(crate) blocked: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Account {
    pub(crate) id: i64,
    pub(crate) number: String,
    pub(crate) label: String,
    pub(crate) closed: bool,
    pub(crate) blocked: bool,
    pub(crate) intraco: bool,
    pub(crate) btp_autoliquidation: bool,
    pub(crate) presta: bool,
    pub(crate) exoneration: bool,
    pub(crate) das_2: bool,
    pub(crate) analytics: bool,
    pub(crate) provider: bool,
    pub(crate) vat_param_id: Option<i64>,
    pub(crate) counterpart_id: Option<i64>,
    pub(crate) comment: Option<String>,
    /// Complementary information (third-party accounts).
    pub(crate) info: Option<ThirdInfo>,
}

/// The three roots of auxiliary (third-party) accounts.
pub(crate) const THIRD_PARTY_ROOTS: [&str; 3] = ["401", "411", "421"];

impl Account {
    /// Suppliers and customers (roots 40 and 41) carry a MAD `company`.
    pub(crate) fn is_company(&self) -> bool {
        self.number.starts_with("40") || self.number.starts_with("41")
    }

    pub(crate) fn is_employee(&self) -> bool {
        self.number.starts_with("421")
    }

    /// The PCG class (first digit).
    pub(crate) fn class(&self) -> u8 {
        self.number.bytes().next().map_or(0, |b| b.wrapping_sub(b'0'))
    }
}

pub(crate) fn is_third_party_number(number: &str) -> bool {
    THIRD_PARTY_ROOTS.iter().any(|root| number.starts_with(root))
}

/// `complementary_informations` of an account, stored in the read shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ThirdInfo {
    pub(crate) id: i64,
    pub(crate) name: Option<String>,
    pub(crate) siren: Option<String>,
    pub(crate) ape_id: Option<i64>,
    pub(crate) is_foreign: bool,
    pub(crate) person_in_charge: Option<String>,
    pub(crate) profession: Option<String>,
    pub(crate) firstname: Option<String>,
    pub(crate) lastname: Option<String>,
    pub(crate) address_number: Option<String>,
    pub(crate) repetition_index: Option<String>,
    pub(crate) road_type_id: Option<u8>,
    pub(crate) address: Option<String>,
    pub(crate) address_complement: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) country_id: Option<i64>,
    pub(crate) contact_firstname: Option<String>,
    pub(crate) contact_lastname: Option<String>,
    pub(crate) function: Option<String>,
    pub(crate) tel: Option<String>,
    pub(crate) tel2: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) ibans: Vec<Iban>,
    pub(crate) payment_type_id: Option<i64>,
    pub(crate) payment_deadline_id: Option<u8>,
    pub(crate) comment: Option<String>,
    pub(crate) language_id: Option<u16>,
    pub(crate) doubtful_id: Option<i64>,
    pub(crate) referent: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) archived: bool,
    /// Social-security number (employees, MAD only).
    pub(crate) nir: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Contact {
    pub(crate) id: i64,
    pub(crate) firstname: String,
    pub(crate) lastname: String,
    pub(crate) function: String,
    pub(crate) tel1: String,
    pub(crate) tel2: String,
    pub(crate) email: String,
    pub(crate) order: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Iban {
    pub(crate) id: i64,
    pub(crate) iban: String,
    pub(crate) bic: String,
    pub(crate) rum: String,
    pub(crate) rum_signed: Option<String>,
    pub(crate) bank: String,
    pub(crate) first_direct_debit: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) default_section: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub(crate) id: i64,
    pub(crate) axis_id: i64,
    pub(crate) code: String,
    pub(crate) label: String,
    /// Account filter, e.g. `"601;602;-601A"`.
    pub(crate) account: Option<String>,
    pub(crate) closed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Rib {
    pub(crate) id: i64,
    pub(crate) diary_id: i64,
    pub(crate) start_date: Option<NaiveDate>,
    pub(crate) owner: String,
    /// Compact (no spaces), upper case.
    pub(crate) iban: String,
    pub(crate) bic: String,
    pub(crate) is_default: bool,
    pub(crate) label: Option<String>,
    pub(crate) banking_integration: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: i64,
    pub(crate) diary_id: i64,
    pub(crate) date: NaiveDate,
    pub(crate) period: Option<(NaiveDate, NaiveDate)>,
    pub(crate) partner_id: Option<String>,
    pub(crate) json: Option<String>,
    pub(crate) comment: Option<String>,
    /// Source code (`API`, `E`, `IB`, `P`, `AN`, `O`…).
    pub(crate) source: &'static str,
    /// Unix seconds of creation in MyUnisoft.
    pub(crate) created_at: i64,
    pub(crate) accounted_at: NaiveDate,
    /// Attached documents (the JSON import's `pj_list`, `POST /document/add_all_types`).
    pub(crate) attachments: Vec<Document>,
    pub(crate) lines: Vec<Line>,
}

impl Entry {
    /// The due date of the entry: its latest line deadline.
    pub(crate) fn due_date(&self) -> Option<NaiveDate> {
        self.lines.iter().filter_map(|l| l.deadline).max()
    }

    /// The foreign currency of the entry (its first line in a currency) and its rate in units
    /// per euro, as MAD's `currency {code, rate}`.
    pub(crate) fn currency(&self) -> Option<(&str, Option<Decimal>)> {
        let line = self.lines.iter().find(|l| l.currency.is_some())?;
        let (code, foreign) = line.currency.as_ref()?;
        let eur = line.debit + line.credit;
        let rate = (!eur.is_zero()).then(|| (*foreign / eur).round_dp(4));
        Some((code.as_str(), rate))
    }
}

/// A document attached to an entry; `id` is unique across the sandbox.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) mime: String,
    pub(crate) content: Vec<u8>,
    /// Where MAD entries say the document is, when not at its GED download path.
    pub(crate) link: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) label: String,
    pub(crate) debit: Decimal,
    pub(crate) credit: Decimal,
    pub(crate) deadline: Option<NaiveDate>,
    pub(crate) piece: Option<String>,
    pub(crate) piece2: Option<String>,
    /// ISO currency and the amount in that currency (`value_currency`).
    pub(crate) currency: Option<(String, Decimal)>,
    pub(crate) payment_type_id: Option<i64>,
    pub(crate) analytics: Vec<LineAxis>,
    pub(crate) lettering: Option<Lettering>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineAxis {
    pub(crate) axis_id: i64,
    pub(crate) sections: Vec<LineSection>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineSection {
    pub(crate) section_id: i64,
    pub(crate) rate: Decimal,
    pub(crate) amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lettering {
    pub(crate) code: String,
    /// The lettered lines do not net to zero.
    pub(crate) partial: bool,
}
