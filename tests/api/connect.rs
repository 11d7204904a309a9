//! The connect flow: activation links answered by connection writes without credentials, and the
//! hosted page that completes them (key checked upstream, folders chosen, single use, expiry,
//! CSRF), driven as a browser does, without JavaScript.

use reqwest::header::{HeaderMap, CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Method};
use serde_json::{json, Value};
use sqlx::Row;

use crate::process::{account_create, create_consumer, token, Env, Gateway};
use crate::support::{
    chift_error, random_bytes, sandbox, tokens, SandboxConfig, Tenant, TestApp, TestDb,
};

/// A browser on the page: keeps the CSRF cookie, follows no redirect, reads the CSRF field.
struct Browser {
    http: Client,
    base: String,
    cookie: Option<String>,
    csrf: Option<String>,
}

/// What the browser got.
struct Seen {
    status: u16,
    headers: HeaderMap,
    html: String,
}

impl Seen {
    fn location(&self) -> String {
        self.headers[LOCATION].to_str().unwrap().to_owned()
    }
}

impl Browser {
    fn new(base: String) -> Self {
        let http = Client::builder().redirect(Policy::none()).build().unwrap();
        Self { http, base, cookie: None, csrf: None }
    }

    async fn read(&mut self, res: reqwest::Response) -> Seen {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        if let Some(set) = headers.get(SET_COOKIE) {
            self.cookie = Some(set.to_str().unwrap().split(';').next().unwrap().to_owned());
        }
        let html = res.text().await.unwrap();
        if let Some(csrf) = field_value(&html, "csrf") {
            self.csrf = Some(csrf);
        }
        Seen { status, headers, html }
    }

    async fn get(&mut self, path: &str) -> Seen {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            req = req.header("cookie", cookie);
        }
        let res = req.send().await.unwrap();
        self.read(res).await
    }

    /// Posts the form fields with the CSRF token last read and the cookie.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Seen {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        form.push(("csrf", &csrf));
        let mut req = self.http.post(format!("{}{path}", self.base)).form(&form);
        if let Some(cookie) = &self.cookie {
            req = req.header("cookie", cookie);
        }
        let res = req.send().await.unwrap();
        self.read(res).await
    }
}

/// The `value` of the input named `name`.
fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// `/connect/{token}` from a link.
fn link_path(url: &str) -> String {
    let at = url.find("/connect/").expect("an activation link");
    url[at..].to_owned()
}

