//! Extractors whose rejections are Chift-shaped 422s naming the field and the rule.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::LengthLimitError;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::domain::Invalid;
use crate::error::AppError;

/// The largest request body accepted (base64 attachments included).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Route layer: a body over `limit` bytes is answered 413 before the handler runs, as soon as its
/// `Content-Length` says so or, without one, once `limit` bytes have been read.
pub async fn limit_body(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
    if declared.and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n > limit as u64) {
        return AppError::BodyTooLarge { limit }.into_response();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(e) if std::error::Error::source(&e).is_some_and(|s| s.is::<LengthLimitError>()) => {
            AppError::BodyTooLarge { limit }.into_response()
        }
        Err(_) => AppError::from(unreadable_body()).into_response(),
    }
}

fn unreadable_body() -> Invalid {
    Invalid::body("", "the request body could not be read")
}

/// `BoolParam`: Chift's boolean query values. The gateway reads the parameters it names as
/// booleans, which take exactly these two words.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BoolParam {
    True,
    False,
}

/// `{consumer_id}`: the consumer a route acts on.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConsumerPath {
    pub consumer_id: Uuid,
}

/// Rules a parsed input must follow beyond its types.
pub trait Validate {
    fn validate(&self) -> Result<(), Invalid>;
}

/// A JSON body, parsed (whatever the content type) and validated. An empty body reads as `{}`.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Validate> FromRequest<S> for ValidJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::BodyTooLarge { limit: BODY_LIMIT }
            } else {
                unreadable_body().into()
            }
        })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        json_nul_free(bytes)?;
        let value: T = parse_json(bytes)?;
        value.validate()?;
        Ok(ValidJson(value))
    }
}

/// What a text with a NUL character breaks: PostgreSQL refuses it, and so may MyUnisoft.
const NUL_RULE: &str = "must not contain a NUL character";

/// The field, `\0` written out, so that the error naming it can itself be stored and logged.
fn nul_named(field: &str) -> String {
    field.replace('\0', "\\u0000")
}

/// Refuses a JSON body with a NUL in a string or key, naming its path. A NUL can only be
/// written `\u0000`, so the body is walked only when those bytes appear in it.
fn json_nul_free(bytes: &[u8]) -> Result<(), Invalid> {
    if !bytes.windows(6).any(|w| w == br"\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else { return Ok(()) };
    match nul_path(&value, String::new()) {
        Some(path) => Err(Invalid::body(nul_named(&path), NUL_RULE)),
        None => Ok(()),
    }
}

/// The path (`items[1].name`) of the first string or key holding a NUL.
fn nul_path(value: &serde_json::Value, at: String) -> Option<String> {
    match value {
        serde_json::Value::String(s) => s.contains('\0').then_some(at),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| nul_path(item, format!("{at}[{i}]")))
        }
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
            if key.contains('\0') {
                Some(path)
            } else {
                nul_path(item, path)
            }
        }),
        _ => None,
    }
}

/// Refuses decoded `name=value` pairs with a NUL in either, naming the parameter.
fn pairs_nul_free<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
    invalid: fn(String, String) -> Invalid,
) -> Result<(), Invalid> {
    let has_nul = |text: &str| text.contains('\0');
    match pairs.into_iter().find(|(k, v)| has_nul(k.as_ref()) || has_nul(v.as_ref())) {
        Some((name, _)) => Err(invalid(nul_named(name.as_ref()), NUL_RULE.to_owned())),
        None => Ok(()),
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Invalid> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return Invalid::body("", format!("malformed JSON: {inner}"));
        }
        let message = strip_position(&inner.to_string());
        Invalid::body(field_of(&e.path().to_string(), &message), message)
    })?;
    de.end().map_err(|e| Invalid::body("", format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// The query string, deserialized with the offending parameter named on failure.
#[derive(Debug)]
pub struct ValidQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ValidQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or("");
        pairs_nul_free(form_urlencoded::parse(query.as_bytes()), Invalid::query)?;
        Ok(ValidQuery(from_form(query.as_bytes(), Invalid::query)?))
    }
}

