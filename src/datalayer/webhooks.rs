//! MyUnisoft webhook deliveries: the signature check (HMAC-SHA256 with the partner key over the
//! body as sent followed by the `date` header, compared in constant time), the freshness check,
//! and the folders a delivery is about.

use hmac::Mac;
use serde::Deserialize;

use crate::crypto::hmac_sha256;

use super::sync::Group;

/// How old (or how far ahead) a delivery's `date` may be.
pub const TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// Why a delivery is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the signature does not match the body and date")]
    BadSignature,
    #[error("the date header is missing, not a time in milliseconds, or too far from now")]
    Stale,
    #[error("the body is not a JSON array of events")]
    Malformed,
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Checks a delivery's `date` (milliseconds since the epoch) is within [`TOLERANCE_MS`] of
/// `now_ms`; any far date is stale, never an overflow.
pub fn fresh(date: &str, now_ms: i64) -> Result<(), Refused> {
    let sent: i64 = date.trim().parse().map_err(|_| Refused::Stale)?;
    if now_ms.abs_diff(sent) > TOLERANCE_MS.unsigned_abs() {
        return Err(Refused::Stale);
    }
    Ok(())
}

/// Checks the headers a delivery must carry before its body is read: a fresh `date` and a
/// `signature`.
pub fn precheck(date: Option<&str>, signature: Option<&str>, now_ms: i64) -> Result<(), Refused> {
    fresh(date.ok_or(Refused::Stale)?, now_ms)?;
    signature.filter(|s| !s.trim().is_empty()).ok_or(Refused::BadSignature)?;
    Ok(())
}

/// Checks a delivery: its date within [`TOLERANCE_MS`] of `now_ms`, its signature right.
pub fn verify(
    key: &[u8],
    body: &[u8],
    date: Option<&str>,
    signature: Option<&str>,
    now_ms: i64,
) -> Result<(), Refused> {
    let date = date.map(str::trim).ok_or(Refused::Stale)?;
    fresh(date, now_ms)?;
    let given = signature.map(str::trim).and_then(unhex).ok_or(Refused::BadSignature)?;
    hmac_sha256(key, &[body, date.as_bytes()])
        .verify_slice(&given)
        .map_err(|_| Refused::BadSignature)
}

#[derive(Debug, Deserialize)]
struct Event {
    name: String,
    #[serde(default)]
    scope: Scope,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Scope {
    accounting_folder_id: Option<i64>,
}

/// What an event asks to read again: a group of sets, or (`None`) everything.
fn group(name: &str) -> Option<Option<Group>> {
    match name {
        "accountingLineEntry" => Some(Some(Group::Entries)),
        "accountingEntryLettering" => Some(Some(Group::Lettering)),
        "exercice" => Some(Some(Group::BookYears)),
        "thirdParty" => Some(Some(Group::Parties)),
        "accountingFolder" | "connector" => Some(None),
        _ => None,
    }
}

/// One refresh a delivery asks for: of a folder (`None`: of every folder), of a group of sets
/// (`None`: of everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refresh {
    pub folder: Option<i64>,
    pub group: Option<Group>,
}

/// The refreshes a delivery asks for (events about something the data layer does not keep
/// ask for none).
pub fn refreshes(body: &[u8]) -> Result<Vec<Refresh>, Refused> {
    let events: Vec<Event> = serde_json::from_slice(body).map_err(|_| Refused::Malformed)?;
    let mut out: Vec<Refresh> = events
        .iter()
        .filter_map(|e| {
            let group = group(&e.name)?;
            Some(Refresh { folder: e.scope.accounting_folder_id, group })
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(key: &[u8], body: &[u8], date: &str) -> String {
        crate::crypto::hmac_sha256_hex(key, &[body, date.as_bytes()])
    }

    const KEY: &[u8] = b"partner-key";
    const BODY: &[u8] = br#"[{"name":"thirdParty","operation":"DELETE","scope":{"schemaId":1,"accountingFolderId":42},"data":{"code":"0CLI"},"webhookId":3,"createdAt":1}]"#;

    #[test]
    fn a_signed_fresh_delivery_passes_and_names_its_folder() {
        let now = 1_700_000_000_000;
        let date = now.to_string();
        let sig = sign(KEY, BODY, &date);
        assert_eq!(verify(KEY, BODY, Some(&date), Some(&sig), now + 1000), Ok(()));
        assert_eq!(
            refreshes(BODY),
            Ok(vec![Refresh { folder: Some(42), group: Some(Group::Parties) }])
        );
    }

    #[test]
    fn forged_stale_and_malformed_deliveries_are_refused() {
        let now = 1_700_000_000_000;
        let date = now.to_string();
        let sig = sign(KEY, BODY, &date);
        let tampered = [BODY, b" "].concat();
        assert_eq!(
            verify(KEY, &tampered, Some(&date), Some(&sig), now),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            verify(b"other", BODY, Some(&date), Some(&sig), now),
            Err(Refused::BadSignature)
        );
        assert_eq!(verify(KEY, BODY, Some(&date), Some("zz"), now), Err(Refused::BadSignature));
        assert_eq!(verify(KEY, BODY, Some(&date), None, now), Err(Refused::BadSignature));
        let late = now + TOLERANCE_MS + 1;
        assert_eq!(verify(KEY, BODY, Some(&date), Some(&sig), late), Err(Refused::Stale));
        assert_eq!(verify(KEY, BODY, None, Some(&sig), now), Err(Refused::Stale));
        assert_eq!(refreshes(b"{}"), Err(Refused::Malformed));
        assert_eq!(precheck(Some(&date), None, now), Err(Refused::BadSignature));
        assert_eq!(precheck(None, Some(&sig), now), Err(Refused::Stale));
        assert_eq!(precheck(Some(&date), Some(&sig), now), Ok(()));
        assert_eq!(refreshes(br#"[{"name":"visitedPage","scope":{"schemaId":1}}]"#), Ok(vec![]));
    }

    #[test]
    fn extreme_dates_are_stale_not_an_overflow() {
        let sig = sign(KEY, BODY, "0");
        for (date, now) in
            [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN), (i64::MIN, 0), (i64::MAX, 1)]
        {
            let date = date.to_string();
            assert_eq!(verify(KEY, BODY, Some(&date), Some(&sig), now), Err(Refused::Stale));
            assert_eq!(fresh(&date, now), Err(Refused::Stale));
        }
    }

    #[test]
    fn each_event_asks_for_the_sets_it_touches() {
        let event =
            |name: &str| format!(r#"[{{"name":"{name}","scope":{{"accountingFolderId":7}}}}]"#);
        let group = |name: &str| refreshes(event(name).as_bytes()).unwrap()[0].group;
        assert_eq!(group("accountingLineEntry"), Some(Group::Entries));
        assert_eq!(group("accountingEntryLettering"), Some(Group::Lettering));
        assert_eq!(group("exercice"), Some(Group::BookYears));
        assert_eq!(group("thirdParty"), Some(Group::Parties));
        assert_eq!(group("connector"), None, "everything");
    }
}
