//! The JSON entry import (`POST /entry?type=e` → `ENTRIES`, `POST /entry/temp?type=o` →
//! `ENTRIES_TEMP`) with every documented rule, and the validation of a pending entry, which
//! gives it a new entry id (and new line ids) while its partner id stays.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Document, Entry, Folder, Ids, Line, LineAxis, LineSection, World};
use crate::dates;
use crate::errors::{ApiError, ApiResult};

/// Where an imported entry goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    /// `ENTRIES`: posted.
    Posted,
    /// `ENTRIES_TEMP`: awaiting validation by the firm.
    Pending,
}

impl Location {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Location::Posted => "ENTRIES",
            Location::Pending => "ENTRIES_TEMP",
        }
    }
}

/// `NewEntry`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewEntry {
    pub(crate) entry_list: Option<Vec<NewLine>>,
    pub(crate) date_piece: Option<String>,
    pub(crate) period_from: Option<String>,
    pub(crate) period_to: Option<String>,
    pub(crate) etablissement_id: Option<i64>,
    pub(crate) diary_id: Option<i64>,
    pub(crate) pj_list: Option<Vec<Attachment>>,
    pub(crate) entry_origin_partner_id: Option<String>,
    pub(crate) json: Option<String>,
    pub(crate) comment: Option<Comment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Comment {
    pub(crate) content: String,
}

/// `PJ`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Attachment {
    pub(crate) content: String,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) mime: String,
}

/// `NewEntryLine`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewLine {
    pub(crate) account_id: Option<i64>,
    pub(crate) label: Option<String>,
    #[serde(default, with = "formats::amount::option")]
    pub(crate) debit: Option<Decimal>,
    #[serde(default, with = "formats::amount::option")]
    pub(crate) credit: Option<Decimal>,
    pub(crate) deadline: Option<String>,
    pub(crate) piece: Option<String>,
    pub(crate) piece2: Option<String>,
    pub(crate) currency: Option<String>,
    #[serde(default, with = "formats::amount::option")]
    pub(crate) value_currency: Option<Decimal>,
    pub(crate) payment_type_id: Option<i64>,
    pub(crate) analytique: Option<Vec<AnalyticInput>>,
    pub(crate) pj_list: Option<Vec<Attachment>>,
    pub(crate) lettrage: Option<String>,
}

/// `AnalyticRepartition` (the guide's `code_axe`/`label_axe` spelling is accepted too).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnalyticInput {
    pub(crate) id_axe: i64,
    #[serde(rename = "code", alias = "code_axe")]
    _code: String,
    #[serde(rename = "label", alias = "label_axe")]
    _label: String,
    pub(crate) repartition: Vec<RepartitionInput>,
}

/// `RepartitionInfo` (or `code_section`, `label_section`, `taux`, `montant`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepartitionInput {
    pub(crate) id_section: i64,
    #[serde(rename = "code", alias = "code_section")]
    _code: String,
    #[serde(rename = "label", alias = "label_section")]
    _label: String,
    #[serde(alias = "taux", with = "formats::amount")]
    pub(crate) rate: Decimal,
    #[serde(alias = "montant", with = "formats::amount")]
    pub(crate) amount: Decimal,
}

const MIME_TYPES: [&str; 18] = [
    "image/gif",
    "image/jpeg",
    "image/pjpeg",
    "image/jpg",
    "image/bmp",
    "image/png",
    "image/x-png",
    "image/tiff",
    "image/tif",
    "application/pdf",
    "application/vnd.ms-excel",
    "application/msword",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
];

fn invalid(why: impl std::fmt::Display) -> ApiError {
    ApiError::rule("ECR4", format!("L'écriture est invalide : {why}"))
}

/// Checks `entry` against the folder and stores it. Returns the new entry id.
pub(crate) fn import(
    folder: &mut Folder,
    ids: &mut Ids,
    entry: NewEntry,
    location: Location,
    now: i64,
) -> ApiResult<i64> {
    let checked = check(folder, entry, location)?;
    let mut stored = Entry {
        id: ids.entry.next(),
        lines: checked.lines.into_iter().map(|l| Line { id: ids.line.next(), ..l }).collect(),
        created_at: now,
        ..checked.entry
    };
    for document in &mut stored.attachments {
        document.id = ids.document.next();
    }
    let id = stored.id;
    match location {
        Location::Posted => folder.entries.push(stored),
        Location::Pending => folder.pending.push(stored),
    }
    Ok(id)
}

