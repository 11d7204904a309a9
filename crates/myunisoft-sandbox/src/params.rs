//! Request inputs with MyUnisoft's refusals: query strings with repeated keys
//! (`classAccount=401%25&classAccount=411%25`) and JSON bodies, both failing with `GBL10`
//! naming the parameter.

use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::dates;
use super::errors::{ApiError, ApiResult};

/// The query string as ordered pairs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        Ok(Params::parse(parts.uri.query().unwrap_or("")))
    }
}

impl Params {
    pub(crate) fn parse(query: &str) -> Self {
        Params(form_urlencoded::parse(query.as_bytes()).into_owned().collect())
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A switch such as MAD's `draft`: on when present, unless `false` or `0`.
    pub(crate) fn switch(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !matches!(v, "false" | "0"))
    }

    /// A `true|false` option, false when absent.
    pub(crate) fn boolean(&self, name: &str) -> ApiResult<bool> {
        match self.get(name) {
            None => Ok(false),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(_) => Err(ApiError::param(name)),
        }
    }

    pub(crate) fn parsed<T: FromStr>(&self, name: &str) -> ApiResult<Option<T>> {
        self.get(name).map(|v| v.trim().parse().map_err(|_| ApiError::param(name))).transpose()
    }

    pub(crate) fn required<T: FromStr>(&self, name: &str) -> ApiResult<T> {
        self.parsed(name)?.ok_or_else(|| ApiError::param(name))
    }

    pub(crate) fn date(&self, name: &str) -> ApiResult<Option<NaiveDate>> {
        self.get(name).map(|v| dates::parse_iso(v).ok_or_else(|| ApiError::param(name))).transpose()
    }

    /// Every MAD route requires `version=1.0.0`.
    pub(crate) fn mad_version(&self) -> ApiResult<()> {
        match self.get("version") {
            Some("1.0.0") => Ok(()),
            _ => Err(ApiError::param("version")),
        }
    }

    /// The account roots of `classAccount` (the trailing `%` is optional).
    pub(crate) fn class_accounts(&self) -> Vec<String> {
        self.all("classAccount")
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().trim_end_matches('%').to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// A JSON body; a malformed one is `GBL10` naming the offending field.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        let bytes = Bytes::from_request(req, state).await.map_err(|_| ApiError::param("body"))?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::param(if path == "." { "body" } else { &path })
    })?;
    de.end().map_err(|_| ApiError::param("body"))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_percent_roots_are_read() {
        let p = Params::parse(
            "version=1.0.0&classAccount=401%25&classAccount=411&draft&lettering=none",
        );
        assert_eq!(p.class_accounts(), vec!["401", "411"]);
        assert!(p.switch("draft"));
        assert!(!p.switch("comment"));
        assert!(p.mad_version().is_ok());
        assert_eq!(Params::parse("version=2").mad_version().unwrap_err().code, "GBL10");
    }

    #[test]
    fn a_bad_body_field_is_named() {
        #[derive(serde::Deserialize, Debug)]
        struct Body {
            #[allow(dead_code)]
            code: String,
        }
        let err = parse_json::<Body>(br#"{"code": 3}"#).unwrap_err();
        assert_eq!(err.code, "GBL10");
        assert!(err.message.contains("code"), "{}", err.message);
    }
}
