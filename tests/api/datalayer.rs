//! The data layer, end to end: `serve` processes over one database and the sandbox over HTTP.

use std::time::{Duration, Instant};

use reqwest::Response;
use serde_json::{json, Value};

use myunisoft_sandbox::Faults;

use crate::process::{account_create, connect_consumer, token, Env, Gateway};
use crate::support::{chift_error, sandbox, tokens, Sandbox, SandboxConfig, TestDb};

pub(crate) fn dl_env(db: &TestDb, sb: &Sandbox) -> Env {
    Env::new(db, &[9u8; 32], sb).set("PASSERELLE_DATALAYER_LEASE_SECS", "2")
}

pub(crate) struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) token: String,
    pub(crate) cid: String,
    pub(crate) connection: String,
}

impl Client {
    pub(crate) async fn get(&self, gw: &Gateway, path: &str, datalayer: Option<&str>) -> Response {
        let url = gw.url(&format!("/consumers/{}/accounting{path}", self.cid));
        let mut req = self.http.get(url).bearer_auth(&self.token);
        if let Some(mode) = datalayer {
            req = req.header("x-chift-datalayer", mode);
        }
        req.send().await.unwrap()
    }

    pub(crate) async fn post(&self, gw: &Gateway, what: &str, body: Value) -> Response {
        let url =
            gw.url(&format!("/consumers/{}/connections/{}/{what}", self.cid, self.connection));
        self.http.post(url).bearer_auth(&self.token).json(&body).send().await.unwrap()
    }

