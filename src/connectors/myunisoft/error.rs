//! MyUnisoft's error answers (`{"error": {"code", "message", "details"}}`, or the same object
//! unwrapped) sorted into [`ConnectorError`]s.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::connectors::ConnectorError;

pub(super) const SOFTWARE: &str = "MyUnisoft";

/// What MyUnisoft answered at `path` (or what Passerelle was about to send there) cannot be
/// read: the one way the connector builds [`ConnectorError::Decode`].
pub(super) fn undecodable(path: &str, reason: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Decode { software: SOFTWARE, path: path.to_owned(), reason: reason.to_string() }
}

#[derive(Debug, Default, Deserialize)]
struct Body {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Envelope {
    Wrapped { error: Body },
    Flat(Body),
}

/// The code and message of an error body, whichever shape it has.
pub(super) fn code_and_message(body: &[u8]) -> (String, String) {
    match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope::Wrapped { error }) | Ok(Envelope::Flat(error)) => (error.code, error.message),
        Err(_) => (String::new(), String::from_utf8_lossy(body).chars().take(200).collect()),
    }
}

/// Fiscal-year and period locks (Chift: `ERROR_BOOKYEAR_CLOSED`).
const BOOKYEAR_CLOSED: &[&str] = &[
    "ECR9",
    "CLOTURE1",
    "EXERCICE6",
    "EXERCICE14",
    "LETTRAGE2",
    "FEC12",
    "BLOCAGE_PERIODIQUE23",
    "BLOCAGE_PERIODIQUE25",
    "BLOCAGE_PERIODIQUE26",
];
/// Closed ledger accounts (Chift: `ERROR_ACCOUNT_NUMBER_NOT_ACTIVE`).
const ACCOUNT_CLOSED: &[&str] = &["COMPTE32", "DUPLECR01"];

/// Sorts a non-2xx answer. `retry_after` is the `Retry-After` header, if any.
pub(super) fn classify(
    status: StatusCode,
    body: &[u8],
    retry_after: Option<Duration>,
) -> ConnectorError {
    let (code, message) = code_and_message(body);
    let software = SOFTWARE;
    if code == "ERR-SECRET-HEADER-NOT-SET"
        || code == "ERR-INVALID-SECRET"
        || code == "ERR-SECRET-NOT-CONFIGURED"
    {
        let reason = format!("the partner secret is refused ({code}); the operator must check MYUNISOFT_THIRD_PARTY_SECRET");
        return ConnectorError::Misconfigured { software, reason };
    }
    if status == StatusCode::TOO_MANY_REQUESTS || code.starts_with("ERR-TOO-MANY") {
        return ConnectorError::RateLimited {
            software,
            retry_after: retry_after.unwrap_or(Duration::from_secs(1)),
        };
    }
    if BOOKYEAR_CLOSED.contains(&code.as_str()) {
        return ConnectorError::BookyearClosed { software, code, message };
    }
    if ACCOUNT_CLOSED.contains(&code.as_str()) {
        return ConnectorError::AccountNotActive { software, code, message };
    }
    match status.as_u16() {
        401 => ConnectorError::Unauthorized { software, code, message },
        403 => ConnectorError::Forbidden { software, code, message },
        500..=599 => {
            let reason = if code.is_empty() {
                format!("HTTP {}", status.as_u16())
            } else {
                format!("HTTP {} {code}: {message}", status.as_u16())
            };
            ConnectorError::Unavailable { software, reason }
        }
        s => ConnectorError::Rejected { software, status: s, code, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, code: &str) -> ConnectorError {
        let body = format!(r#"{{"error":{{"code":"{code}","message":"m","details":""}}}}"#);
        classify(StatusCode::from_u16(status).unwrap(), body.as_bytes(), None)
    }

    #[test]
    fn each_upstream_error_lands_in_its_class() {
        assert!(matches!(
            error(401, "ERR-API-TOKEN-NOT-FOUND"),
            ConnectorError::Unauthorized { .. }
        ));
        assert!(matches!(error(401, "ERR-INVALID-JWT"), ConnectorError::Unauthorized { .. }));
        assert!(matches!(error(401, "ERR-INVALID-SECRET"), ConnectorError::Misconfigured { .. }));
        assert!(matches!(error(403, "DROIT1"), ConnectorError::Forbidden { .. }));
        assert!(matches!(error(429, "ERR-TOO-MANY-REQUEST"), ConnectorError::RateLimited { .. }));
        assert!(matches!(error(400, "ECR9"), ConnectorError::BookyearClosed { .. }));
        assert!(matches!(
            error(400, "BLOCAGE_PERIODIQUE25"),
            ConnectorError::BookyearClosed { .. }
        ));
        assert!(matches!(error(400, "COMPTE32"), ConnectorError::AccountNotActive { .. }));
        assert!(matches!(
            error(503, "ERR-API-UNDER-MAINTENANCE"),
            ConnectorError::Unavailable { .. }
        ));
        match error(400, "ECR14") {
            ConnectorError::Rejected { status, code, .. } => {
                assert_eq!((status, code.as_str()), (400, "ECR14"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn flat_and_non_json_bodies_are_read_too() {
        let flat = br#"{"code": "OCR1", "message": "Extension non accept\u00e9e", "details": ""}"#;
        assert_eq!(code_and_message(flat).0, "OCR1");
        let html = b"<html>Bad Gateway</html>";
        assert_eq!(code_and_message(html), (String::new(), "<html>Bad Gateway</html>".to_owned()));
        let retry = classify(StatusCode::TOO_MANY_REQUESTS, b"", Some(Duration::from_secs(7)));
        assert_eq!(
            retry,
            ConnectorError::RateLimited { software: SOFTWARE, retry_after: Duration::from_secs(7) }
        );
    }
}