struct Checked {
    entry: Entry,
    lines: Vec<Line>,
}

fn check(folder: &Folder, entry: NewEntry, location: Location) -> ApiResult<Checked> {
    let lines = match entry.entry_list {
        None => return Err(ApiError::rule("ECR39", "Aucune écriture n'a été fournie")),
        Some(lines) if lines.is_empty() => {
            return Err(ApiError::rule("ECR43", "La liste d'écriture est vide"))
        }
        Some(lines) => lines,
    };
    let date = entry.date_piece.as_deref().ok_or_else(|| invalid("date_piece est obligatoire"))?;
    let date = dates::parse_iso(date)
        .ok_or_else(|| ApiError::rule("ECR6", "La date pièce est invalide."))?;
    let establishment =
        entry.etablissement_id.ok_or_else(|| invalid("etablissement_id est obligatoire"))?;
    if establishment != folder.id() {
        return Err(ApiError::rule("ECR48", "L'etablissement ne correspond pas"));
    }
    let period = period(entry.period_from.as_deref(), entry.period_to.as_deref())?;
    let diary_id = entry.diary_id.ok_or_else(|| invalid("diary_id est obligatoire"))?;
    let attachments = check_attachments(entry.pj_list.as_deref())?;
    if let Some(partner_id) = entry.entry_origin_partner_id.as_deref() {
        let taken = folder
            .entries
            .iter()
            .chain(&folder.pending)
            .any(|e| e.partner_id.as_deref() == Some(partner_id));
        if taken {
            return Err(ApiError::rule("GBL6", "Cet élément existe déjà."));
        }
    }

    let mut checked_lines = Vec::with_capacity(lines.len());
    let mut line_attachments = Vec::new();
    for line in lines {
        line_attachments.extend(check_attachments(line.pj_list.as_deref())?);
        checked_lines.push(check_line(folder, line, date)?);
    }
    check_balance(&checked_lines, location)?;
    check_journal(folder, diary_id, &checked_lines)?;
    match folder.exercice_at(date) {
        None => {
            return Err(ApiError::rule(
                "ECR10",
                "La date de l'écriture n'appartient à aucun exercice.",
            ))
        }
        Some(e) if e.closed() => {
            return Err(ApiError::rule("ECR9", "Impossible de saisir dans un exercice cloturé."))
        }
        Some(_) => {}
    }

    let entry = Entry {
        id: 0,
        diary_id,
        date,
        period,
        partner_id: entry.entry_origin_partner_id,
        json: entry.json,
        comment: entry.comment.map(|c| c.content),
        source: "API",
        created_at: 0,
        accounted_at: date,
        attachments: attachments.into_iter().chain(line_attachments).collect(),
        lines: Vec::new(),
    };
    Ok(Checked { entry, lines: checked_lines })
}

fn period(from: Option<&str>, to: Option<&str>) -> ApiResult<Option<(NaiveDate, NaiveDate)>> {
    let from = from
        .map(|d| {
            dates::parse_iso(d)
                .ok_or_else(|| ApiError::rule("ECR5", "La date de début de période est invalide."))
        })
        .transpose()?;
    let to = to
        .map(|d| {
            dates::parse_iso(d)
                .ok_or_else(|| ApiError::rule("ECR7", "La date de fin de période est invalide."))
        })
        .transpose()?;
    match (from, to) {
        (Some(from), Some(to)) if from > to => {
            Err(ApiError::rule("DATE3", "Date debut > date fin"))
        }
        (Some(from), Some(to)) => Ok(Some((from, to))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::rule("ECR7", "La date de fin de période est invalide.")),
        (None, Some(_)) => Err(ApiError::rule("ECR5", "La date de début de période est invalide.")),
    }
}

/// The largest document MyUnisoft takes.
pub(crate) const MAX_DOCUMENT: usize = 50 << 20;

