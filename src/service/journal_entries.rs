//! Journal entries: reads (the connector fetches the fiscal years a window meets, the filters
//! are applied here) and `GenericJournalEntry` turned into a posting.

use rust_decimal::Decimal;

use crate::connectors::JournalEntries;
use crate::domain::accounting::VatCode;
use crate::domain::journal_entry::{
    EntryFilter, EntryLineType, GenericJournalEntry, GenericJournalItem, JournalEntry, TaxInfo,
};
use crate::domain::posting::{label, pdf, piece, AccountRef, JournalRef, Posting, PostingLine};
use crate::domain::third_party::PartyKind;
use crate::domain::Invalid;
use crate::error::{AppError, Result};
use crate::service::accounting::{ledger, Context};
use crate::service::postings;
use crate::state::AppState;

fn connector<'s>(s: &'s AppState, ctx: &Context) -> Result<&'s dyn JournalEntries> {
    let kind = ctx.connection.kind;
    s.connectors
        .journal_entries(kind)
        .ok_or(AppError::NotSupported { resource: "journal entries", connector: kind.name() })
}

/// Whether an entry passes the filter; with `partner_id`, only that partner's lines are kept.
fn select(mut e: JournalEntry, f: &EntryFilter) -> Option<JournalEntry> {
    if !f.admits(&e) {
        return None;
    }
    if let Some(partner) = &f.partner_id {
        e.items.retain(|i| i.partner_id.as_ref() == Some(partner));
        if e.items.is_empty() {
            return None;
        }
    }
    Some(e)
}

/// The entries of the folder matching `filter`, by date then id.
pub async fn list(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    filter: &EntryFilter,
) -> Result<Vec<JournalEntry>> {
    let scope = ctx.folder(s, folder).await?;
    let all = connector(s, ctx)?
        .journal_entries(scope, filter.date_from, filter.date_to, filter.unposted_allowed)
        .await?;
    let mut entries: Vec<_> = all.into_iter().filter_map(|e| select(e, filter)).collect();
    entries.sort_by(|a, b| (a.date, &a.entry_id).cmp(&(b.date, &b.entry_id)));
    Ok(entries)
}

pub async fn get(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    id: &str,
) -> Result<JournalEntry> {
    Ok(connector(s, ctx)?.journal_entry(ctx.folder(s, folder).await?, id).await?)
}

/// A VAT code by id, for the VAT lines Passerelle adds.
pub(crate) fn vat_code<'v>(codes: &'v [VatCode], id: &str, field: &str) -> Result<&'v VatCode> {
    codes.iter().find(|c| c.id == id.trim()).ok_or_else(|| {
        Invalid::body(field, format!("no VAT code `{id}`; list them with GET /vat-codes")).into()
    })
}

/// The VAT account of a `tax_info` beside a line on `account`: the one given, else the
/// code's collected account for revenue (class 7), its deductible account for expenses and
/// assets (classes 6 and 2), else by side (a debit deducts, a credit collects). A refund keeps
/// the VAT account of the invoice it reverses.
pub(crate) fn vat_account(
    code: &VatCode,
    tax: &TaxInfo,
    account: &str,
    debit: bool,
    field: &str,
) -> Result<String> {
    let collected = match account.chars().next() {
        Some('7') => true,
        Some('6' | '2') => false,
        _ => !debit,
    };
    tax.vat_account
        .clone()
        .or_else(|| {
            if collected {
                code.payable_account.clone()
            } else {
                code.deductible_account.clone()
            }
        })
        .ok_or_else(|| {
            Invalid::body(
                format!("{field}.vat_account"),
                format!(
                    "required: VAT code {} has no {} account",
                    code.id,
                    if collected { "collected" } else { "deductible" }
                ),
            )
            .into()
        })
}