fn query(location: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(location).unwrap();
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn param(location: &str, name: &str) -> Option<String> {
    query(location).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

async fn consumer(app: &TestApp, tenant: &Tenant, redirect_url: Option<&str>) -> String {
    let body = json!({"name": "Cabinet Martin", "redirect_url": redirect_url});
    app.create_consumer(tenant, body).await["consumerid"].as_str().unwrap().to_owned()
}

/// A link creating a connection of `cid`.
async fn new_link(app: &TestApp, tenant: &Tenant, cid: &str) -> String {
    let path = format!("/consumers/{cid}/connections");
    let res = app.send_json(Method::POST, &path, tenant, &json!({"name": "Compta"})).await;
    assert_eq!(res.status(), 200);
    let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://gateway.test/connect/"), "{url}");
    link_path(&url)
}

/// A gateway, an account named `account`, a consumer with `redirect_url`, a link creating its
/// connection, and a browser that has not opened it yet.
struct Scene {
    app: TestApp,
    tenant: Tenant,
    cid: String,
    link: String,
    browser: Browser,
}

async fn scene(account: &str, redirect_url: Option<&str>) -> Scene {
    let app = TestApp::spawn().await;
    let tenant = app.tenant(account).await;
    let cid = consumer(&app, &tenant, redirect_url).await;
    let link = new_link(&app, &tenant, &cid).await;
    let browser = Browser::new(app.url(""));
    Scene { app, tenant, cid, link, browser }
}

async fn connections(app: &TestApp, tenant: &Tenant, cid: &str) -> Value {
    app.get_json(tenant, &format!("/consumers/{cid}/connections")).await.1
}

#[tokio::test]
async fn a_firm_key_given_on_the_page_connects_the_folders_the_customer_kept() {
    let Scene { app, tenant, cid, link, mut browser } =
        scene("Logiciel Acme", Some("https://app.example/back?from=passerelle")).await;
    assert_eq!(connections(&app, &tenant, &cid).await, json!([]), "nothing before the customer");
    let page = browser.get(&link).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    let csp = page.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'; style-src 'self'"), "{csp}");
    assert!(csp.contains("form-action 'self' https://app.example;"), "{csp}");
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert!(page.html.contains("<html lang=\"fr\">"));
    assert!(page.html.contains("<strong>Logiciel Acme</strong> demande l'accès"), "{}", page.html);
    assert!(page.html.contains("Paramètres &gt; Connecteurs"));
    assert!(page.html.contains("name=\"api_token\""));
    assert!(!page.html.contains("<script"));
    let cookie = page.headers[SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/connect"), "{cookie}");

    let folders = browser.post(&link, &[("step", "key"), ("api_token", tokens::FIRM)]).await;
    assert_eq!(folders.status, 200, "{}", folders.html);
    assert_eq!(folders.html.matches("type=\"checkbox\"").count(), 3);
    assert_eq!(folders.html.matches(" checked").count(), 3, "all ticked by default");
    assert!(folders.html.contains("BOULANGERIE DU PORT"));
    assert!(!folders.html.contains(tokens::FIRM), "the key is never shown back");
    assert_eq!(connections(&app, &tenant, &cid).await, json!([]), "stored once folders are chosen");

    let done =
        browser.post(&link, &[("step", "folders"), ("folder", "4821"), ("folder", "4823")]).await;
    assert_eq!(done.status, 303);
    let location = done.location();
    assert!(location.starts_with("https://app.example/back?from=passerelle&"), "{location}");
    assert_eq!(param(&location, "consumerId").as_deref(), Some(cid.as_str()));
    assert_eq!(param(&location, "connectionStatus").as_deref(), Some("active"));
    assert_eq!(param(&location, "isExpiredError").as_deref(), Some("false"));
    let conn = param(&location, "connectionId").unwrap();

    let list = connections(&app, &tenant, &cid).await;
    assert_eq!(list[0]["connectionid"], conn.as_str());
    assert_eq!(list[0]["name"], "Compta");
    assert_eq!(list[0]["status"], "active");
    assert_eq!(list[0]["data"]["selected"], json!([4821, 4823]));
    let accounting = format!("/consumers/{cid}/accounting");
    let (_, folders) = app.get_json(&tenant, &format!("{accounting}/folders")).await;
    let selected: Vec<(&str, bool)> = folders
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["selected"].as_bool().unwrap()))
        .collect();
    assert_eq!(selected, [("4821", true), ("4822", false), ("4823", true)]);
    let (status, _) = app.get_json(&tenant, &format!("{accounting}/journals?folder_id=4823")).await;
    assert_eq!(status, 200);
    let res =
        app.request(Method::GET, &format!("{accounting}/journals?folder_id=4822"), &tenant.token);
    let error = chift_error(res.send().await.unwrap(), 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(error["detail"][0]["loc"], json!(["query", "folder_id"]));
    assert!(error.to_string().contains("not selected"), "{error}");
    let res = app.request(Method::GET, &format!("{accounting}/journals"), &tenant.token);
    chift_error(res.send().await.unwrap(), 422, "ERROR_INVALID_QUERY_PARAMETER").await;

    // Used: the link sends the customer back with isExpiredError=true.
    let again = browser.get(&link).await;
    assert_eq!(again.status, 303);
    let back = again.location();
    assert_eq!(param(&back, "isExpiredError").as_deref(), Some("true"));
    assert_eq!(param(&back, "error").as_deref(), Some("link_used"));
    assert_eq!(param(&back, "connectionId").as_deref(), Some(conn.as_str()));
}

#[tokio::test]
async fn a_society_key_connects_at_once_and_its_link_works_once() {
    let Scene { app, tenant, cid, link, mut browser } = scene("Acme", None).await;
    browser.get(&link).await;
    let done = browser.post(&link, &[("step", "key"), ("api_token", tokens::SOCIETY_PORT)]).await;
    assert_eq!(done.status, 200, "no redirect_url: the page says it is done");
    assert!(done.html.contains("MyUnisoft est connecté"), "{}", done.html);
    let list = connections(&app, &tenant, &cid).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["data"]["access"], "society");
    // Default folder: the society's own.
    let journals = format!("/consumers/{cid}/accounting/journals");
    assert_eq!(app.get_json(&tenant, &journals).await.0, 200);

    // The same form sent again, and the link opened again: spent, nothing more stored.
    let replay =
        browser.post(&link, &[("step", "key"), ("api_token", tokens::SOCIETY_GARAGE)]).await;
    assert_eq!(replay.status, 410);
    assert!(replay.html.contains("Ce lien a expiré"));
    assert_eq!(browser.get(&link).await.status, 410);
    assert_eq!(connections(&app, &tenant, &cid).await.as_array().unwrap().len(), 1);

    // The database keeps a hash of the link's token, never the token, and no key once done.
    let token = link.trim_start_matches("/connect/");
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let row = sqlx::query("SELECT token_hash, credentials, used_at FROM connect_links")
        .fetch_one(&pool)
        .await
        .unwrap();
    let hash: String = row.get("token_hash");
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(token));
    assert!(row.get::<Option<Vec<u8>>, _>("credentials").is_none());
    assert!(row.get::<Option<i64>, _>("used_at").is_some());
}