fn check_attachments(list: Option<&[Attachment]>) -> ApiResult<Vec<Document>> {
    use base64::Engine;
    let mut documents = Vec::new();
    for pj in list.unwrap_or_default() {
        if pj.name.chars().count() > 50 {
            return Err(ApiError::rule("GBL5", "Le champ name ne peut excéder 50 caractères"));
        }
        if !MIME_TYPES.contains(&pj.mime.as_str()) {
            return Err(ApiError::rule("DOCUMENT11", "Le type de document n'est pas autorisé"));
        }
        if pj.content.is_empty() {
            return Err(invalid("pj_list.content est vide"));
        }
        let content = base64::engine::general_purpose::STANDARD
            .decode(pj.content.as_bytes())
            .map_err(|_| invalid("pj_list.content n'est pas du base64"))?;
        if content.len() > MAX_DOCUMENT {
            return Err(invalid("le document dépasse 50 Mo"));
        }
        documents.push(Document {
            id: 0,
            name: pj.name.clone(),
            mime: pj.mime.clone(),
            content,
            link: None,
        });
    }
    Ok(documents)
}

/// `^[a-zA-Z0-9]{1,25}$` (piece, piece2).
fn reference_ok(value: &str) -> bool {
    (1..=25).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn check_line(folder: &Folder, line: NewLine, date: NaiveDate) -> ApiResult<Line> {
    let account_id = line.account_id.ok_or_else(|| invalid("account_id est obligatoire"))?;
    let label = line.label.as_deref().map(str::trim).unwrap_or("");
    if label.is_empty() || label.chars().count() > 50 {
        return Err(ApiError::rule("ECR42", "Impossible d'avoir un label vide"));
    }
    let deadline = line_deadline(&line, date)?;
    let (debit, credit) = line_amounts(&line)?;
    check_line_references(&line)?;
    let account = folder
        .account(account_id)
        .ok_or_else(|| ApiError::rule("COMPTE2", "Le compte n'existe pas."))?;
    if account.closed {
        return Err(ApiError::rule("COMPTE32", format!("Le compte {} est fermé", account.number)));
    }
    let currency = line_currency(&line)?;
    let payment_type_id = line_payment_type(folder, line.payment_type_id)?;
    let amount = debit + credit;
    let analytics = match line.analytique {
        Some(axes) if !axes.is_empty() => check_analytics(folder, account, axes, amount)?,
        _ => Vec::new(),
    };
    Ok(Line {
        id: 0,
        account_id,
        label: label.to_owned(),
        debit,
        credit,
        deadline: Some(deadline),
        piece: line.piece,
        piece2: line.piece2,
        currency,
        payment_type_id,
        analytics,
        lettering: None,
    })
}

/// The line's deadline: an ISO date, not before the entry's date.
fn line_deadline(line: &NewLine, date: NaiveDate) -> ApiResult<NaiveDate> {
    let deadline = line.deadline.as_deref().ok_or_else(|| invalid("deadline est obligatoire"))?;
    let deadline =
        dates::parse_iso(deadline).ok_or_else(|| ApiError::rule("GBL2", "Date saisie invalide"))?;
    if deadline < date {
        return Err(ApiError::rule(
            "DEADLINE1",
            "Vous ne pouvez pas saisir une date inférieur à la date de l'écheance.",
        ));
    }
    Ok(deadline)
}

/// The line's debit and credit: in cents, not negative, exactly one of them non-zero.
fn line_amounts(line: &NewLine) -> ApiResult<(Decimal, Decimal)> {
    let debit = line.debit.ok_or_else(|| invalid("debit est obligatoire"))?;
    let credit = line.credit.ok_or_else(|| invalid("credit est obligatoire"))?;
    let cents = |d: Decimal| d.normalize().scale() <= 2;
    if debit < Decimal::ZERO || credit < Decimal::ZERO || !cents(debit) || !cents(credit) {
        return Err(ApiError::rule("ECR2", "Les valeurs débit et crédit sont invalides."));
    }
    if !debit.is_zero() && !credit.is_zero() {
        return Err(ApiError::rule(
            "ECR27",
            "Impossible de renseigner une valeur au débit et au crédit.",
        ));
    }
    if debit.is_zero() && credit.is_zero() {
        return Err(ApiError::rule("ECR2", "Les valeurs débit et crédit sont invalides."));
    }
    Ok((debit, credit))
}

/// The line's pieces (alphanumeric, 25 at most) and lettering code (1 to 3 letters).
fn check_line_references(line: &NewLine) -> ApiResult<()> {
    for (name, value) in [("piece", &line.piece), ("piece2", &line.piece2)] {
        if value.as_deref().is_some_and(|v| !reference_ok(v)) {
            return Err(invalid(format!(
                "{name} doit être alphanumérique (25 caractères maximum)"
            )));
        }
    }
    if let Some(code) = line.lettrage.as_deref() {
        if !(1..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(invalid("lettrage doit comporter de 1 à 3 lettres"));
        }
    }
    Ok(())
}

/// The line's foreign currency and its positive amount in it; `None` in euros.
fn line_currency(line: &NewLine) -> ApiResult<Option<(String, Decimal)>> {
    match (line.currency.as_deref().map(str::trim), line.value_currency) {
        (None | Some("EUR"), _) => Ok(None),
        (Some(code), Some(value))
            if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            if value <= Decimal::ZERO {
                return Err(invalid("value_currency doit être positif"));
            }
            Ok(Some((code.to_owned(), value)))
        }
        (Some(code), None) if code.len() == 3 => {
            Err(invalid("value_currency est obligatoire avec une devise"))
        }
        (Some(_), _) => Err(invalid("currency doit être un code ISO 4217")),
    }
}