/// Deserializes `a=1&b=x` pairs (numbers and booleans parsed from text), naming a bad field.
fn from_form<T: DeserializeOwned>(
    form: &[u8],
    invalid: fn(String, String) -> Invalid,
) -> Result<T, Invalid> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(form));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        invalid(field_of(&e.path().to_string(), &message), message)
    })
}

/// Path parameters, deserialized by name so that a bad one is named (`consumer_id`, …).
#[derive(Debug)]
pub struct ValidPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ValidPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| Invalid::path("", e.body_text()))?;
        pairs_nul_free(params.iter().map(|(k, v)| (k, v)), Invalid::path)?;
        let form = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        Ok(ValidPath(from_form(form.as_bytes(), Invalid::path)?))
    }
}

/// The field a deserialization error is about: its path, or the name in "missing field `x`".
fn field_of(path: &str, message: &str) -> String {
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(field)) => field.to_owned(),
        (".", None) => String::new(),
        (path, Some(field)) => format!("{path}.{field}"),
        (path, None) => path.to_owned(),
    }
}

/// Drops serde_json's " at line 1 column 12": the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Checks an optional text field's length in characters.
pub fn max_chars(field: &str, value: Option<&str>, max: usize) -> Result<(), Invalid> {
    match value {
        Some(v) if v.chars().count() > max => {
            Err(Invalid::body(field, format!("must be at most {max} characters")))
        }
        _ => Ok(()),
    }
}

/// Checks that a text field, when present, is not blank.
pub fn not_blank(field: &str, value: Option<&str>) -> Result<(), Invalid> {
    match value {
        Some(v) if v.trim().is_empty() => Err(Invalid::body(field, "must not be empty")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        amount: u32,
    }

    #[test]
    fn a_wrong_type_deep_in_the_body_is_named_by_its_path() {
        let err = parse_json::<Body>(br#"{"name":"a","items":[{"amount":1},{"amount":"x"}]}"#)
            .unwrap_err();
        assert_eq!(err.field, "items[1].amount");
        assert!(err.rule.starts_with("invalid type: string \"x\""), "{}", err.rule);
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse_json::<Body>(br#"{"items":[]}"#).unwrap_err();
        assert_eq!(err.field, "name");
    }

    #[test]
    fn malformed_json_and_trailing_bytes_are_refused() {
        assert!(parse_json::<Body>(br#"{"name":"#).unwrap_err().rule.starts_with("malformed JSON"));
        let trailing = parse_json::<Body>(br#"{"name":"a","items":[]} x"#).unwrap_err();
        assert!(trailing.rule.starts_with("malformed JSON"));
    }

    #[test]
    fn a_nul_in_the_body_is_named_by_its_path_whether_in_a_value_or_a_key() {
        let err =
            json_nul_free(br#"{"name":"a","items":[{"x":1},{"label":"a\u0000b"}]}"#).unwrap_err();
        assert_eq!((err.field.as_str(), err.rule.as_str()), ("items[1].label", NUL_RULE));
        let err = json_nul_free(br#"{"meta":{"k\u0000":1}}"#).unwrap_err();
        assert_eq!(err.field, r"meta.k\u0000");
        assert!(json_nul_free(br#"{"name":"a\\u0000"}"#).is_ok(), "an escaped backslash");
        assert!(json_nul_free(br#"{"name":"\u0001"}"#).is_ok());
    }

    #[test]
    fn a_nul_in_a_parameter_names_it() {
        let err =
            pairs_nul_free(form_urlencoded::parse(b"a=1&ref=x%00y"), Invalid::query).unwrap_err();
        assert_eq!((err.field.as_str(), err.rule.as_str()), ("ref", NUL_RULE));
        assert!(pairs_nul_free([("id", "42")], Invalid::path).is_ok());
    }

    #[test]
    fn length_rules_count_characters_not_bytes() {
        assert!(max_chars("name", Some("ééé"), 3).is_ok());
        assert_eq!(max_chars("name", Some("éééé"), 3).unwrap_err().field, "name");
        assert!(not_blank("name", Some("  ")).is_err());
        assert!(not_blank("name", None).is_ok());
    }
}