#[tokio::test]
async fn a_refused_key_says_so_stores_nothing_and_can_be_retried() {
    let Scene { app, tenant, cid, link, mut browser } =
        scene("Acme", Some("https://app.example/back")).await;
    browser.get(&format!("{link}?lang=en")).await;
    for key in [tokens::REVOKED, "not-a-myunisoft-key", "   "] {
        let refused =
            browser.post(&link, &[("step", "key"), ("lang", "en"), ("api_token", key)]).await;
        assert_eq!(refused.status, 422, "{key}");
        assert!(refused.html.contains("role=\"alert\""));
        assert!(refused.html.contains("<html lang=\"en\">"));
        let expected = if key.trim().is_empty() {
            "Paste your MyUnisoft API key"
        } else {
            "MyUnisoft refused this key"
        };
        assert!(refused.html.contains(expected), "{}", refused.html);
        assert!(!refused.html.contains(key.trim()) || key.trim().is_empty());
    }
    assert_eq!(connections(&app, &tenant, &cid).await, json!([]));
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let held: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM connect_links WHERE credentials IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap()
            .get("n");
    assert_eq!(held, 0);

    let done = browser.post(&link, &[("step", "key"), ("api_token", tokens::SOCIETY_GARAGE)]).await;
    assert_eq!(done.status, 303);
    assert_eq!(param(&done.location(), "connectionStatus").as_deref(), Some("active"));
}