/// The line's payment type, one of the company's (`-1` for none).
fn line_payment_type(folder: &Folder, payment_type_id: Option<i64>) -> ApiResult<Option<i64>> {
    match payment_type_id {
        None | Some(-1) => Ok(None),
        Some(id) if folder.payment_type(id).is_some() => Ok(Some(id)),
        Some(_) => {
            Err(ApiError::rule("TYPEPAY1", "Le type de paiement n'appartient pas à la société"))
        }
    }
}

fn check_analytics(
    folder: &Folder,
    account: &super::Account,
    axes: Vec<AnalyticInput>,
    amount: Decimal,
) -> ApiResult<Vec<LineAxis>> {
    if !folder.company.analytics {
        return Err(ApiError::rule("ANALYT005", "La société n'a pas l'analytique d'activé"));
    }
    if !matches!(account.class(), 6 | 7) {
        return Err(ApiError::rule(
            "ANALYT003",
            "Interdit de ventiler de l'analytique sur un autre compte que le 6 et 7",
        ));
    }
    if !account.analytics {
        return Err(ApiError::rule("ANALYT006", "Le compte n'a pas l'analytique d'activé"));
    }
    let mut out = Vec::with_capacity(axes.len());
    for axis in axes {
        folder.axis(axis.id_axe).ok_or_else(|| super::analytics::axis_missing(axis.id_axe))?;
        let mut sections = Vec::with_capacity(axis.repartition.len());
        for r in axis.repartition {
            let section = folder.section(r.id_section).filter(|s| s.axis_id == axis.id_axe);
            section.ok_or_else(|| super::analytics::section_missing(r.id_section))?;
            sections.push(LineSection { section_id: r.id_section, rate: r.rate, amount: r.amount });
        }
        let total: Decimal = sections.iter().map(|s| s.amount).sum();
        if total != amount {
            return Err(ApiError::rule(
                "ANALYT004",
                "La ventilation analytique ne correspond pas avec le montant de la ligne d'écriture correspondante",
            ));
        }
        out.push(LineAxis { axis_id: axis.id_axe, sections });
    }
    Ok(out)
}

fn check_balance(lines: &[Line], location: Location) -> ApiResult<()> {
    let debit: Decimal = lines.iter().map(|l| l.debit).sum();
    let credit: Decimal = lines.iter().map(|l| l.credit).sum();
    if debit == credit {
        return Ok(());
    }
    Err(match location {
        Location::Posted => ApiError::rule(
            "ECR1",
            "Impossible de valider une écriture possédant un total débit différent du total crédit",
        ),
        Location::Pending => ApiError::rule("ECR14", "Ecriture déséquilibrée"),
    })
}

