//! MyUnisoft's error body: `{"error": {"code", "message", "details": {url, method, requestedAt,
//! requestId}}}`, with the French messages of the public error table.
//!
//! Handlers return [`ApiError`]; its `IntoResponse` only marks the response (status + the error
//! in an extension). The pipeline, which knows the request, renders the body with [`render`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// Seconds, sent as `Retry-After` (429 only).
    pub(crate) retry_after: Option<u64>,
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), retry_after: None }
    }

    /// A business rule refused the call (400 with a code of the error table).
    pub(crate) fn rule(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// `GBL10`: a parameter is missing or invalid.
    pub(crate) fn param(name: &str) -> Self {
        Self::rule("GBL10", format!("Le paramètre {name} est manquant ou invalide"))
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ERR-HTTP", format!("{what} introuvable"))
    }

    pub(crate) fn secret_missing() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "ERR-SECRET-HEADER-NOT-SET",
            "L'en-tête HTTP X-Third-Party-Secret est manquant.",
        )
    }

    pub(crate) fn secret_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "ERR-INVALID-SECRET",
            "La clé X-Third-Party-Secret n'est pas valide.",
        )
    }

    pub(crate) fn auth_header_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "ERR-INVALID-AUTH-HEADER",
            "L'en-tête HTTP Authorization doit être préfixé du mot clé Bearer.",
        )
    }

    pub(crate) fn jwt_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "ERR-INVALID-JWT",
            "Le jeton Utilisateur ou API n'est pas valide.",
        )
    }

    pub(crate) fn api_token_not_found() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "ERR-API-TOKEN-NOT-FOUND",
            "Unable to found the token in the DB. The token has certainly expired or been revoked.",
        )
    }

    pub(crate) fn firm_token_not_found() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "ERR-FIRM-TOKEN-NOT-FOUND",
            "Le jeton cabinet n'existe pas ou a été révoqué.",
        )
    }

    pub(crate) fn forbidden_route() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ERR-FORBIDDEN-ROUTE",
            "Cette route n'est pas accessible avec ce jeton.",
        )
    }

    pub(crate) fn folder_id_missing() -> Self {
        Self::rule(
            "MISSING-ACCOUNTING-FOLDER-ID",
            "L'en-tête society-id est obligatoire avec un accès cabinet.",
        )
    }

    pub(crate) fn no_access() -> Self {
        Self::new(StatusCode::FORBIDDEN, "DROIT1", "Vous n'avez pas accès à cette société")
    }

    pub(crate) fn too_many(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "ERR-TOO-MANY-REQUEST",
                "Trop de requêtes, veuillez réessayer plus tard.",
            )
        }
    }

    pub(crate) fn too_many_concurrent() -> Self {
        ApiError {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "ERR-TOO-MANY-CONCURRENT-REQUESTS",
                "Trop de requêtes simultanées sur cette route.",
            )
        }
    }

    /// The error MyUnisoft answers with a given status (fault injection).
    pub(crate) fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            429 => Self::too_many(1),
            401 => Self::api_token_not_found(),
            403 => Self::no_access(),
            404 => Self::not_found("Ressource"),
            503 => Self::new(status, "ERR-API-UNDER-MAINTENANCE", "L'API est en maintenance."),
            500 => Self::new(status, "GBL1", "Une erreur est survenue lors du traitement"),
            _ => Self::new(status, "ERR-HTTP", "Erreur HTTP."),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        res.extensions_mut().insert(self);
        res
    }
}

/// What the error details say about the request.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    pub(crate) url: String,
    pub(crate) method: String,
    /// `"09 Mar 2021, 21:09:24"`.
    pub(crate) requested_at: String,
    pub(crate) request_id: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: &'a str,
    details: Details<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Details<'a> {
    url: &'a str,
    method: &'a str,
    requested_at: &'a str,
    request_id: &'a str,
}

/// The full error response.
pub(crate) fn render(error: &ApiError, ctx: &RequestContext) -> Response {
    let body = Body {
        error: Detail {
            code: error.code,
            message: &error.message,
            details: Details {
                url: &ctx.url,
                method: &ctx.method,
                requested_at: &ctx.requested_at,
                request_id: &ctx.request_id,
            },
        },
    };
    let mut res = (error.status, Json(body)).into_response();
    if let Some(secs) = error.retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    #[tokio::test]
    async fn the_body_wraps_code_message_and_details() {
        let ctx = RequestContext {
            url: "http://127.0.0.1/api/v1/society".into(),
            method: "GET".into(),
            requested_at: "02 Feb 2025, 09:14:03".into(),
            request_id: "req-5e0c1d2a9b7f4e11".into(),
        };
        let res = render(&ApiError::too_many(3), &ctx);
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "3");
        let body = to_bytes(res.into_body(), 1 << 16).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"]["code"], "ERR-TOO-MANY-REQUEST");
        assert_eq!(json["error"]["details"]["requestId"], "req-5e0c1d2a9b7f4e11");
        assert_eq!(json["error"]["details"]["requestedAt"], "02 Feb 2025, 09:14:03");
        assert_eq!(json["error"]["details"]["method"], "GET");
    }
}
