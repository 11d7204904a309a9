//! The hosted connect page, `/connect/{token}`: where a customer opens the activation link an API
//! client was given, reads who asks for access and where to make a MyUnisoft key, pastes it, and
//! (for a firm key) chooses the folders to share; then goes back to the consumer's
//! `redirect_url` with Chift's parameters.
//!
//! No JavaScript. Every answer carries a strict Content-Security-Policy (the gateway's own
//! stylesheet and images; forms post to the page itself, whose answer may redirect to the
//! `redirect_url`'s origin), `no-store` and `no-referrer` (the link is a secret). Forms carry a
//! CSRF token bound to the link and to a random nonce the browser keeps in a cookie. The token in
//! the path never reaches a log line (see [`crate::telemetry::request_span`]).

mod page;
mod text;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, REFERRER_POLICY,
    SET_COOKIE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::Markup;

use crate::auth::connect_link::ConnectKeys;
use crate::connectors::ConnectorError;
use crate::domain::connect_link::LinkPurpose;
use crate::error::AppError;
use crate::service::connect::{self as service, Choice, Lookup, Opened, Step};
use crate::state::AppState;
use page::Frame;
use text::Lang;

/// The path prefix of the page (the link is `{public_url}/connect/{token}`).
pub const PREFIX: &str = "/connect";
/// A form is a key or a few folder ids: anything larger is refused before it is read.
const FORM_LIMIT: usize = 16 * 1024;
/// MyUnisoft keys are JWTs of a few hundred characters.
const MAX_KEY_CHARS: usize = 4096;
const COOKIE_NAME: &str = "passerelle_connect";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/connect/assets/connect.css", get(stylesheet))
        .route("/connect/{token}", get(show).post(submit))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        page::CSS,
    )
}

/// The decoded fields of a query string or form body (repeated `folder` fields kept in order;
/// at most 256 fields are read).
#[derive(Debug, Default)]
struct Fields {
    lang: Option<String>,
    step: Option<String>,
    csrf: Option<String>,
    api_token: Option<String>,
    folders: Vec<i64>,
}

impl Fields {
    fn parse(input: &[u8]) -> Self {
        let mut fields = Fields::default();
        for (name, value) in form_urlencoded::parse(input).take(256) {
            let value = value.into_owned();
            match name.as_ref() {
                "lang" => fields.lang = Some(value),
                "step" => fields.step = Some(value),
                "csrf" => fields.csrf = Some(value),
                "api_token" => fields.api_token = Some(value),
                "folder" => fields.folders.extend(value.trim().parse::<i64>().ok()),
                _ => {}
            }
        }
        fields
    }
}

/// What an answer needs besides its body.
struct Answer<'a> {
    lang: Lang,
    opened: Option<&'a Opened>,
}

impl Answer<'_> {
    fn frame(&self) -> Frame<'_> {
        let (account, kind) = match self.opened {
            Some(o) => (Some(o.account_name.as_str()), o.link.kind),
            None => (None, crate::domain::connection::ConnectorKind::MyUnisoft),
        };
        Frame { lang: self.lang, account, kind }
    }

    /// The page with its headers; forms may post to the page and be redirected to the
    /// consumer's `redirect_url`.
    fn page(&self, status: StatusCode, markup: Markup, cookie: Option<&str>) -> Response {
        let target = self.opened.and_then(|o| redirect_origin(o.consumer.redirect_url.as_deref()));
        let form_action = match target {
            Some(origin) => format!("'self' {origin}"),
            None => "'self'".to_owned(),
        };
        let csp = format!(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action {form_action}; \
             frame-ancestors 'none'; base-uri 'none'"
        );
        let mut res = (status, markup.into_string()).into_response();
        let headers = res.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        if let Ok(csp) = HeaderValue::from_str(&csp) {
            headers.insert(CONTENT_SECURITY_POLICY, csp);
        }
        private(headers);
        if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
            headers.insert(SET_COOKIE, cookie);
        }
        res
    }

    fn message(
        &self,
        status: StatusCode,
        title: &str,
        body: &str,
        again: Option<&str>,
    ) -> Response {
        self.page(status, page::message(&self.frame(), title, body, again), None)
    }

    fn unknown(&self) -> Response {
        let t = self.lang.text();
        self.message(StatusCode::NOT_FOUND, t.unknown_title, t.unknown_body, None)
    }

    fn failed(&self, error: &AppError) -> Response {
        tracing::error!(error = %error, "the connect page failed");
        let t = self.lang.text();
        self.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            t.failed_title,
            t.failed_body,
            Some(t.reload),
        )
    }

    /// A used or expired link (or one out of key attempts): back to the `redirect_url` with `isExpiredError=true`, or a page
    /// that says so.
    fn spent(&self, opened: &Opened) -> Response {
        let link = &opened.link;
        let mut params = vec![("consumerId", opened.consumer.id.to_string())];
        if link.used_at.is_some() || link.purpose == LinkPurpose::Update {
            params.push(("connectionId", link.connection_id.to_string()));
        }
        params.push(("error", link.spent_because().to_owned()));
        params.push(("isExpiredError", "true".to_owned()));
        if let Some(to) = redirect(opened.consumer.redirect_url.as_deref(), &params) {
            return to;
        }
        let t = self.lang.text();
        self.message(StatusCode::GONE, t.spent_title, t.spent_body, None)
    }

    /// Where a finished step leads.
    fn step(&self, opened: &Opened, csrf: &str, step: Step) -> Response {
        match step {
            Step::Connected(connection) => {
                let params = [
                    ("consumerId", opened.consumer.id.to_string()),
                    ("connectionId", connection.id.to_string()),
                    ("connectionStatus", connection.status.as_str().to_owned()),
                    ("isExpiredError", "false".to_owned()),
                ];
                if let Some(to) = redirect(opened.consumer.redirect_url.as_deref(), &params) {
                    return to;
                }
                let t = self.lang.text();
                self.message(StatusCode::OK, t.done_title, t.done_body, None)
            }
            Step::ChooseFolders(folders) => {
                let markup = page::folders_form(&self.frame(), csrf, &folders, None);
                self.page(StatusCode::OK, markup, None)
            }
            Step::Spent => self.spent(opened),
        }
    }
}