#[tokio::test]
async fn a_link_checks_at_most_ten_keys_upstream() {
    let Scene { app, tenant, cid, link, mut browser } =
        scene("Acme", Some("https://app.example/back")).await;
    browser.get(&link).await;
    for _ in 0..10 {
        let refused = browser.post(&link, &[("step", "key"), ("api_token", tokens::REVOKED)]).await;
        assert_eq!(refused.status, 422);
    }
    let checked =
        || app.sandbox.requests().iter().filter(|r| r.path.ends_with("/key/info")).count();
    assert_eq!(checked(), 10);
    let spent = browser.post(&link, &[("step", "key"), ("api_token", tokens::SOCIETY_PORT)]).await;
    assert_eq!(spent.status, 303);
    assert_eq!(param(&spent.location(), "error").as_deref(), Some("too_many_attempts"));
    assert_eq!(param(&spent.location(), "isExpiredError").as_deref(), Some("true"));
    assert_eq!(checked(), 10, "the eleventh key is not checked");
    assert_eq!(browser.get(&link).await.status, 303);
    assert_eq!(connections(&app, &tenant, &cid).await, json!([]));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_and_cookie_is_refused() {
    let Scene { app, tenant, cid, link, mut browser } = scene("Acme", None).await;
    let other = new_link(&app, &tenant, &consumer(&app, &tenant, None).await).await;
    let key = [("step", "key"), ("api_token", tokens::SOCIETY_PORT)];

    // No cookie, no token: as a form posted from another site.
    let mut stranger = Browser::new(app.url(""));
    let refused = stranger.post(&link, &key).await;
    assert_eq!(refused.status, 403);
    assert!(refused.html.contains("Formulaire expiré"));

    // A token read on another link does not open this one.
    browser.get(&other).await;
    assert_eq!(browser.post(&link, &key).await.status, 403);
    // The right token without its cookie neither.
    browser.get(&link).await;
    browser.cookie = None;
    assert_eq!(browser.post(&link, &key).await.status, 403);
    assert_eq!(connections(&app, &tenant, &cid).await, json!([]));
    assert_eq!(app.sandbox.requests().iter().filter(|r| r.path.ends_with("/key/info")).count(), 0);
}

#[tokio::test]
async fn an_expired_link_is_refused_and_sends_back_with_is_expired_error() {
    let Scene { app, tenant, cid: with_redirect, link, mut browser } =
        scene("Acme", Some("https://app.example/back")).await;
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let expire = || async {
        sqlx::query("UPDATE connect_links SET expires_at = 0").execute(&pool).await.unwrap();
    };
    browser.get(&link).await;
    expire().await;
    let back = browser.post(&link, &[("step", "key"), ("api_token", tokens::SOCIETY_PORT)]).await;
    assert_eq!(back.status, 303);
    let location = back.location();
    assert_eq!(param(&location, "isExpiredError").as_deref(), Some("true"));
    assert_eq!(param(&location, "error").as_deref(), Some("link_expired"));
    assert_eq!(param(&location, "consumerId").as_deref(), Some(with_redirect.as_str()));

    let without = consumer(&app, &tenant, None).await;
    let link = new_link(&app, &tenant, &without).await;
    expire().await;
    let page = browser.get(&format!("{link}?lang=en")).await;
    assert_eq!(page.status, 410);
    assert!(page.html.contains("This link has expired"));
    assert!(page.html.contains("Ask <strong>Acme</strong> for a new one"), "{}", page.html);
    assert!(page.html.contains("30 minutes"));
    assert_eq!(connections(&app, &tenant, &without).await, json!([]));
    assert_eq!(connections(&app, &tenant, &with_redirect).await, json!([]));
}

#[tokio::test]
async fn a_patch_without_credentials_rekeys_the_connection_and_keeps_its_id() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, conn) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let path = format!("/consumers/{cid}/connections/{conn}");
    let (app, tenant, path) = (&app, &tenant, &path);
    let patch = |body: Value| async move {
        let res = app.send_json(Method::PATCH, path, tenant, &body).await;
        assert_eq!(res.status(), 200);
        link_path(res.json::<Value>().await.unwrap()["url"].as_str().unwrap())
    };
    let first = patch(json!({})).await;
    let link = patch(json!({"name": "Compta cabinet"})).await;
    assert_ne!(first, link);
    let (_, read) = app.get_json(tenant, path).await;
    assert_eq!(read["name"], "Compta cabinet", "a new name applies at once");
    assert_eq!(read["data"]["access"], "society", "the old key serves until the new one is given");

    let mut browser = Browser::new(app.url(""));
    assert_eq!(browser.get(&first).await.status, 404, "a newer link replaces an unused one");
    browser.get(&link).await;
    browser.post(&link, &[("step", "key"), ("api_token", tokens::FIRM)]).await;
    let done = browser.post(&link, &[("step", "folders"), ("folder", "4822")]).await;
    assert_eq!(done.status, 200, "{}", done.html);

    let list = connections(app, tenant, &cid).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["connectionid"], conn.as_str(), "same id");
    assert_eq!(list[0]["name"], "Compta cabinet");
    assert_eq!(list[0]["data"]["access"], "firm");
    assert_eq!(list[0]["data"]["selected"], json!([4822]));
    let creds = app.credentials(tenant, &cid, &conn).await;
    assert_eq!(creds.get("api_token"), Some(tokens::FIRM));
    // The only folder chosen is the default one; the others are refused.
    let accounting = format!("/consumers/{cid}/accounting");
    assert_eq!(app.get_json(tenant, &format!("{accounting}/journals")).await.0, 200);
    let calls = app.sandbox.requests();
    let last = calls.iter().rev().find(|r| r.path.ends_with("/diary")).expect("journals read");
    assert_eq!(last.society_id.as_deref(), Some("4822"));
    let res =
        app.request(Method::GET, &format!("{accounting}/journals?folder_id=4821"), &tenant.token);
    chift_error(res.send().await.unwrap(), 422, "ERROR_INVALID_QUERY_PARAMETER").await;
}

