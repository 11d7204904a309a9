//! The test harness: a real gateway on a free port over a fresh database (PostgreSQL when
//! `DATABASE_URL` points at one, embedded SQLite otherwise).

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
pub use myunisoft_sandbox::{tokens, FaultKind, Faults, Sandbox, SandboxConfig, PARTNER_SECRET};
use passerelle::app::App;
use passerelle::auth::secrets::SecretDigests;
use passerelle::config::{DatabaseSettings, LogFormat, MyUnisoftSettings, Settings};
use passerelle::crypto::{Keyring, MasterKey};
use passerelle::service::accounts::{self, IssuedAccount};
use passerelle::store::Store;
use reqwest::{Client, Method, RequestBuilder, Response};
use secrecy::SecretString;
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub const JWT_SECRET: &str = "integration-tests-jwt-secret-0123456789";

/// A database of its own for one test, dropped afterwards.
pub struct TestDb {
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new() -> Self {
        match std::env::var("DATABASE_URL") {
            Ok(admin) if admin.starts_with("postgres") => Self::postgres(admin).await,
            _ => Self::sqlite(),
        }
    }

    pub fn sqlite() -> Self {
        // Tests open their own pools on the test database too.
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self { url, postgres: None, _dir: Some(dir) }
    }

    pub async fn postgres(admin: String) -> Self {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let name = format!("passerelle_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("PostgreSQL reachable");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let (base, query) = match admin.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin.as_str(), String::new()),
        };
        let (server, _) = base.rsplit_once('/').expect("DATABASE_URL has a database path");
        let url = format!("{server}/{name}{query}");
        Self { url, postgres: Some((admin, name)), _dir: None }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime: use a thread with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(&sql).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

pub fn random_key() -> MasterKey {
    MasterKey::from_bytes(&random_bytes())
}

pub fn random_bytes() -> [u8; 32] {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut out = [0u8; 32];
    OsRng.fill_bytes(&mut out);
    out
}

pub fn base64_key(bytes: &[u8; 32]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Gateway settings over `db`, calling MyUnisoft at `myunisoft` (a sandbox's base URL).
pub fn settings(db: &TestDb, myunisoft: &str) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: "http://gateway.test".into(),
        database: DatabaseSettings { url: db.url.clone() },
        keyring: Keyring::new(random_key(), vec![]),
        jwt_secret: SecretString::from(JWT_SECRET.to_owned()),
        request_timeout: Duration::from_secs(30),
        header_timeout: Duration::from_secs(10),
        shutdown_drain: Duration::ZERO,
        write_lease: Duration::from_secs(30),
        log_format: LogFormat::Text,
        myunisoft: MyUnisoftSettings {
            base_url: myunisoft.to_owned(),
            partner_secret: SecretString::from(PARTNER_SECRET.to_owned()),
            rate_calls: 20,
            rate_window: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            max_body_bytes: passerelle::config::MAX_BODY_BYTES,
            queue_per_token: passerelle::config::QUEUE_PER_TOKEN,
            download_hosts: vec![],
        },
        limits: passerelle::config::TenantLimits::default(),
        webhooks: passerelle::webhooks::WebhookSettings::default(),
        datalayer: passerelle::config::DatalayerSettings::default(),
    }
}

/// A MyUnisoft sandbox on a free port.
pub async fn sandbox(config: SandboxConfig) -> Sandbox {
    Sandbox::start("127.0.0.1:0".parse().unwrap(), config).await.expect("sandbox starts")
}

/// The URL of `path` under the sandbox's admin routes of folder 4821 (the changes a person makes
/// in MyUnisoft).
pub fn sandbox_admin(sb: &Sandbox, path: &str) -> String {
    format!("http://{}/_sandbox/folders/4821{path}", sb.local_addr())
}

/// A running gateway and a client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub http: Client,
    pub store: Store,
    pub settings: Settings,
    pub sandbox: Sandbox,
    stop: Option<oneshot::Sender<()>>,
    pub db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An API account and a valid token for it.
pub struct Tenant {
    pub account: IssuedAccount,
    pub token: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_over(sandbox(SandboxConfig::default()).await, configure).await
    }

    /// A gateway over its own database, calling `sandbox`.
    pub async fn spawn_over(sandbox: Sandbox, configure: impl FnOnce(&mut Settings)) -> Self {
        let db = TestDb::new().await;
        let mut settings = settings(&db, &sandbox.base_url());
        configure(&mut settings);
        let store = Store::open(&db.url).await.expect("store opens and migrates");
        let app = App::build(&settings, store.clone()).await.expect("app builds");
        let addr = app.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.serve(async {
            let _ = stopped.await;
        }));
        Self { addr, http: Client::new(), store, settings, sandbox, stop: Some(stop), db }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    /// A request with a JSON body, as `tenant`.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        tenant: &Tenant,
        body: &Value,
    ) -> Response {
        self.request(method, path, &tenant.token).json(body).send().await.unwrap()
    }