/// `no-store` (the page shows a form for a secret) and `no-referrer` (the URL is one).
fn private(headers: &mut HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// The origin of an http(s) `redirect_url`, for `form-action`.
fn redirect_origin(redirect_url: Option<&str>) -> Option<String> {
    let url = reqwest::Url::parse(redirect_url?).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
}

/// A 303 to the consumer's `redirect_url` with `params` added to its query.
fn redirect(redirect_url: Option<&str>, params: &[(&str, String)]) -> Option<Response> {
    let mut url = reqwest::Url::parse(redirect_url?).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    let location = HeaderValue::from_str(url.as_str()).ok()?;
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(LOCATION, location);
    private(res.headers_mut());
    Some(res)
}

/// The nonce of the CSRF cookie, if the browser sent a well-formed one.
fn cookie_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('='))
        .filter(|n| !n.is_empty() && n.len() <= 64)
        .map(str::to_owned)
}

/// The cookie holding `nonce`, for the page's path only, never sent cross-site.
fn set_cookie(s: &AppState, nonce: &str) -> String {
    let base = reqwest::Url::parse(&s.public_url).ok();
    let prefix = base.as_ref().map(|u| u.path().trim_end_matches('/')).unwrap_or_default();
    let secure = if s.public_url.starts_with("https:") { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={nonce}; Path={prefix}{PREFIX}; HttpOnly; SameSite=Strict{secure}")
}

/// The open link `token` names, or the answer when there is none: a page for an unknown link or a
/// failure, the way back (or a page) for a spent one.
async fn open(s: &AppState, token: &str, lang: Lang) -> Result<Box<Opened>, Response> {
    let bare = Answer { lang, opened: None };
    match service::open(s, token).await {
        Err(e) => Err(bare.failed(&e)),
        Ok(Lookup::Unknown) => Err(bare.unknown()),
        Ok(Lookup::Spent(opened)) => Err(Answer { lang, opened: Some(&opened) }.spent(&opened)),
        Ok(Lookup::Open(opened)) => Ok(opened),
    }
}

async fn show(
    State(s): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = Fields::parse(uri.query().unwrap_or_default().as_bytes());
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let opened = match open(&s, &token, lang).await {
        Ok(opened) => opened,
        Err(answered) => return answered,
    };
    let answer = Answer { lang, opened: Some(&opened) };
    let nonce = cookie_nonce(&headers).unwrap_or_else(ConnectKeys::new_nonce);
    let csrf = s.connect_keys.csrf_token(&opened.link.hash, &nonce);
    let cookie = set_cookie(&s, &nonce);
    if query.step.as_deref() != Some("key") {
        // A firm key already checked: back to its folders (after a reload or a language switch).
        match service::held_folders(&s, &opened).await {
            Ok(Some(folders)) => {
                let markup = page::folders_form(&answer.frame(), &csrf, &folders, None);
                return answer.page(StatusCode::OK, markup, Some(&cookie));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "the held key's folders could not be listed"),
        }
    }
    let markup = page::key_form(&answer.frame(), &csrf, None);
    answer.page(StatusCode::OK, markup, Some(&cookie))
}

async fn submit(
    State(s): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form = Fields::parse(&body);
    let query = Fields::parse(uri.query().unwrap_or_default().as_bytes());
    let lang = Lang::negotiate(form.lang.as_deref().or(query.lang.as_deref()), &headers);
    let opened = match open(&s, &token, lang).await {
        Ok(opened) => opened,
        Err(answered) => return answered,
    };
    let answer = Answer { lang, opened: Some(&opened) };
    let t = lang.text();
    let hash = &opened.link.hash;
    let nonce = cookie_nonce(&headers);
    let csrf_ok = match (&nonce, &form.csrf) {
        (Some(nonce), Some(given)) => s.connect_keys.csrf_ok(hash, nonce, given),
        _ => false,
    };
    let Some(nonce) = nonce.filter(|_| csrf_ok) else {
        let fresh = ConnectKeys::new_nonce();
        let markup = page::message(&answer.frame(), t.csrf_title, t.csrf_body, Some(t.reload));
        return answer.page(StatusCode::FORBIDDEN, markup, Some(&set_cookie(&s, &fresh)));
    };
    let csrf = s.connect_keys.csrf_token(hash, &nonce);
    let key_form = |status: StatusCode, error: &str| {
        answer.page(status, page::key_form(&answer.frame(), &csrf, Some(error)), None)
    };
    if form.step.as_deref() == Some("folders") {
        return match service::choose_folders(&s, &opened, &form.folders).await {
            Ok(Choice::Done(step)) => answer.step(&opened, &csrf, step),
            Ok(Choice::NoKeyHeld) => key_form(StatusCode::UNPROCESSABLE_ENTITY, t.key_missing),
            Ok(Choice::NothingChosen(folders)) => {
                let markup =
                    page::folders_form(&answer.frame(), &csrf, &folders, Some(t.nothing_chosen));
                answer.page(StatusCode::UNPROCESSABLE_ENTITY, markup, None)
            }
            Err(e) => answer.failed(&e),
        };
    }
    let key = form.api_token.as_deref().map(str::trim).unwrap_or_default();
    if key.is_empty() {
        return key_form(StatusCode::UNPROCESSABLE_ENTITY, t.key_missing);
    }
    if key.chars().count() > MAX_KEY_CHARS {
        return key_form(StatusCode::UNPROCESSABLE_ENTITY, t.key_refused);
    }
    match service::submit_key(&s, &opened, key.to_owned()).await {
        Ok(step) => answer.step(&opened, &csrf, step),
        Err(AppError::Invalid(_))
        | Err(AppError::Connector(
            ConnectorError::Unauthorized { .. } | ConnectorError::Forbidden { .. },
        )) => key_form(StatusCode::UNPROCESSABLE_ENTITY, t.key_refused),
        Err(AppError::Connector(e)) if e.is_transient() => {
            key_form(StatusCode::SERVICE_UNAVAILABLE, t.upstream_down)
        }
        Err(e) => answer.failed(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_folders_are_kept_and_junk_is_dropped() {
        let fields = Fields::parse(b"csrf=a%2Bb&step=folders&folder=4821&folder=x&folder=4823&z=1");
        assert_eq!(fields.csrf.as_deref(), Some("a+b"));
        assert_eq!(fields.step.as_deref(), Some("folders"));
        assert_eq!(fields.folders, vec![4821, 4823]);
    }

    #[test]
    fn the_csrf_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; passerelle_connect=abc; b=2"));
        assert_eq!(cookie_nonce(&headers).as_deref(), Some("abc"));
        headers.insert(COOKIE, HeaderValue::from_static("passerelle_connectx=abc"));
        assert_eq!(cookie_nonce(&headers), None);
    }

    #[test]
    fn redirects_keep_the_query_and_add_chifts_parameters() {
        let params = [("consumerId", "c1".to_owned()), ("isExpiredError", "true".to_owned())];
        let res = redirect(Some("https://app.example/back?x=1"), &params).unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()[LOCATION],
            "https://app.example/back?x=1&consumerId=c1&isExpiredError=true"
        );
        assert!(redirect(Some("javascript:alert(1)"), &params).is_none());
        assert_eq!(
            redirect_origin(Some("https://app.example:8443/x")).unwrap(),
            "https://app.example:8443"
        );
    }
}