/// The account of one written line.
fn line_account(item: &GenericJournalItem, field: &str) -> Result<AccountRef> {
    let given = item.account.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let party = match item.account_type {
        EntryLineType::GeneralAccount => None,
        EntryLineType::CustomerAccount => Some(PartyKind::Client),
        EntryLineType::SupplierAccount => Some(PartyKind::Supplier),
        EntryLineType::EmployeeAccount => Some(PartyKind::Employee),
    };
    let forced = item.force_general_account.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let create = item.account_info.as_ref().map(|i| i.account_name.clone());
    match (party, forced, item.prioritise_thirdparty_account.unwrap_or(false)) {
        (Some(_), Some(number), false) => {
            Ok(AccountRef::General { number: number.to_owned(), create: None })
        }
        (Some(kind), _, _) => match (given, &item.account_info, kind) {
            (Some(id), _, _) => Ok(AccountRef::Partner { kind, id: id.to_owned() }),
            (None, Some(info), PartyKind::Client | PartyKind::Supplier) => {
                if !info.account_number.trim().starts_with(kind.root()) {
                    return Err(Invalid::body(
                        format!("{field}.account_info.account_number"),
                        format!("must start with {} for this line type", kind.root()),
                    )
                    .into());
                }
                Ok(AccountRef::NewPartner {
                    kind,
                    number: info.account_number.trim().to_owned(),
                    name: info.account_name.trim().to_owned(),
                })
            }
            _ => Err(Invalid::body(
                format!("{field}.account"),
                "required: the partner's id (or account_info to create a client or supplier)",
            )
            .into()),
        },
        (None, _, _) => {
            let number = given
                .or(item.account_info.as_ref().map(|i| i.account_number.trim()))
                .ok_or_else(|| {
                    Invalid::body(format!("{field}.account"), "required: a ledger account number")
                })?;
            Ok(AccountRef::General { number: number.to_owned(), create })
        }
    }
}

/// `GenericJournalEntry` as a posting: one line per item, plus a VAT line beside each item
/// with `tax_info`; amounts brought to euros when the entry is in another currency.
pub(crate) fn posting(entry: &GenericJournalEntry, codes: &[VatCode]) -> Result<Posting> {
    let number = piece("number", &entry.number)?;
    let reference = entry.reference.as_deref().map(|r| piece("reference", r)).transpose()?;
    let fallback = label(&entry.number);
    let mut lines = Vec::with_capacity(entry.items.len() + 1);
    for (i, item) in entry.items.iter().enumerate() {
        let field = format!("items.{i}");
        let account = line_account(item, &field)?;
        let is_partner =
            matches!(account, AccountRef::Partner { .. } | AccountRef::NewPartner { .. });
        let label = item
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| fallback.clone());
        lines.push(PostingLine {
            field: field.clone(),
            account,
            label: label.clone(),
            debit: item.debit,
            credit: item.credit,
            due_date: entry.due_date.filter(|_| is_partner),
            currency_amount: None,
            analytics: item.analytic_distribution.clone().unwrap_or_default(),
        });
        if let Some(tax) = &item.tax_info {
            let field = format!("{field}.tax_info");
            if item.account_type != EntryLineType::GeneralAccount {
                return Err(Invalid::body(field, "only general-account lines take tax_info").into());
            }
            if tax.tax_amount.is_sign_negative() {
                return Err(
                    Invalid::body(format!("{field}.tax_amount"), "must not be negative").into()
                );
            }
            let code = vat_code(codes, &tax.tax_code, &format!("{field}.tax_code"))?;
            if tax.tax_amount.is_zero() {
                continue;
            }
            let debit_side = !item.debit.is_zero();
            let number = item.account.as_deref().unwrap_or_default().trim();
            let account = vat_account(code, tax, number, debit_side, &field)?;
            let vat_label = tax.description.clone().unwrap_or_else(|| format!("TVA {}", label));
            let (debit, credit) = if debit_side {
                (tax.tax_amount, Decimal::ZERO)
            } else {
                (Decimal::ZERO, tax.tax_amount)
            };
            // Reverse charge: the same VAT the other way, on the other account of the code, so
            // that the two lines cancel out.
            let reversal = if code.reversed {
                let other = tax.reversed_vat_account.clone().or_else(|| {
                    if code.deductible_account.as_deref() == Some(account.as_str()) {
                        code.payable_account.clone()
                    } else {
                        code.deductible_account.clone()
                    }
                });
                let other = other.ok_or_else(|| {
                    Invalid::body(
                        format!("{field}.reversed_vat_account"),
                        format!(
                            "required: reverse-charge VAT code {} has no second account",
                            code.id
                        ),
                    )
                })?;
                let other = AccountRef::General { number: other, create: None };
                Some(PostingLine::new(field.clone(), other, &vat_label, credit, debit))
            } else {
                None
            };
            let account = AccountRef::General { number: account, create: None };
            lines.push(PostingLine::new(field, account, &vat_label, debit, credit));
            lines.extend(reversal);
        }
    }
    let currency = foreign(&entry.currency, entry.currency_exchange_rate)?;
    let posting = Posting {
        journal: JournalRef::Id(entry.journal_id.clone()),
        date: entry.date,
        number: Some(number),
        reference,
        currency,
        lines,
        attachment: entry
            .pdf
            .as_deref()
            .map(|p| pdf(p, entry.pdf_name.as_deref(), &entry.number))
            .transpose()?,
        posted: entry.posted.unwrap_or(true),
        period: entry.start_date.zip(entry.end_date),
        metadata: serde_json::json!({
            "number": entry.number,
            "reference": entry.reference,
            "tax_codes": entry.items.iter().map(|i| i.tax_code.clone()).collect::<Vec<_>>(),
        }),
    }
    .in_euros()?;
    Ok(posting)
}