/// The journal exists, is open and typed, is not an opening journal, and accepts the accounts:
/// no 41x in purchases, no 40x in sales, a 51x/54x in bank entries, a 53x in cash entries.
fn check_journal(folder: &Folder, diary_id: i64, lines: &[Line]) -> ApiResult<()> {
    let diary = folder
        .diary(diary_id)
        .ok_or_else(|| ApiError::rule("JOURNAL3", "Le journal est invalide."))?;
    if diary.closed {
        return Err(ApiError::rule(
            "JOURNAL2",
            "Impossible d'ajouter une écriture dans un journal clôturé",
        ));
    }
    let Some(kind) = diary.kind() else {
        return Err(ApiError::rule(
            "JOURNAL9",
            "Impossible de saisir dans un journal qui n'a pas de type",
        ));
    };
    let numbers: Vec<&str> = lines
        .iter()
        .filter_map(|l| folder.account(l.account_id))
        .map(|a| a.number.as_str())
        .collect();
    let forbidden = |root: &str, journal: &str| -> ApiResult<()> {
        match numbers.iter().find(|n| n.starts_with(root)) {
            Some(n) => {
                Err(invalid(format!("le compte {n} n'est pas autorisé dans un journal {journal}")))
            }
            None => Ok(()),
        }
    };
    match kind.code {
        "AN" => Err(ApiError::rule(
            "JOURNAL13",
            "Impossible d'envoyer une écriture dans un journal de type \"À-Nouveaux\"",
        )),
        "ACH" => forbidden("41", "d'achats"),
        "VTE" => forbidden("40", "de ventes"),
        "BQ" if !numbers.iter().any(|n| n.starts_with("51") || n.starts_with("54")) => {
            Err(ApiError::rule(
                "ECR36",
                "Une écriture d'un journal de banque sans compte 51/54 ne peut être validée.",
            ))
        }
        "CAISSE" if !numbers.iter().any(|n| n.starts_with("53")) => Err(ApiError::rule(
            "ECR37",
            "Une écriture d'un journal de caisse sans compte 53 ne peut être validée.",
        )),
        _ => Ok(()),
    }
}

impl World {
    /// Moves a pending entry to the posted ones with a new entry id and new line ids.
    pub(crate) fn validate_pending(&mut self, folder: i64, entry_id: i64) -> Option<i64> {
        let folder = self.folders.get_mut(&folder)?;
        let index = folder.pending.iter().position(|e| e.id == entry_id)?;
        let mut entry = folder.pending.remove(index);
        entry.id = self.ids.entry.next();
        for line in &mut entry.lines {
            line.id = self.ids.line.next();
            line.lettering = None;
        }
        let id = entry.id;
        folder.entries.push(entry);
        Some(id)
    }

    /// Deletes an entry, posted or pending; `false` when the folder has no such entry.
    pub(crate) fn delete_entry(&mut self, folder: i64, entry_id: i64) -> bool {
        let Some(folder) = self.folders.get_mut(&folder) else { return false };
        let before = folder.entries.len() + folder.pending.len();
        folder.entries.retain(|e| e.id != entry_id);
        folder.pending.retain(|e| e.id != entry_id);
        folder.entries.len() + folder.pending.len() < before
    }
}

/// Where a partner id (`entry_origin_partner_id`) currently lives.
pub(crate) fn locate_partner_id<'a>(
    folder: &'a Folder,
    partner_id: &str,
) -> Option<(&'a Entry, Location)> {
    let posted = folder.entries.iter().find(|e| e.partner_id.as_deref() == Some(partner_id));
    let pending = || folder.pending.iter().find(|e| e.partner_id.as_deref() == Some(partner_id));
    posted.map(|e| (e, Location::Posted)).or_else(|| pending().map(|e| (e, Location::Pending)))
}

/// The MIME type of a file name MyUnisoft takes as a document.
fn mime_of(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    let mime = match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "txt" => "text/plain",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => return None,
    };
    Some(mime)
}

/// `POST /document/add_all_types`: `content` attached to entry `entry_id` of `location`.
pub(crate) fn attach(
    folder: &mut Folder,
    ids: &mut Ids,
    location: Location,
    entry_id: i64,
    name: &str,
    content: Vec<u8>,
) -> ApiResult<i64> {
    let mime = mime_of(name)
        .ok_or_else(|| ApiError::rule("DOCUMENT11", "Le type de document n'est pas autorisé"))?;
    if content.is_empty() || content.len() > MAX_DOCUMENT {
        return Err(invalid("le document est vide ou dépasse 50 Mo"));
    }
    let entries =
        if location == Location::Pending { &mut folder.pending } else { &mut folder.entries };
    let entry = entries
        .iter_mut()
        .find(|e| e.id == entry_id)
        .ok_or_else(|| ApiError::not_found("Écriture"))?;
    let id = ids.document.next();
    entry.attachments.push(Document {
        id,
        name: name.to_owned(),
        mime: mime.into(),
        content,
        link: None,
    });
    Ok(id)
}

