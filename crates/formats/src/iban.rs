//! IBANs as ISO 13616 defines them: two country letters, two check digits, then the account
//! (BBAN); valid when the rearranged number (letters as 10..35) is 1 modulo 97. Written compact
//! (`FR7630006000011234567890189`) or grouped by four for print (`FR76 3000 6000 …`).

/// The compact form: white space removed, letters in upper case.
pub fn compact(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

/// The print form: groups of four characters separated by a space.
pub fn grouped(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Country letters (upper case), check digits, then letters and digits only, whose mod 97 check
/// holds; whatever the length (see [`is_valid`]).
pub fn checksum_ok(iban: &str) -> bool {
    let b = iban.as_bytes();
    if b.len() < 5
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    mod97(&iban[4..], &iban[..4]) == Some(1)
}

/// A valid compact IBAN: 15 to 34 characters and [`checksum_ok`].
pub fn is_valid(iban: &str) -> bool {
    (15..=34).contains(&iban.len()) && checksum_ok(iban)
}

/// The IBAN of `bban` in `country`, with the check digits that make it valid.
pub fn with_checksum(country: &str, bban: &str) -> String {
    let remainder = mod97(bban, &format!("{country}00")).unwrap_or(0);
    format!("{country}{:02}{bban}", 98 - remainder)
}

/// `bban` then `head`, read as one number (letters as 10..35), modulo 97; `None` when a
/// character is neither an ASCII letter nor a digit.
fn mod97(bban: &str, head: &str) -> Option<u32> {
    let mut remainder = 0u32;
    for c in bban.chars().chain(head.chars()) {
        let value = c.to_digit(36)?;
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    Some(remainder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_with_mod_97() {
        assert!(checksum_ok("FR7630006000011234567890189"));
        assert!(!checksum_ok("FR7630006000011234567890188"));
        assert!(is_valid("FR1420041010050500013M02606"));
        assert!(is_valid("FR7630004000031234567890143"));
        assert!(is_valid("DE89370400440532013000"));
        assert!(!is_valid("FR1420041010050500013M02607"));
        assert!(!is_valid("fr1420041010050500013M02606"));
        assert!(!is_valid("FR76 3000 4000 0312 3456 7890 143"));
    }

    #[test]
    fn the_length_is_checked_apart_from_the_checksum() {
        assert!(!is_valid("FR76"));
        assert!(!checksum_ok("FR76"));
        let short = with_checksum("FR", "1234567890");
        assert_eq!(short.len(), 14);
        assert!(checksum_ok(&short) && !is_valid(&short), "{short}");
    }

    #[test]
    fn check_digits_are_computed_for_an_account() {
        let built = with_checksum("FR", "30004000031234567890143");
        assert_eq!(built, "FR7630004000031234567890143");
        assert!(is_valid(&built), "{built}");
    }

    #[test]
    fn the_two_forms_convert_into_each_other() {
        let grouped_form = grouped("FR7630006000011234567890189");
        assert_eq!(grouped_form, "FR76 3000 6000 0112 3456 7890 189");
        assert_eq!(compact(&grouped_form), "FR7630006000011234567890189");
        assert_eq!(compact(" fr76 3000\t6000 "), "FR7630006000");
    }
}