/// A document's currency: `None` for euros; another one needs its rate (units per euro).
pub(crate) fn foreign(currency: &str, rate: Option<Decimal>) -> Result<Option<(String, Decimal)>> {
    let code = currency.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Invalid::body("currency", "an ISO 4217 code such as EUR").into());
    }
    if code == "EUR" {
        return Ok(None);
    }
    match rate {
        Some(r) if r > Decimal::ZERO => Ok(Some((code, r))),
        Some(_) => Err(Invalid::body("currency_exchange_rate", "must be positive").into()),
        None => Err(Invalid::body(
            "currency_exchange_rate",
            "required for a currency other than EUR (units of the currency per euro): MyUnisoft books in euros",
        )
        .into()),
    }
}

/// Creates a journal entry and answers it as read back.
pub async fn create(
    s: &AppState,
    ctx: &Context,
    folder: Option<&str>,
    entry: &GenericJournalEntry,
) -> Result<JournalEntry> {
    let scope = ctx.folder(s, folder).await?;
    let needs_codes = entry.items.iter().any(|i| i.tax_info.is_some());
    let codes = if needs_codes { ledger(s, ctx)?.vat_codes(scope).await? } else { vec![] };
    let posting = posting(entry, &codes)?;
    postings::post(s, ctx, scope, &posting).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(items: serde_json::Value) -> GenericJournalEntry {
        serde_json::from_value(serde_json::json!({
            "journal_id": "20", "number": "OD-2026/9", "reference": "REF 1", "currency": "EUR",
            "date": "2026-03-01", "due_date": "2026-03-31", "items": items
        }))
        .unwrap()
    }

    fn codes() -> Vec<VatCode> {
        serde_json::from_value(serde_json::json!([{
            "id": "6621", "code": "01", "active": true, "label": "TVA 20", "scope": "nat", "rate": 20,
            "type": "both", "deductible_account": "445660", "payable_account": "445712", "reversed": false
        }]))
        .unwrap()
    }

    #[test]
    fn lines_name_general_accounts_partners_and_vat() {
        let p = posting(
            &entry(serde_json::json!([
                {"account_type": "general_account", "account": "606300", "debit": 100, "credit": 0,
                 "tax_info": {"tax_code": "6621", "tax_amount": 20}},
                {"account_type": "supplier_account", "account": "1180400", "debit": 0, "credit": 120}
            ])),
            &codes(),
        )
        .unwrap();
        let accounts: Vec<&AccountRef> = p.lines.iter().map(|l| &l.account).collect();
        assert_eq!(
            accounts,
            vec![
                &AccountRef::General { number: "606300".into(), create: None },
                &AccountRef::General { number: "445660".into(), create: None },
                &AccountRef::Partner { kind: PartyKind::Supplier, id: "1180400".into() },
            ]
        );
        assert_eq!(p.lines[1].debit, Decimal::from(20), "VAT on the side of its line");
        assert_eq!(p.lines[0].label, "OD-2026/9", "no description: the entry number");
        assert_eq!(
            p.lines[2].due_date,
            "2026-03-31".parse().ok(),
            "due date on partner lines only"
        );
        assert_eq!(p.lines[0].due_date, None);
        assert_eq!((p.number.as_deref(), p.reference.as_deref()), (Some("OD20269"), Some("REF1")));
    }

    #[test]
    fn reverse_charge_vat_posts_both_accounts_and_keeps_the_entry_balanced() {
        let mut reversed = codes();
        reversed[0].reversed = true;
        let p = posting(
            &entry(serde_json::json!([
                {"account_type": "general_account", "account": "606300", "debit": 100, "credit": 0,
                 "tax_info": {"tax_code": "6621", "tax_amount": 20}},
                {"account_type": "supplier_account", "account": "1180400", "debit": 0, "credit": 100}
            ])),
            &reversed,
        )
        .unwrap();
        let vat: Vec<(&AccountRef, Decimal, Decimal)> =
            p.lines[1..3].iter().map(|l| (&l.account, l.debit, l.credit)).collect();
        assert_eq!(
            vat,
            vec![
                (
                    &AccountRef::General { number: "445660".into(), create: None },
                    Decimal::from(20),
                    Decimal::ZERO
                ),
                (
                    &AccountRef::General { number: "445712".into(), create: None },
                    Decimal::ZERO,
                    Decimal::from(20)
                ),
            ]
        );
    }

    #[test]
    fn forced_accounts_and_accounts_to_create() {
        let p = posting(
            &entry(serde_json::json!([
                {"account_type": "customer_account", "account": "77", "force_general_account": "411000", "debit": 10, "credit": 0},
                {"account_type": "customer_account", "account_info": {"account_number": "411NEW", "account_name": "NEW"}, "debit": 0, "credit": 10}
            ])),
            &[],
        )
        .unwrap();
        assert_eq!(
            p.lines[0].account,
            AccountRef::General { number: "411000".into(), create: None }
        );
        assert_eq!(
            p.lines[1].account,
            AccountRef::NewPartner {
                kind: PartyKind::Client,
                number: "411NEW".into(),
                name: "NEW".into()
            }
        );
        let missing = posting(
            &entry(serde_json::json!([
                {"account_type": "employee_account", "debit": 10, "credit": 0},
                {"account_type": "general_account", "account": "421000", "debit": 0, "credit": 10}
            ])),
            &[],
        );
        assert!(matches!(missing, Err(AppError::Invalid(i)) if i.field == "items.0.account"));
    }

    #[test]
    fn foreign_currencies_need_their_rate() {
        assert_eq!(foreign("eur", None).unwrap(), None);
        assert_eq!(
            foreign("USD", Some(Decimal::new(108, 2))).unwrap(),
            Some(("USD".into(), Decimal::new(108, 2)))
        );
        assert!(
            matches!(foreign("USD", None), Err(AppError::Invalid(i)) if i.field == "currency_exchange_rate")
        );
        assert!(matches!(foreign("US", None), Err(AppError::Invalid(i)) if i.field == "currency"));
        assert!(matches!(foreign("USD", Some(Decimal::ZERO)), Err(AppError::Invalid(_))));
    }
}