/// A document by id, in any folder.
pub(crate) fn document(world: &World, id: i64) -> Option<&Document> {
    world
        .folders
        .values()
        .flat_map(|f| f.entries.iter().chain(&f.pending))
        .flat_map(|e| &e.attachments)
        .find(|d| d.id == id)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::seed;

    struct Port {
        world: World,
    }

    impl Port {
        fn new() -> Self {
            Port { world: seed::world() }
        }

        fn account(&self, number: &str) -> i64 {
            self.world.folders[&4821].account_by_number(number).unwrap().id
        }

        fn diary(&self, code: &str) -> i64 {
            self.world.folders[&4821].diary_by_code(code).unwrap().id
        }

        /// A balanced sale of 120 (100 + 20 VAT) in journal 02 on 2026-03-10.
        fn sale(&self) -> Value {
            json!({
                "date_piece": "2026-03-10", "etablissement_id": 4821, "diary_id": self.diary("02"),
                "entry_origin_partner_id": "test-sale-1",
                "entry_list": [
                    {"account_id": self.account("411HOTEL"), "label": "HOTEL", "debit": 120, "credit": 0, "deadline": "2026-04-10", "piece2": "F2026TEST"},
                    {"account_id": self.account("706000"), "label": "HOTEL", "debit": 0, "credit": 100, "deadline": "2026-03-10"},
                    {"account_id": self.account("445712"), "label": "HOTEL TVA", "debit": 0, "credit": 20, "deadline": "2026-03-10"}
                ]
            })
        }

        fn import(&mut self, body: Value, location: Location) -> ApiResult<i64> {
            let entry: NewEntry = serde_json::from_value(body).unwrap();
            let (folder, ids) = self.world.folder_mut(4821).unwrap();
            import(folder, ids, entry, location, 1_772_000_000)
        }

        fn code(&mut self, body: Value) -> &'static str {
            self.import(body, Location::Posted).unwrap_err().code
        }
    }

    #[test]
    fn a_valid_entry_is_posted_with_fresh_ids() {
        let mut port = Port::new();
        let sale = port.sale();
        let id = port.import(sale, Location::Posted).unwrap();
        let entry = port.world.folders[&4821].entries.iter().find(|e| e.id == id).unwrap();
        assert_eq!(entry.lines.len(), 3);
        assert_eq!(entry.source, "API");
        assert!(entry.lines.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(port.code(port.sale()), "GBL6", "the partner id is unique");
    }

    #[test]
    fn amounts_must_balance_and_use_one_side() {
        let mut port = Port::new();
        let mut body = port.sale();
        body["entry_list"][1]["credit"] = json!(99.99);
        assert_eq!(port.code(body.clone()), "ECR1");
        assert_eq!(port.import(body, Location::Pending).unwrap_err().code, "ECR14");
        let mut both = port.sale();
        both["entry_list"][1]["debit"] = json!(5);
        assert_eq!(port.code(both), "ECR27");
        let mut none = port.sale();
        none["entry_list"][1]["credit"] = json!(0);
        assert_eq!(port.code(none), "ECR2");
        let mut negative = port.sale();
        negative["entry_list"][1]["credit"] = json!(-100);
        assert_eq!(port.code(negative), "ECR2");
    }

    #[test]
    fn lines_are_checked_one_by_one() {
        let mut port = Port::new();
        let cases: [(&str, Value, &str); 8] = [
            ("label", json!(""), "ECR42"),
            ("label", json!("x".repeat(51)), "ECR42"),
            ("deadline", json!("2026-03-09"), "DEADLINE1"),
            ("piece2", json!("F-2026/1"), "ECR4"),
            ("piece", json!("A".repeat(26)), "ECR4"),
            ("account_id", json!(1), "COMPTE2"),
            ("account_id", json!(port.account("618500")), "COMPTE32"),
            ("payment_type_id", json!(1), "TYPEPAY1"),
        ];
        for (field, value, code) in cases {
            let mut body = port.sale();
            body["entry_list"][0][field] = value;
            assert_eq!(port.code(body), code, "{field}");
        }
    }

    #[test]
    fn the_date_must_fall_in_an_open_fiscal_year() {
        let mut port = Port::new();
        let at = |date: &str, port: &Port| {
            let mut body = port.sale();
            body["date_piece"] = json!(date);
            for line in body["entry_list"].as_array_mut().unwrap() {
                line["deadline"] = json!(date);
            }
            body
        };
        assert_eq!(port.code(at("2025-06-01", &port)), "ECR9");
        assert_eq!(port.code(at("2027-06-01", &port)), "ECR10");
        assert_eq!(port.code(at("2026-02-30", &port)), "ECR6");
    }

    #[test]
    fn journals_accept_only_their_accounts() {
        let mut port = Port::new();
        let into = |code: &str, port: &Port| {
            let mut body = port.sale();
            body["diary_id"] = json!(port.diary(code));
            body
        };
        assert_eq!(port.code(into("01", &port)), "ECR4", "no 41x in purchases");
        assert_eq!(port.code(into("15", &port)), "ECR36", "bank entries need a 51x");
        assert_eq!(port.code(into("18", &port)), "ECR37", "cash entries need a 53x");
        assert_eq!(port.code(into("40", &port)), "JOURNAL13");
        assert_eq!(port.code(into("16", &port)), "JOURNAL2");
        assert_eq!(port.code(into("CT", &port)), "JOURNAL9");
        let mut supplier = port.sale();
        supplier["entry_list"][0]["account_id"] = json!(port.account("401MINOT"));
        assert_eq!(port.code(supplier), "ECR4", "no 40x in sales");
        let mut elsewhere = port.sale();
        elsewhere["etablissement_id"] = json!(4822);
        assert_eq!(port.code(elsewhere), "ECR48");
    }

    #[test]
    fn analytics_must_add_up_on_class_6_and_7() {
        let mut port = Port::new();
        let axis = port.world.folders[&4821].axes[0].clone();
        let section = port.world.folders[&4821]
            .sections
            .iter()
            .find(|s| s.axis_id == axis.id && !s.closed)
            .unwrap()
            .id;
        let split = |amount: f64| {
            json!([{"id_axe": axis.id, "code": axis.code, "label": axis.label,
                    "repartition": [{"id_section": section, "code": "X", "label": "X", "rate": 100, "amount": amount}]}])
        };
        let mut good = port.sale();
        good["entry_list"][1]["analytique"] = split(100.0);
        assert!(port.import(good, Location::Posted).is_ok());
        let mut wrong_amount = port.sale();
        wrong_amount["entry_origin_partner_id"] = json!("other");
        wrong_amount["entry_list"][1]["analytique"] = split(90.0);
        assert_eq!(port.code(wrong_amount), "ANALYT004");
        let mut wrong_class = port.sale();
        wrong_class["entry_origin_partner_id"] = json!("third");
        wrong_class["entry_list"][0]["analytique"] = split(120.0);
        assert_eq!(port.code(wrong_class), "ANALYT003");
    }

    #[test]
    fn foreign_currency_lines_keep_their_amount() {
        let mut port = Port::new();
        let mut body = port.sale();
        body["entry_list"][0]["currency"] = json!("GBP");
        body["entry_list"][0]["value_currency"] = json!(102.5);
        let id = port.import(body, Location::Posted).unwrap();
        let entry = port.world.folders[&4821].entries.iter().find(|e| e.id == id).unwrap();
        assert_eq!(entry.lines[0].currency, Some(("GBP".into(), Decimal::new(1025, 1))));
        let mut missing = port.sale();
        missing["entry_origin_partner_id"] = json!("x2");
        missing["entry_list"][0]["currency"] = json!("GBP");
        assert_eq!(port.code(missing), "ECR4");
    }

    #[test]
    fn validating_a_pending_entry_changes_its_id_not_its_partner_id() {
        let mut port = Port::new();
        let sale = port.sale();
        let pending = port.import(sale, Location::Pending).unwrap();
        assert_eq!(
            locate_partner_id(&port.world.folders[&4821], "test-sale-1").unwrap().1,
            Location::Pending
        );
        let posted = port.world.validate_pending(4821, pending).unwrap();
        assert_ne!(posted, pending);
        let (entry, location) =
            locate_partner_id(&port.world.folders[&4821], "test-sale-1").unwrap();
        assert_eq!((entry.id, location), (posted, Location::Posted));
        assert_eq!(port.world.validate_pending(4821, pending), None);
    }
}