#[tokio::test]
async fn unknown_and_forged_links_are_a_page_that_says_so() {
    let Scene { app, tenant, cid, link, mut browser } = scene("Acme", None).await;
    let mut forged = link.clone().into_bytes();
    let at = "/connect/".len();
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    for path in [String::from_utf8(forged).unwrap(), "/connect/nothing".into()] {
        let page = browser.get(&format!("{path}?lang=en")).await;
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
        assert!(page.html.contains("Invalid link"));
    }
    let css = browser.get("/connect/assets/connect.css").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    // A link for another account's consumer, or an unknown one, is never issued.
    let other = app.tenant("Other").await;
    let res = app
        .send_json(Method::POST, &format!("/consumers/{cid}/connections"), &other, &json!({}))
        .await;
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    let unknown = format!("/consumers/{}/connections", uuid::Uuid::new_v4());
    let res = app.send_json(Method::POST, &unknown, &tenant, &json!({})).await;
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
}

#[tokio::test]
async fn the_page_speaks_the_browsers_language_and_switches() {
    let Scene { app, link, .. } = scene("Acme", None).await;
    let read = |path: String, accepted: &'static str| async move {
        let res = Client::new().get(path).header("accept-language", accepted).send().await;
        res.unwrap().text().await.unwrap()
    };
    let english = read(app.url(&link), "en-GB,en;q=0.9,fr;q=0.5").await;
    assert!(english.contains("<html lang=\"en\">") && english.contains("Settings &gt; Connectors"));
    assert!(english.contains("href=\"?lang=fr\""), "the switch offers French");
    let french = read(app.url(&format!("{link}?lang=fr")), "en").await;
    assert!(french.contains("<html lang=\"fr\">") && french.contains("href=\"?lang=en\""));
}

/// The real `passerelle serve` process: a link's token reaches no log line.
#[tokio::test]
async fn the_gateway_process_serves_the_page_and_never_logs_the_link() {
    let db = TestDb::new().await;
    let myunisoft = sandbox(SandboxConfig::default()).await;
    let env = Env::new(&db, &random_bytes(), &myunisoft).set("RUST_LOG", "info,tower_http=debug");
    let account = account_create(&env);
    let gateway = Gateway::start(env.set("PASSERELLE_PUBLIC_URL", "https://connect.example")).await;
    let token = token(&gateway, &account).await;
    let http = Client::new();
    let cid = create_consumer(&gateway, &token, "Cabinet").await;
    let res = http
        .post(gateway.url(&format!("/consumers/{cid}/connections")))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("https://connect.example/connect/"), "{url}");
    let path = link_path(&url);
    let mut browser = Browser::new(gateway.url(""));
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.headers[SET_COOKIE].to_str().unwrap().contains("; Secure"), "https public URL");
    let refused = browser.post(&path, &[("step", "key"), ("api_token", tokens::REVOKED)]).await;
    assert_eq!(refused.status, 422);
    gateway.terminate();
    let (_, logs) = gateway.wait();
    let secret = path.trim_start_matches("/connect/");
    assert!(logs.contains("/connect/{token}"), "requests are logged by their template");
    assert!(!logs.contains(secret), "the link's token is never logged");
    assert!(!logs.contains(tokens::REVOKED), "nor the key");
}
