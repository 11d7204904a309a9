//! Several `serve` processes on one database: one upstream budget, one login throttle, one write
//! per request id (even when a replica dies mid-write), and caches that hear every change.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use myunisoft_sandbox::{Faults, RecordedRequest};

use crate::support::{chift_error, random_bytes, sandbox, tokens, Sandbox, SandboxConfig, TestDb};

use crate::process::{account_create, connect_consumer, token, Env, Gateway};

#[tokio::test]
async fn three_gateway_processes_share_one_upstream_budget() {
    let db = TestDb::new().await;
    let window = Duration::from_secs(1);
    let sb =
        sandbox(SandboxConfig { rate_limit: 20, rate_window: window, ..SandboxConfig::default() })
            .await;
    let env = || {
        Env::new(&db, &[7u8; 32], &sb)
            .set("MYUNISOFT_RATE_LIMIT", "20")
            .set("MYUNISOFT_RATE_WINDOW_MS", window.as_millis().to_string())
    };
    let account = account_create(&env());
    let replicas =
        [Gateway::start(env()).await, Gateway::start(env()).await, Gateway::start(env()).await];
    let token = token(&replicas[0], &account).await;
    let http = reqwest::Client::new();
    let (cid, _) =
        connect_consumer(&replicas[0], &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    sb.clear_requests();
    let filter = json!({"accounts": ["6"], "end": "202606"});
    let calls = (0..60).map(|i| {
        let gateway = &replicas[i % 3];
        http.post(gateway.url(&format!("/consumers/{cid}/accounting/chart-of-accounts/balance")))
            .bearer_auth(&token)
            .json(&filter)
            .send()
    });
    for res in futures_util::future::join_all(calls).await {
        let res = res.unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    let stats = sb.stats();
    assert_eq!(stats.rejected_429, 0, "no call was refused upstream");
    assert!(
        stats.max_in_window_per_token <= 20,
        "{} calls in one window",
        stats.max_in_window_per_token
    );
    assert!(sb.requests().len() >= 60, "each balance read the movements");
}

/// A client whose connections come from `127.0.0.{last}`.
fn client_from(last: u8) -> reqwest::Client {
    let addr = std::net::IpAddr::from([127, 0, 0, last]);
    reqwest::Client::builder().local_address(addr).build().unwrap()
}

/// The statuses of `POST /token` with `body`, sent `n` times to `gateway` from `client`.
async fn token_statuses(
    client: &reqwest::Client,
    gateway: &Gateway,
    body: &Value,
    n: usize,
) -> Vec<u16> {
    let mut statuses = vec![];
    for _ in 0..n {
        let res = client.post(gateway.url("/token")).json(body).send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn token_failures_spread_over_two_gateway_processes_add_up() {
    let db = TestDb::new().await;
    if !db.url.starts_with("postgres") {
        eprintln!("DATABASE_URL is not PostgreSQL: one SQLite process keeps its counts in memory");
        return;
    }
    let sb = sandbox(SandboxConfig::default()).await;
    let env = || Env::new(&db, &[9u8; 32], &sb).set("RUST_LOG", "warn");
    let account = account_create(&env());
    let (a, b) = (Gateway::start(env()).await, Gateway::start(env()).await);
    let with = |secret: &Value| json!({"clientId": account["clientId"], "clientSecret": secret, "accountId": account["accountId"]});
    let (wrong, right) = (with(&json!("ps_guess")), with(&account["clientSecret"]));

    // Five failures lock a clientId from one address: three on A, then two on B.
    let guesser = client_from(3);
    assert_eq!(token_statuses(&guesser, &a, &wrong, 3).await, [401; 3]);
    assert_eq!(token_statuses(&guesser, &b, &wrong, 3).await, [401, 401, 429]);
    for gateway in [&a, &b] {
        assert_eq!(token_statuses(&guesser, gateway, &wrong, 1).await, [429]);
        assert_eq!(
            token_statuses(&guesser, gateway, &right, 1).await,
            [429],
            "even the right secret waits"
        );
    }

    // Twenty failures lock an address whatever the clientIds: ten made-up ones on each.
    let flooder = client_from(4);
    for gateway in [&a, &b] {
        for _ in 0..10 {
            let made_up = json!({"clientId": passerelle::auth::secrets::new_client_id(),
                                 "clientSecret": "ps_guess", "accountId": account["accountId"]});
            assert_eq!(token_statuses(&flooder, gateway, &made_up, 1).await, [401]);
        }
    }
    for gateway in [&a, &b] {
        assert_eq!(token_statuses(&flooder, gateway, &right, 1).await, [429]);
    }

    // The client, from its own address, is refused by neither.
    let client = client_from(5);
    for gateway in [&a, &b] {
        assert_eq!(token_statuses(&client, gateway, &right, 1).await, [200]);
    }
    for gateway in [a, b] {
        gateway.terminate();
        assert!(gateway.wait().0);
    }
}

/// The id of the item of the accounting list `list` whose `field` is `value`.
async fn listed(
    gateway: &Gateway,
    token: &str,
    cid: &str,
    list: &str,
    field: &str,
    value: &str,
) -> String {
    let url = gateway.url(&format!("/consumers/{cid}/accounting/{list}?page=1&size=100"));
    let page: Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    let found = items.iter().find(|i| i[field] == value).expect("seeded");
    found["id"].as_str().unwrap().to_owned()
}

/// Two gateways over one database and sandbox, with a consumer on the society token: (a, b,
/// token, consumer id, the entry to write).
async fn two_gateways_and_an_entry(
    db: &TestDb,
    sb: &Sandbox,
    lease: &str,
) -> (Gateway, Gateway, String, String, Value) {
    let env = || Env::new(db, &[7u8; 32], sb).set("PASSERELLE_WRITE_LEASE_SECS", lease);
    let account = account_create(&env());
    let (a, b) = (Gateway::start(env()).await, Gateway::start(env()).await);
    let token = token(&a, &account).await;
    let (cid, _) = connect_consumer(&a, &token, "Boulangerie", tokens::SOCIETY_PORT).await;
    let od = listed(&a, &token, &cid, "journals", "code", "20").await;
    let supplier = listed(&a, &token, &cid, "suppliers", "account_number", "401MINOT").await;
    let entry = crate::entry_writes::purchase(&od, &supplier, "RPL001");
    (a, b, token, cid, entry)
}

fn write(
    gateway: &Gateway,
    token: &str,
    cid: &str,
    request_id: &str,
    entry: &Value,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(gateway.url(&format!("/consumers/{cid}/accounting/journal-entries")))
        .bearer_auth(token)
        .header("x-chift-client-requestid", request_id)
        .json(entry)
}

fn entries_written(sb: &Sandbox) -> Vec<(String, Option<String>)> {
    sb.partner_entries(4821).into_iter().filter(|(p, _)| p.starts_with("psrl-")).collect()
}

#[tokio::test]
async fn two_gateway_processes_given_one_request_id_at_once_write_one_entry() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let (a, b, token, cid, entry) = two_gateways_and_an_entry(&db, &sb, "30").await;
    // Slow enough upstream that the two requests overlap.
    sb.set_faults(Faults { latency: Duration::from_millis(300), ..Faults::default() });
    let (first, second) = tokio::join!(
        write(&a, &token, &cid, "same-1", &entry).send(),
        write(&b, &token, &cid, "same-1", &entry).send()
    );
    let mut answers = vec![first.unwrap(), second.unwrap()];
    answers.sort_by_key(|r| r.status());
    let busy = answers.pop().unwrap();
    let done = answers.pop().unwrap();
    assert_eq!(done.status(), 200);
    let created: Value = done.json().await.unwrap();
    chift_error(busy, 409, "REQUEST_IN_PROCESS").await;
    let written = entries_written(&sb);
    assert_eq!(written.len(), 1, "one entry upstream");
    assert_eq!(created["id"].as_str(), Some(written[0].0.as_str()));
    for gateway in [a, b] {
        gateway.terminate();
        gateway.wait();
    }
}

/// Kills a gateway during a write once `stage` holds of what MyUnisoft received, then replays the
/// write on another gateway: 409 while the dead one's lease runs, then the write finished once.
/// Answers how many entries had landed before the replay.
async fn a_replay_finishes_the_write_of_a_killed_gateway(
    stage: impl Fn(&[RecordedRequest]) -> bool,
) -> usize {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let (a, b, token, cid, entry) = two_gateways_and_an_entry(&db, &sb, "2").await;
    sb.set_faults(Faults { latency: Duration::from_millis(1_500), ..Faults::default() });
    sb.clear_requests();
    let dying = tokio::spawn(write(&a, &token, &cid, "dies-1", &entry).send());
    let started = Instant::now();
    while !stage(&sb.requests()) {
        assert!(started.elapsed() < Duration::from_secs(60), "the write never got there");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill();
    assert!(dying.await.unwrap().is_err(), "the client lost its answer");
    sb.set_faults(Faults::default());
    // Its lease is still running: the replay is told the request is in process.
    let replay = || write(&b, &token, &cid, "dies-1", &entry).send();
    chift_error(replay().await.unwrap(), 409, "REQUEST_IN_PROCESS").await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let landed_before = entries_written(&sb).len();
    let resumed = replay().await.unwrap();
    assert_eq!(resumed.status(), 200);
    let created: Value = resumed.json().await.unwrap();
    assert_eq!(created["name"], "RPL001");
    let written = entries_written(&sb);
    assert_eq!(written.len(), 1, "one entry upstream");
    assert_eq!(created["id"].as_str(), Some(written[0].0.as_str()));
    chift_error(replay().await.unwrap(), 409, "REQUEST_ALREADY_PROCESSED").await;
    b.terminate();
    b.wait();
    landed_before
}

fn is_import(r: &RecordedRequest) -> bool {
    r.method == "POST" && r.path == "/api/v1/entry"
}

#[tokio::test]
async fn a_write_whose_gateway_died_while_sending_its_import_is_finished_once_by_a_replay() {
    let sending = |log: &[RecordedRequest]| log.iter().any(is_import);
    // Whether MyUnisoft finished the import of a dead sender is its business: either way the
    // replay leaves exactly one entry.
    let landed = a_replay_finishes_the_write_of_a_killed_gateway(sending).await;
    println!("killed while sending: {landed} entry landed before the replay");
}

#[tokio::test]
async fn a_write_whose_gateway_died_after_its_import_landed_is_found_by_a_replay() {
    // A call after the import means the import was answered: the entry exists.
    let answered = |log: &[RecordedRequest]| {
        log.iter().position(is_import).is_some_and(|at| log.len() > at + 1)
    };
    let landed = a_replay_finishes_the_write_of_a_killed_gateway(answered).await;
    assert_eq!(landed, 1, "the replay found the entry instead of sending it again");
}

/// Three `serve` processes on one PostgreSQL database (SQLite serves one process only), a
/// token, and a consumer connected with the bakery's society token (folder 4821).
struct Replicas {
    replicas: [Gateway; 3],
    token: String,
    cid: String,
    connection: String,
}

impl Replicas {
    async fn start(db: &TestDb, sb: &Sandbox) -> Option<Self> {
        if !db.url.starts_with("postgres") {
            eprintln!("DATABASE_URL is not PostgreSQL: replicas need one shared database; skipped");
            return None;
        }
        let key = random_bytes();
        let account = account_create(&Env::new(db, &key, sb));
        let mut replicas = vec![];
        for _ in 0..3 {
            replicas.push(Gateway::start(Env::new(db, &key, sb)).await);
        }
        let replicas: [Gateway; 3] = replicas.try_into().ok()?;
        let token = token(&replicas[0], &account).await;
        let (cid, connection) =
            connect_consumer(&replicas[0], &token, "Boulangerie", tokens::SOCIETY_PORT).await;
        Some(Self { replicas, token, cid, connection })
    }

    /// The accounting route `route` of the consumer.
    fn accounting(&self, route: &str) -> String {
        format!("/consumers/{}/accounting/{route}", self.cid)
    }

    /// Reads `path` through every replica, twice (the second answer comes from its cache),
    /// expecting `status`.
    async fn read_everywhere(&self, path: &str, status: u16) {
        let http = reqwest::Client::new();
        for replica in &self.replicas {
            for _ in 0..2 {
                let res = http.get(replica.url(path)).bearer_auth(&self.token).send().await;
                let res = res.unwrap();
                assert_eq!(res.status(), status, "{}", res.text().await.unwrap());
            }
        }
    }
}

/// Asks every replica for `path` until each answers `status`; returns how long that took.
async fn until_every_replica_answers(
    replicas: &[Gateway; 3],
    token: &str,
    path: &str,
    status: u16,
) -> Duration {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut pending: Vec<&Gateway> = replicas.iter().collect();
    while !pending.is_empty() && started.elapsed() < Duration::from_secs(5) {
        let mut still = vec![];
        for replica in pending {
            let res = http.get(replica.url(path)).bearer_auth(token).send().await.unwrap();
            if res.status() != status {
                still.push(replica);
            }
        }
        pending = still;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(pending.is_empty(), "{} replicas never answered {status} for {path}", pending.len());
    started.elapsed()
}

#[tokio::test]
async fn a_connection_deleted_through_one_replica_is_refused_by_every_replica_within_a_second() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let Some(r) = Replicas::start(&db, &sb).await else { return };
    let journals = r.accounting("journals?folder_id=4821");
    r.read_everywhere(&journals, 200).await;

    let http = reqwest::Client::new();
    let res = http
        .delete(r.replicas[1].url(&format!("/consumers/{}/connections/{}", r.cid, r.connection)))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let took = until_every_replica_answers(&r.replicas, &r.token, &journals, 400).await;
    assert!(
        took < Duration::from_secs(1),
        "the replicas served the deleted connection for {took:?}"
    );
    for replica in &r.replicas {
        let res = http.get(replica.url(&journals)).bearer_auth(&r.token).send().await.unwrap();
        let body = crate::support::chift_error(res, 400, "ERROR_NO_ACTIVE_CONNECTION").await;
        assert!(body["message"].as_str().unwrap().contains(&r.cid), "{body}");
    }
}

#[tokio::test]
async fn new_credentials_patched_through_one_replica_are_used_by_the_others_within_a_second() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let Some(r) = Replicas::start(&db, &sb).await else { return };
    let port = r.accounting("journals?folder_id=4821");
    let garage = r.accounting("journals?folder_id=4822");
    r.read_everywhere(&port, 200).await;
    r.read_everywhere(&garage, 422).await;

    let body = json!({"credentials": [{"key": "api_token", "value": tokens::SOCIETY_GARAGE}]});
    let res = reqwest::Client::new()
        .patch(r.replicas[2].url(&format!("/consumers/{}/connections/{}", r.cid, r.connection)))
        .bearer_auth(&r.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let took = until_every_replica_answers(&r.replicas, &r.token, &garage, 200).await;
    assert!(took < Duration::from_secs(1), "the replicas used the old token for {took:?}");
    until_every_replica_answers(&r.replicas, &r.token, &port, 422).await;
}

#[tokio::test]
async fn a_change_made_while_the_replicas_stopped_listening_is_not_served_from_their_cache() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let Some(r) = Replicas::start(&db, &sb).await else { return };
    let journals = r.accounting("journals?folder_id=4821");
    r.read_everywhere(&journals, 200).await;

    // Cut every replica's listening connection, then change the database behind their backs:
    // the announcement reaches nobody.
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let listening: Vec<(i32,)> = sqlx::query_as(
        "SELECT pid FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(listening.len(), 3, "one listening connection per replica");
    for (pid,) in &listening {
        sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(&pool).await.unwrap();
    }
    for (pid,) in &listening {
        while sqlx::query("SELECT 1 FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_optional(&pool)
            .await
            .unwrap()
            .is_some()
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    sqlx::query("DELETE FROM connections WHERE id = $1")
        .bind(&r.connection)
        .execute(&pool)
        .await
        .unwrap();
    let took = until_every_replica_answers(&r.replicas, &r.token, &journals, 400).await;
    assert!(took < Duration::from_secs(1), "a replica served its cache for {took:?}");
    for replica in r.replicas {
        replica.terminate();
        let (_, logs) = replica.wait();
        assert!(logs.contains("stopped hearing changes"), "{logs}");
    }
}