    pub async fn account(&self, name: &str) -> IssuedAccount {
        let digests = SecretDigests::new(&self.settings.jwt_secret);
        accounts::create(&self.store, &digests, name).await.unwrap()
    }

    pub async fn token_response(&self, account: &IssuedAccount) -> Response {
        let body = json!({
            "clientId": account.client_id,
            "clientSecret": account.client_secret,
            "accountId": account.account_id,
        });
        self.http.post(self.url("/token")).json(&body).send().await.unwrap()
    }

    /// A new account with a fresh token.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let account = self.account(name).await;
        let res = self.token_response(&account).await;
        assert_eq!(res.status(), 200);
        let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
        Tenant { account, token }
    }

    pub async fn create_consumer(&self, tenant: &Tenant, body: Value) -> Value {
        let res = self
            .request(Method::POST, "/consumers", &tenant.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "create consumer");
        res.json().await.unwrap()
    }

    /// A consumer with one MyUnisoft connection; returns (consumer id, connection id).
    pub async fn consumer_with_connection(
        &self,
        tenant: &Tenant,
        api_token: &str,
    ) -> (String, String) {
        let consumer = self.create_consumer(tenant, json!({"name": "Boulangerie Martin"})).await;
        let cid = consumer["consumerid"].as_str().unwrap().to_owned();
        let body = json!({"integrationid": 1, "name": "Compta", "credentials": [{"key": "api_token", "value": api_token}]});
        let path = format!("/consumers/{cid}/connections");
        let res =
            self.request(Method::POST, &path, &tenant.token).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
        let connection = url.rsplit('/').next().unwrap().to_owned();
        (cid, connection)
    }
}

/// Reads.
impl TestApp {
    /// A connection's credentials as stored, opened with the gateway's keyring.
    pub async fn credentials(
        &self,
        tenant: &Tenant,
        cid: &str,
        conn: &str,
    ) -> passerelle::domain::connection::Credentials {
        let (account, cid, conn) =
            (tenant.account.account_id, cid.parse().unwrap(), conn.parse().unwrap());
        let connections = self.store.connections();
        let found = connections.credentials(&self.settings.keyring, account, cid, conn).await;
        found.unwrap().expect("the connection exists")
    }

    /// A GET's status and JSON body.
    pub async fn get_json(&self, tenant: &Tenant, path: &str) -> (u16, Value) {
        let res = self.request(Method::GET, path, &tenant.token).send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    /// Every item of a paged list, page by page as the Chift SDK reads it.
    pub async fn all_pages(&self, tenant: &Tenant, path: &str) -> Vec<Value> {
        let mut items = vec![];
        for page in 1.. {
            let sep = if path.contains('?') { '&' } else { '?' };
            let (status, body) =
                self.get_json(tenant, &format!("{path}{sep}page={page}&size=100")).await;
            assert_eq!(status, 200, "{body}");
            let batch = body["items"].as_array().unwrap().clone();
            let total = body["total"].as_u64().unwrap() as usize;
            items.extend(batch.iter().cloned());
            if batch.is_empty() || items.len() >= total {
                break;
            }
        }
        items
    }
}

/// A JSON amount (a number, or a numeric string) as an exact decimal.
pub fn decimal(v: &Value) -> rust_decimal::Decimal {
    v.to_string().trim_matches('"').parse().expect("an amount")
}

/// Asserts the Chift error shape and returns the body.
pub async fn chift_error(res: Response, status: u16, code: &str) -> Value {
    let answered = res.status().as_u16();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let body: Value = res.json().await.unwrap();
    assert_eq!(answered, status, "status of {body}");
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["error_code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body.get("detail").is_some(), "{body}");
    body
}
