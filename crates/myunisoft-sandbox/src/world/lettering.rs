//! Lettering (matching): the next free code of an account (`AAA`, `AAB`, … `ZZZ`) and the
//! lettering of posted lines. Lines sharing a code on one account form a group, `complete` when
//! its debits and credits net to zero, `partial` otherwise.

use rust_decimal::Decimal;

use super::{Folder, Lettering};
use crate::errors::{ApiError, ApiResult};

const WIDTH: u32 = 3;

/// The value of a 3-letter code (`AAA` = 0), case-insensitive.
fn rank(code: &str) -> Option<u32> {
    if code.len() != WIDTH as usize {
        return None;
    }
    code.bytes().try_fold(0u32, |acc, b| {
        b.is_ascii_alphabetic().then(|| acc * 26 + u32::from(b.to_ascii_uppercase() - b'A'))
    })
}

fn code(rank: u32) -> String {
    (0..WIDTH).rev().map(|i| char::from(b'A' + ((rank / 26u32.pow(i)) % 26) as u8)).collect()
}

/// The code after the highest one used on the account (`AAA` on a fresh account).
pub(crate) fn next_code(folder: &Folder, account_id: i64) -> ApiResult<String> {
    folder
        .account(account_id)
        .ok_or_else(|| ApiError::rule("COMPTE2", "Le compte n'existe pas."))?;
    let highest = folder
        .entries
        .iter()
        .flat_map(|e| &e.lines)
        .filter(|l| l.account_id == account_id)
        .filter_map(|l| l.lettering.as_ref().and_then(|t| rank(&t.code)))
        .max();
    match highest {
        None => Ok(code(0)),
        Some(r) if r + 1 < 26u32.pow(WIDTH) => Ok(code(r + 1)),
        Some(_) => {
            Err(ApiError::rule("DEFAULT1", "Plus aucun code de lettrage disponible sur ce compte"))
        }
    }
}

/// Letters posted lines of one account with `code`. Lines already lettered are refused
/// (`LETTRAGE10`), as are lines of a closed fiscal year (`LETTRAGE2`) or of a class 8 account
/// (`LETTRAGE4`). Returns whether the group is complete.
pub(crate) fn letter(folder: &mut Folder, code: &str, line_ids: &[i64]) -> ApiResult<bool> {
    if !(1..=WIDTH as usize).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return Err(ApiError::param("lettering"));
    }
    if line_ids.is_empty() {
        return Err(ApiError::param("line_entry_list"));
    }
    let mut account_id = None;
    for id in line_ids {
        let (entry, line) = folder
            .entries
            .iter()
            .find_map(|e| e.lines.iter().find(|l| l.id == *id).map(|l| (e, l)))
            .ok_or_else(|| ApiError::param("line_entry_list"))?;
        if *account_id.get_or_insert(line.account_id) != line.account_id {
            return Err(ApiError::rule(
                "DEFAULT1",
                "Les lignes à lettrer doivent appartenir au même compte",
            ));
        }
        if line.lettering.is_some() {
            return Err(ApiError::rule("LETTRAGE10", "Une ou plusieurs lignes sont lettrées"));
        }
        if folder.exercice_at(entry.date).is_none_or(|e| e.closed()) {
            return Err(ApiError::rule("LETTRAGE2", "L'exercice est clôturé"));
        }
    }
    let account_id = account_id.ok_or_else(|| ApiError::param("line_entry_list"))?;
    if folder.account(account_id).is_some_and(|a| a.class() == 8) {
        return Err(ApiError::rule("LETTRAGE4", "Impossible de lettrer un compte de classe 8"));
    }
    Ok(mark(folder, account_id, code, line_ids))
}

