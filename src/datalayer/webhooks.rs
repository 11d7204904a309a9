//! MyUnisoft webhook deliveries: the signature check (HMAC-SHA256 with the partner key over the
//! body as sent followed by the `date` header, compared in constant time), the freshness check,
//! and the folders a delivery is about.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

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

/// The signature MyUnisoft sends for `body` at `date` (lower-case hex).
pub fn sign(key: &[u8], body: &[u8], date: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any size");
    mac.update(body);
    mac.update(date.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
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
    let sent: i64 = date.parse().map_err(|_| Refused::Stale)?;
    if (now_ms - sent).abs() > TOLERANCE_MS {
        return Err(Refused::Stale);
    }
    let given = signature.map(str::trim).and_then(unhex).ok_or(Refused::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any size");
    mac.update(body);
    mac.update(date.as_bytes());
    mac.verify_slice(&given).map_err(|_| Refused::BadSignature)
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

/// The event names that change what the data layer keeps.
const RELEVANT: [&str; 6] = [
    "accountingLineEntry",
    "accountingEntryLettering",
    "thirdParty",
    "exercice",
    "accountingFolder",
    "connector",
];

/// What a delivery asks to refresh: the folders its relevant events name (`None` in the list
/// for an event about no folder in particular).
pub fn folders(body: &[u8]) -> Result<Vec<Option<i64>>, Refused> {
    let events: Vec<Event> = serde_json::from_slice(body).map_err(|_| Refused::Malformed)?;
    let mut out: Vec<Option<i64>> = events
        .iter()
        .filter(|e| RELEVANT.contains(&e.name.as_str()))
        .map(|e| e.scope.accounting_folder_id)
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"partner-key";
    const BODY: &[u8] = br#"[{"name":"thirdParty","operation":"DELETE","scope":{"schemaId":1,"accountingFolderId":42},"data":{"code":"0CLI"},"webhookId":3,"createdAt":1}]"#;

    #[test]
    fn a_signed_fresh_delivery_passes_and_names_its_folder() {
        let now = 1_700_000_000_000;
        let date = now.to_string();
        let sig = sign(KEY, BODY, &date);
        assert_eq!(verify(KEY, BODY, Some(&date), Some(&sig), now + 1000), Ok(()));
        assert_eq!(folders(BODY), Ok(vec![Some(42)]));
    }

    #[test]
    fn forged_stale_and_malformed_deliveries_are_refused() {
        let now = 1_700_000_000_000;
        let date = now.to_string();
        let sig = sign(KEY, BODY, &date);
        let tampered = [BODY, b" "].concat();
        assert_eq!(verify(KEY, &tampered, Some(&date), Some(&sig), now), Err(Refused::BadSignature));
        assert_eq!(verify(b"other", BODY, Some(&date), Some(&sig), now), Err(Refused::BadSignature));
        assert_eq!(verify(KEY, BODY, Some(&date), Some("zz"), now), Err(Refused::BadSignature));
        assert_eq!(verify(KEY, BODY, Some(&date), None, now), Err(Refused::BadSignature));
        let late = now + TOLERANCE_MS + 1;
        assert_eq!(verify(KEY, BODY, Some(&date), Some(&sig), late), Err(Refused::Stale));
        assert_eq!(verify(KEY, BODY, None, Some(&sig), now), Err(Refused::Stale));
        assert_eq!(folders(b"{}"), Err(Refused::Malformed));
        assert_eq!(folders(br#"[{"name":"visitedPage","scope":{"schemaId":1}}]"#), Ok(vec![]));
    }
}