    pub(crate) async fn status(&self, gw: &Gateway) -> Value {
        let url = gw.url(&format!("/consumers/{}/connections/{}", self.cid, self.connection));
        let res = self.http.get(url).bearer_auth(&self.token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()["datalayer"].clone()
    }

    /// Waits (up to `limit`) until the data layer is ready.
    pub(crate) async fn ready(&self, gw: &Gateway, limit: Duration) -> Value {
        let start = Instant::now();
        loop {
            let status = self.status(gw).await;
            if status["status"] == "ready" {
                return status;
            }
            assert!(start.elapsed() < limit, "not ready after {limit:?}: {status}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub(crate) async fn client(gw: &Gateway, env: &Env, api_token: &str) -> Client {
    let account = account_create(env);
    let token = token(gw, &account).await;
    let (cid, connection) = connect_consumer(gw, &token, "Boulangerie", api_token).await;
    Client { http: reqwest::Client::new(), token, cid, connection }
}

/// A data-layer test's start: a database, the sandbox, one `serve` process and a consumer
/// connected with `api_token`, its data layer enabled with `window` and ready. Held whole (its
/// fields borrowed) so that they drop in order: the client, the gateway, the sandbox, the
/// database.
pub(crate) struct Synced {
    pub(crate) c: Client,
    pub(crate) gw: Gateway,
    pub(crate) sb: Sandbox,
    pub(crate) db: TestDb,
    /// The connection's `datalayer` once ready.
    pub(crate) first: Value,
}

/// [`Synced`], syncing every `interval` seconds (the default when `None`); `budget` raises the
/// sandbox's rate limit and the gateway's alike (MyUnisoft's 20 calls per 10 s when `None`).
async fn synced(
    api_token: &str,
    window: Value,
    interval: Option<&str>,
    budget: Option<u32>,
) -> Synced {
    let db = TestDb::new().await;
    let config = SandboxConfig::default();
    let sb =
        sandbox(SandboxConfig { rate_limit: budget.unwrap_or(config.rate_limit), ..config }).await;
    let env = || {
        let env = dl_env(&db, &sb);
        let env = match interval {
            Some(secs) => env.set("PASSERELLE_DATALAYER_INTERVAL_SECS", secs),
            None => env,
        };
        match budget {
            Some(calls) => env.set("MYUNISOFT_RATE_LIMIT", calls.to_string()),
            None => env,
        }
    };
    let gw = Gateway::start(env()).await;
    let c = client(&gw, &env(), api_token).await;
    assert_eq!(c.post(&gw, "enable_datalayer", window).await.status(), 200);
    let first = c.ready(&gw, Duration::from_secs(90)).await;
    Synced { c, gw, sb, db, first }
}

/// The reads compared, each as the live read and as the data-layer read.
const ROUTES: &[&str] = &[
    "/folders",
    "/bookyears",
    "/chart-of-accounts?size=100",
    "/chart-of-accounts?page=2&size=7",
    "/journals",
    "/vat-codes",
    "/payment-methods",
    "/payment-terms",
    "/analytic-plans",
    "/analytic-accounts/multi-analytic-plans",
    "/bank-accounts",
    "/employees",
    "/clients",
    "/clients?search=a",
    "/suppliers?size=3&page=2",
    "/outstandings?type=client&unposted_allowed=false",
    "/outstandings?type=supplier&unposted_allowed=true",
    "/journal/entries?unposted_allowed=false&size=100",
    "/journal/entries?unposted_allowed=true&size=100",
    "/journal/entries?unposted_allowed=false&date_from=2026-01-01&date_to=2026-06-30&size=10&page=2",
    "/invoices/type/customer_invoice?size=100",
    "/invoices/type/supplier_invoice?include_payments=true&include_partner_info=true",
    "/invoices/type/customer_invoice?payment_status=unpaid&include_invoice_lines=true",
];

async fn json_of(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn a_connection_enabled_is_pending_then_serves_what_live_serves() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    // The first process does not sync: the data layer stays pending until a second one does.
    let quiet = Gateway::start(dl_env(&db, &sb).set("PASSERELLE_DATALAYER_SYNC", "off")).await;
    let c = client(&quiet, &dl_env(&db, &sb), tokens::SOCIETY_PORT).await;
    assert_eq!(c.status(&quiet).await, json!({"status": "not_enabled", "last_sync_date": null}));
    let res = c.get(&quiet, "/journals", Some("true")).await;
    chift_error(res, 409, "ERROR_DATALAYER_NOT_ENABLED").await;

    let res = c.post(&quiet, "enable_datalayer", json!({"full_history": true})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(c.status(&quiet).await["status"], "syncing");
    let res = c.get(&quiet, "/journals", Some("true")).await;
    chift_error(res, 409, "ERROR_DATALAYER_SYNC_PENDING").await;
    let res = c.get(&quiet, "/journals", Some("if_available")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-chift-datalayer-source"], "classic");

    let syncing = Gateway::start(dl_env(&db, &sb)).await;
    let status = c.ready(&quiet, Duration::from_secs(90)).await;
    assert!(status["last_sync_date"].is_string(), "{status}");

    every_route_reads_from_the_store_what_live_reads(&c, &quiet, &sb, None).await;
    drop(syncing);
}

/// Each of [`ROUTES`] (of `folder` when given) read from the data layer, without any upstream
/// call, equals the live read.
async fn every_route_reads_from_the_store_what_live_reads(
    c: &Client,
    gw: &Gateway,
    sb: &Sandbox,
    folder: Option<&str>,
) {
    sb.clear_requests();
    for route in ROUTES {
        let route = match folder {
            None => (*route).to_owned(),
            Some(f) if route.contains('?') => format!("{route}&folder_id={f}"),
            Some(f) => format!("{route}?folder_id={f}"),
        };
        let (stored_status, stored) = {
            let res = c.get(gw, &route, Some("true")).await;
            assert_eq!(res.headers()["x-chift-datalayer-source"], "datalayer", "{route}");
            assert!(res.headers().contains_key("x-chift-datalayer-synced-at"), "{route}");
            json_of(res).await
        };
        assert!(sb.requests().is_empty(), "{route} called upstream: {:?}", sb.requests());
        let (live_status, live) = json_of(c.get(gw, &route, None).await).await;
        assert_eq!(stored_status, live_status, "{route}");
        assert_eq!(first_difference(&stored, &live, String::new()), None, "{route}");
        assert_eq!(live_status, 200, "{route}: {live}");
        sb.clear_requests();
    }
    every_partys_contacts_read_from_the_store_what_live_reads(c, gw, sb, folder).await;
}

/// The contacts of each client and supplier, read from the data layer without any upstream
/// call, equal the live read.
async fn every_partys_contacts_read_from_the_store_what_live_reads(
    c: &Client,
    gw: &Gateway,
    sb: &Sandbox,
    folder: Option<&str>,
) {
    let folder = folder.map(|f| format!("&folder_id={f}")).unwrap_or_default();
    let mut with_contacts = 0;
    for (list, partner_type) in [("clients", "client"), ("suppliers", "supplier")] {
        let route = format!("/{list}?size=100{folder}");
        let (_, parties) = json_of(c.get(gw, &route, Some("true")).await).await;
        for party in parties["items"].as_array().unwrap() {
            let id = party["id"].as_str().unwrap();
            let route = format!("/contacts?partner_type={partner_type}&partner_id={id}{folder}");
            sb.clear_requests();
            let res = c.get(gw, &route, Some("true")).await;
            assert_eq!(res.headers()["x-chift-datalayer-source"], "datalayer", "{route}");
            let (_, stored) = json_of(res).await;
            assert!(sb.requests().is_empty(), "{route} called upstream: {:?}", sb.requests());
            let (live_status, live) = json_of(c.get(gw, &route, None).await).await;
            assert_eq!(live_status, 200, "{route}: {live}");
            assert_eq!(first_difference(&stored, &live, String::new()), None, "{route}");
            with_contacts += usize::from(stored["total"].as_u64().unwrap_or(0) > 0);
        }
    }
    assert!(with_contacts > 0, "no party of the folder has contacts");
}

#[tokio::test]
async fn a_firm_connection_reads_each_folder_from_the_store_as_live() {
    let only = json!({"full_history": true, "entity_filter": {"folder_ids": ["4821"]}});
    let started = synced(tokens::FIRM, only, None, None).await;
    let Synced { c, gw, sb, .. } = &started;
    every_route_reads_from_the_store_what_live_reads(c, gw, sb, Some("4821")).await;
    // A folder left out of the window is read live.
    let res = c.get(gw, "/journals?folder_id=4822", Some("if_available")).await;
    assert_eq!(res.headers()["x-chift-datalayer-source"], "classic");
}

/// Where two JSON values first differ: the path and both sides.
pub(crate) fn first_difference(a: &Value, b: &Value, at: String) -> Option<(String, Value, Value)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<_> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let (l, r) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                first_difference(l, r, format!("{at}.{k}"))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (l, r))| first_difference(l, r, format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some((at, a.clone(), b.clone())),
    }
}

/// The ids of the first page of `route`, read from the data layer.
async fn stored_ids(c: &Client, gw: &Gateway, route: &str) -> Vec<String> {
    let res = c.get(gw, route, Some("true")).await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_write_is_read_back_from_the_data_layer_at_once() {
    let all = json!({"full_history": true});
    let started = synced(tokens::SOCIETY_PORT, all, Some("3600"), None).await;
    let Synced { c, gw, .. } = &started;

    let url = gw.url(&format!("/consumers/{}/accounting/clients", c.cid));
    let body = json!({"name": "Fromagerie Lune", "addresses": []});
    let res = c.http.post(url).bearer_auth(&c.token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let listed = stored_ids(c, gw, "/clients?size=100").await;
    assert!(listed.contains(&id), "{id} not in {listed:?}");
    let res = c.get(gw, &format!("/clients/{id}"), Some("true")).await;
    assert_eq!(res.headers()["x-chift-datalayer-source"], "datalayer");
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "Fromagerie Lune");
    // Its contacts too, as MyUnisoft answers them.
    let route = format!("/contacts?partner_type=client&partner_id={id}");
    let res = c.get(gw, &route, Some("true")).await;
    assert_eq!(res.headers()["x-chift-datalayer-source"], "datalayer");
    let (_, stored) = json_of(res).await;
    let (_, live) = json_of(c.get(gw, &route, None).await).await;
    assert_eq!(first_difference(&stored, &live, String::new()), None);
}

#[tokio::test]
async fn disabling_drops_the_stored_copy() {
    let started = synced(tokens::SOCIETY_PORT, json!({}), None, None).await;
    let Synced { c, gw, sb, db, .. } = &started;
    let res = c.post(gw, "refresh_datalayer", json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "triggered");
    let cli = |args: &[&str]| -> Value {
        let mut all = vec!["datalayer"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--consumer", &c.cid]);
        let out = dl_env(db, sb).run(&all);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let shown = cli(&["status"]);
    let connection = &shown["connections"][0];
    assert_eq!(connection["status"], "ready", "{shown}");
    assert!(connection["records"]["journals"].as_i64().unwrap() > 0, "{shown}");
    assert!(connection["records"]["entries"].as_i64().unwrap() > 0, "{shown}");
    assert_eq!(cli(&["refresh"])["due"], json!([c.connection]));

    assert_eq!(c.post(gw, "disable_datalayer", json!({})).await.status(), 204);
    assert_eq!(c.status(gw).await["status"], "not_enabled");
    let shown = cli(&["status"]);
    assert_eq!(shown["connections"][0]["status"], "not_enabled");
    assert_eq!(shown["connections"][0]["records"], json!({}), "the stored copy is dropped");
    chift_error(c.get(gw, "/journals", Some("true")).await, 409, "ERROR_DATALAYER_NOT_ENABLED")
        .await;
    let res = c.post(gw, "enable_datalayer", json!({"entity_filter": {"shops": ["1"]}})).await;
    let body = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert!(body.to_string().contains("entity_filter.shops"), "{body}");
    assert_eq!(cli(&["enable", "--full-history"])["enabled"], json!([c.connection]));
    c.ready(gw, Duration::from_secs(90)).await;
}

#[tokio::test]
async fn two_replicas_never_sync_one_connection_at_once_and_a_killed_one_is_taken_over() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    // Slow upstream calls: a sync takes seconds, long enough to kill its process mid-way.
    sb.set_faults(Faults { latency: Duration::from_millis(150), ..Faults::default() });
    let env = || dl_env(&db, &sb).set("PASSERELLE_DATALAYER_INTERVAL_SECS", "1");
    let first = Gateway::start(env()).await;
    let c = client(&first, &env(), tokens::SOCIETY_PORT).await;
    assert_eq!(
        c.post(&first, "enable_datalayer", json!({"full_history": true})).await.status(),
        200
    );
    // Let the first process claim the sync, then kill it mid-sync.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let second = Gateway::start(env()).await;
    let third = Gateway::start(env()).await;
    first.kill();
    c.ready(&second, Duration::from_secs(90)).await;
    // A few more syncs by the two survivors, every second.
    tokio::time::sleep(Duration::from_secs(4)).await;
    drop(third);
    let runs = runs_of(&db, &c.connection).await;
    assert!(runs.len() >= 3, "{runs:?}");
    assert!(runs[0].2.is_none(), "the killed process never finished its run: {runs:?}");
    let finished: Vec<_> = runs.iter().filter(|r| r.2.is_some()).collect();
    for pair in finished.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(a.2.unwrap() <= b.1, "runs overlap: {a:?} and {b:?}");
    }
    assert!(runs[1].1 >= runs[0].1 + 2_000_000, "taken over after the lease: {runs:?}");
    drop(second);
}

/// The connection's sync runs: (owner, started, finished).
async fn runs_of(db: &TestDb, connection: &str) -> Vec<(String, i64, Option<i64>)> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let rows = sqlx::query(
        "SELECT owner, started_at, finished_at FROM datalayer_sync_runs \
         WHERE connection_id = $1 ORDER BY started_at",
    )
    .bind(connection)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r.get("owner"), r.get("started_at"), r.get::<Option<i64>, _>("finished_at")))
        .collect()
}

#[tokio::test]
async fn forged_or_stale_webhooks_are_refused_and_a_signed_one_triggers_a_sync() {
    // A budget the first sync does not exhaust: the refresh a webhook asks for is not kept
    // waiting by it.
    let budget = Some(200);
    let started = synced(tokens::SOCIETY_PORT, json!({}), Some("3600"), budget).await;
    // Taken apart (the gateway is stopped at the end), the database first so that it drops last.
    let Synced { db: _db, sb, gw, c, first } = started;
    let body = br#"[{"name":"accountingLineEntry","operation":"CREATE","scope":{"schemaId":1,"accountingFolderId":4821},"data":{"id":1},"webhookId":1,"createdAt":1}]"#;
    let deliver = |date: String, signature: String| {
        c.http
            .post(gw.url("/myunisoft/webhooks"))
            .header("date", date)
            .header("signature", signature)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
    };
    let now = chrono::Utc::now().timestamp_millis();
    let key = crate::support::PARTNER_SECRET.as_bytes();
    let hmac = passerelle::crypto::hmac_sha256_hex;
    let sign = |date: &str| hmac(key, &[body, date.as_bytes()]);
    let forged = hmac(b"not the key", &[body, now.to_string().as_bytes()]);
    assert_eq!(deliver(now.to_string(), forged).await.unwrap().status(), 401);
    // Larger than any batch of events: refused unread, whatever it claims.
    let huge = vec![b' '; 300 * 1024];
    let post = |date: String, signature: Option<String>| {
        let mut req = c.http.post(gw.url("/myunisoft/webhooks")).header("date", date);
        if let Some(signature) = signature {
            req = req.header("signature", signature);
        }
        req.body(huge.clone()).send()
    };
    let date = now.to_string();
    let res = post(date.clone(), Some(hmac(key, &[&huge, date.as_bytes()]))).await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(post(date, None).await.unwrap().status(), 401, "unsigned");
    let old = (now - 600_000).to_string();
    assert_eq!(deliver(old.clone(), sign(&old)).await.unwrap().status(), 401);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    sb.clear_requests();
    let now = chrono::Utc::now().timestamp_millis().to_string();
    assert_eq!(deliver(now.clone(), sign(&now)).await.unwrap().status(), 204);
    assert_eq!(deliver(now.clone(), sign(&now)).await.unwrap().status(), 204, "a duplicate");
    let start = Instant::now();
    loop {
        let status = c.status(&gw).await;
        if status["last_sync_date"] != first["last_sync_date"] {
            break;
        }
        if start.elapsed() > Duration::from_secs(2) {
            gw.terminate();
            let (_, logs) = gw.wait();
            panic!("no sync within 2 s: {status}\n{logs}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // An entry event reads what MyUnisoft recorded since the last sync, not every year again.
    let incremental = sb
        .requests()
        .iter()
        .any(|r| r.path == "/api/v1/mad/entries" && r.query.contains("dateFilter=myunisoft"));
    assert!(incremental, "{:?}", sb.requests());
    let route = "/journal/entries?unposted_allowed=true&size=100";
    let (_, live) = json_of(c.get(&gw, route, None).await).await;
    let (_, stored) = json_of(c.get(&gw, route, Some("true")).await).await;
    assert_eq!(first_difference(&stored, &live, String::new()), None);
    let metrics = reqwest::get(gw.url("/metrics")).await.unwrap().text().await.unwrap();
    for line in [
        r#"passerelle_datalayer_webhooks_total{outcome="accepted"} 1"#,
        r#"passerelle_datalayer_webhooks_total{outcome="duplicate"} 1"#,
        r#"passerelle_datalayer_webhooks_total{outcome="bad_signature"} 2"#,
        r#"passerelle_datalayer_webhooks_total{outcome="stale"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} missing");
    }
}

#[tokio::test]
async fn changes_made_in_myunisoft_reach_the_data_layer_within_2_s_of_their_webhooks() {
    // MyUnisoft's own budget: 20 calls per 10 s.
    let only = json!({"entity_filter": {"folder_ids": ["4821"]}});
    let started = synced(tokens::FIRM, only, Some("3600"), None).await;
    let Synced { c, gw, sb, .. } = &started;
    assert_eq!(sb.webhook_subscriptions(), 1, "a firm connection subscribes");
    // The first sync's calls hold the token's window for 10 s after they answered: wait it out,
    // so that the changes below measure their webhooks' runs, not the end of that window.
    tokio::time::sleep(Duration::from_secs(11)).await;

    // Written through Passerelle: in the data layer at once.
    let url = gw.url(&format!("/consumers/{}/accounting/clients?folder_id=4821", c.cid));
    let body = json!({"name": "Cave Saint-Jean", "account_number": "411CAVE", "addresses": []});
    let res = c.http.post(url).bearer_auth(&c.token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let route = "/clients?folder_id=4821&size=100";
    assert!(stored_ids(c, gw, route).await.contains(&id));

    // Deleted by a person in MyUnisoft: gone once its webhook is heard.
    let admin = format!("http://{}/_sandbox/folders/4821/third-parties/411CAVE", sb.local_addr());
    let res = c.http.delete(admin).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let deleted = Instant::now();
    while stored_ids(c, gw, route).await.contains(&id) {
        assert!(deleted.elapsed() < Duration::from_secs(2), "still listed 2 s after its webhook");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, live) = json_of(c.get(gw, route, None).await).await;
    let (_, stored) = json_of(c.get(gw, route, Some("true")).await).await;
    assert_eq!(first_difference(&stored, &live, String::new()), None);

    // Renamed in MyUnisoft.
    let sandbox_admin =
        |path: &str| format!("http://{}/_sandbox/folders/4821{path}", sb.local_addr());
    let body = json!({"label": "HOTEL DES DUNES"});
    let res = c.http.patch(sandbox_admin("/third-parties/411HOTEL")).json(&body).send().await;
    assert_eq!(res.unwrap().status(), 204);
    let renamed = Instant::now();
    loop {
        let (_, page) = json_of(c.get(gw, route, Some("true")).await).await;
        if page["items"].as_array().unwrap().iter().any(|i| i["name"] == "HOTEL DES DUNES") {
            break;
        }
        assert!(renamed.elapsed() < Duration::from_secs(2), "not renamed 2 s after its webhook");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A fiscal year closed in MyUnisoft.
    let years = "/bookyears?folder_id=4821";
    let (_, before) = json_of(c.get(gw, years, Some("true")).await).await;
    let open = before["items"].as_array().unwrap().iter().find(|y| y["closed"] == false).unwrap();
    let id = open["id"].as_str().unwrap().to_owned();
    let res = c.http.post(sandbox_admin(&format!("/exercices/{id}/close"))).send().await;
    assert_eq!(res.unwrap().status(), 204);
    let closed = Instant::now();
    loop {
        let (_, page) = json_of(c.get(gw, years, Some("true")).await).await;
        let year = page["items"].as_array().unwrap().iter().find(|y| y["id"] == id.as_str());
        if year.unwrap()["closed"] == true {
            let (_, live) = json_of(c.get(gw, years, None).await).await;
            assert_eq!(first_difference(&page, &live, String::new()), None);
            break;
        }
        assert!(closed.elapsed() < Duration::from_secs(2), "not closed 2 s after its webhook");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert_eq!(c.post(gw, "disable_datalayer", json!({})).await.status(), 204);
    assert_eq!(sb.webhook_subscriptions(), 0, "disabling unsubscribes");
}

#[tokio::test]
async fn a_new_window_keeps_the_one_subscription_and_deleting_the_consumer_ends_it() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = || dl_env(&db, &sb).set("PASSERELLE_DATALAYER_INTERVAL_SECS", "3600");
    let gw = Gateway::start(env()).await;
    let c = client(&gw, &env(), tokens::FIRM).await;
    let only = json!({"entity_filter": {"folder_ids": ["4821"]}});
    assert_eq!(c.post(&gw, "enable_datalayer", only).await.status(), 200);
    assert_eq!(sb.webhook_subscriptions(), 1);
    let (status, info) = json_of(c.post(&gw, "enable_datalayer", json!({})).await).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(sb.webhook_subscriptions(), 1, "a new window subscribes no second time");
    let url = gw.url(&format!("/consumers/{}", c.cid));
    let res = c.http.delete(url).bearer_auth(&c.token).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(sb.webhook_subscriptions(), 0, "deleting the consumer unsubscribes");
}

#[tokio::test]
async fn without_webhooks_a_change_arrives_within_one_poll_interval() {
    // A society token: MyUnisoft offers it no webhooks, so the data layer polls.
    let started = synced(tokens::SOCIETY_PORT, json!({}), Some("2"), Some(200)).await;
    let Synced { c, gw, sb, .. } = &started;
    assert_eq!(sb.webhook_subscriptions(), 0);

    let admin = format!("http://{}/_sandbox/folders/4821/third-parties/411HOTEL", sb.local_addr());
    let body = json!({"label": "HOTEL DU PHARE"});
    assert_eq!(c.http.patch(admin).json(&body).send().await.unwrap().status(), 204);
    let changed = Instant::now();
    loop {
        let (_, page) = json_of(c.get(gw, "/clients?size=100", Some("true")).await).await;
        if page["items"].as_array().unwrap().iter().any(|i| i["name"] == "HOTEL DU PHARE") {
            break;
        }
        // One interval, plus the time of the sync that reads it.
        assert!(changed.elapsed() < Duration::from_secs(5), "not polled within an interval");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