/// Puts `code` on the lines (and on the lines of the account already carrying it) without any
/// check, and sets the group's state. Returns whether the group is complete.
pub(crate) fn mark(folder: &mut Folder, account_id: i64, code: &str, line_ids: &[i64]) -> bool {
    let in_group = |l: &super::Line| {
        l.account_id == account_id
            && (line_ids.contains(&l.id) || l.lettering.as_ref().is_some_and(|t| t.code == code))
    };
    let net: Decimal = folder
        .entries
        .iter()
        .flat_map(|e| &e.lines)
        .filter(|l| in_group(l))
        .map(|l| l.debit - l.credit)
        .sum();
    let partial = !net.is_zero();
    for line in folder.entries.iter_mut().flat_map(|e| &mut e.lines) {
        if in_group(line) {
            line.lettering = Some(Lettering { code: code.to_owned(), partial });
        }
    }
    !partial
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;
    use crate::world::World;

    /// An unlettered posted line of `number` on the given side, in the open year.
    fn open_line(world: &World, number: &str, debit: bool) -> (i64, Decimal) {
        let folder = &world.folders[&4821];
        let account = folder.account_by_number(number).unwrap().id;
        folder
            .entries
            .iter()
            .filter(|e| folder.exercice_at(e.date).is_some_and(|x| !x.closed()))
            .flat_map(|e| &e.lines)
            .find(|l| {
                l.account_id == account
                    && l.lettering.is_none()
                    && (l.debit > Decimal::ZERO) == debit
            })
            .map(|l| (l.id, l.debit + l.credit))
            .expect("the seeded ledger has open lines on this account")
    }

    #[test]
    fn codes_follow_each_other_per_account() {
        assert_eq!(code(0), "AAA");
        assert_eq!(code(1), "AAB");
        assert_eq!(code(26), "ABA");
        assert_eq!(rank("AAZ"), Some(25));
        assert_eq!(rank("abz").map(code), Some("ABZ".into()));
        let mut world = seed::world();
        let folder = world.folders.get_mut(&4821).unwrap();
        let fresh = folder.account_by_number("467000").unwrap().id;
        assert_eq!(next_code(folder, fresh).unwrap(), "AAA");
        let hotel = folder.account_by_number("411HOTEL").unwrap().id;
        let next = next_code(folder, hotel).unwrap();
        assert!(rank(&next).unwrap() > 0, "the seed letters the hotel's invoices: {next}");
        assert_eq!(next_code(folder, 1).unwrap_err().code, "COMPTE2");
    }

    #[test]
    fn a_group_is_partial_until_it_nets_to_zero() {
        let mut world = seed::world();
        let (invoice, _) = open_line(&world, "411HOTEL", true);
        let folder = world.folders.get_mut(&4821).unwrap();
        let hotel = folder.account_by_number("411HOTEL").unwrap().id;
        let code = next_code(folder, hotel).unwrap();
        assert!(!letter(folder, &code, &[invoice]).unwrap(), "one invoice alone is partial");
        assert_eq!(letter(folder, &code, &[invoice]).unwrap_err().code, "LETTRAGE10");
        let line = folder.entries.iter().flat_map(|e| &e.lines).find(|l| l.id == invoice).unwrap();
        assert_eq!(line.lettering, Some(Lettering { code: code.clone(), partial: true }));
    }

    #[test]
    fn lines_must_share_an_account_and_an_open_year() {
        let mut world = seed::world();
        let (a, _) = open_line(&world, "411HOTEL", true);
        let (b, _) = open_line(&world, "401MINOT", false);
        let folder = world.folders.get_mut(&4821).unwrap();
        assert_eq!(letter(folder, "ZZA", &[a, b]).unwrap_err().code, "DEFAULT1");
        assert_eq!(letter(folder, "ZZA", &[1]).unwrap_err().code, "GBL10");
        assert_eq!(letter(folder, "A1", &[a]).unwrap_err().code, "GBL10");
        let closed_year = folder
            .entries
            .iter()
            .filter(|e| e.date.format("%Y").to_string() == "2025")
            .flat_map(|e| &e.lines)
            .find(|l| l.lettering.is_none())
            .unwrap()
            .id;
        assert_eq!(letter(folder, "ZZB", &[closed_year]).unwrap_err().code, "LETTRAGE2");
    }
}
