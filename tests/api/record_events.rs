//! Accounting record events: what the data layer's sync sees change in MyUnisoft (edited,
//! deleted, a fiscal year closed) reaches a subscribed receiver, signed, with the record as the
//! API answers it; the first load and Passerelle's own writes are not announced twice; each
//! run is announced, and a failing sync is an issue the next success closes.

use std::time::Duration;

use serde_json::{json, Value};

use myunisoft_sandbox::{FaultKind, Faults};

use crate::datalayer::{self, client, Client};
use crate::process::{get_json, Env, Gateway};
use crate::receiver::{delivering_here, hex_hmac, subscribe, Received, Receiver, SECRET};
use crate::support::{sandbox, sandbox_admin, tokens, Sandbox, SandboxConfig, TestDb};

const WAIT: Duration = Duration::from_secs(20);

/// Data layer and webhooks over one database; syncs only when asked (or told by MyUnisoft).
fn dl_env(db: &TestDb, sb: &Sandbox) -> Env {
    delivering_here(datalayer::dl_env(db, sb))
        .set("PASSERELLE_DATALAYER_INTERVAL_SECS", "3600")
        .set("MYUNISOFT_RATE_LIMIT", "200")
}

/// An account, subscribed to `events`, with a firm connection whose data layer keeps folder 4821
/// (first load done).
async fn open_books(gw: &Gateway, env: &Env, receiver: &Receiver, events: &[&str]) -> Client {
    let books = client(gw, env, tokens::FIRM).await;
    for event in events {
        subscribe(gw, &books.token, event, &receiver.url).await;
    }
    let only = json!({"entity_filter": {"folder_ids": ["4821"]}});
    assert_eq!(books.post(gw, "enable_datalayer", only).await.status(), 200);
    books
}

/// A live read of `path`, answered 200.
async fn read(books: &Client, gw: &Gateway, path: &str) -> Value {
    let res = books.get(gw, path, None).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// Signed with the webhook's secret, about `books`' connection and folder 4821.
fn check_delivery(got: &Received, books: &Client) {
    assert_eq!(got.signature.as_deref(), Some(hex_hmac(SECRET, &got.raw).as_str()));
    assert_eq!(got.body["connectionid"], books.connection.as_str());
    assert_eq!(got.body["consumerid"], books.cid.as_str());
    assert_eq!(got.body["folder_id"], "4821");
}

fn accounting_events(receiver: &Receiver) -> Vec<Value> {
    let all = receiver.accepted().into_iter().map(|r| r.body);
    all.filter(|b| b["event"].as_str().is_some_and(|e| e.starts_with("accounting."))).collect()
}

#[tokio::test]
async fn changes_made_in_myunisoft_arrive_as_signed_record_events() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig { rate_limit: 200, ..SandboxConfig::default() }).await;
    let receiver = Receiver::start().await;
    let gw = Gateway::start(dl_env(&db, &sb)).await;
    let events = [
        "accounting.client.created",
        "accounting.client.updated",
        "accounting.client.deleted",
        "accounting.bookyear.updated",
        "account.datalayer.refresh_executed",
    ];
    let books = open_books(&gw, &dl_env(&db, &sb), &receiver, &events).await;
    let refreshed = receiver.wait_for("account.datalayer.refresh_executed", 1, WAIT).await;
    assert_eq!(refreshed[0].body["status"], "ok");
    assert_eq!(refreshed[0].body["connectionid"], books.connection.as_str());
    assert_eq!(refreshed[0].body["error"], Value::Null);
    assert_eq!(accounting_events(&receiver), Vec::<Value>::new(), "the first load is not news");

    // Written through Passerelle: announced once, by the write.
    let body = json!({"name": "Cave Saint-Jean", "account_number": "411CAVE", "addresses": []});
    let url = gw.url(&format!("/consumers/{}/accounting/clients?folder_id=4821", books.cid));
    let res = books.http.post(url).bearer_auth(&books.token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let cave = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    receiver.wait_for("accounting.client.created", 1, WAIT).await;

    // Renamed by a person in MyUnisoft: its webhook makes the data layer read the clients again.
    let rename = json!({"label": "HOTEL DES DUNES"});
    let res = books.http.patch(sandbox_admin(&sb, "/third-parties/411HOTEL")).json(&rename);
    assert_eq!(res.send().await.unwrap().status(), 204);
    let edited = std::time::Instant::now();
    let updated = receiver.wait_for("accounting.client.updated", 1, WAIT).await;
    eprintln!("edited in MyUnisoft to accounting.client.updated received: {:?}", edited.elapsed());
    check_delivery(&updated[0], &books);
    let event = &updated[0].body;
    assert_eq!(event["record_type"], "client");
    assert_eq!(event["change"], "updated");
    assert_eq!(event["record"]["name"], "HOTEL DES DUNES");
    let hotel = event["record_id"].as_str().unwrap().to_owned();
    let answered = read(&books, &gw, &format!("/clients/{hotel}?folder_id=4821")).await;
    assert_eq!(event["record"], answered, "the record as the API answers it");

    // Deleted in MyUnisoft (the client written through Passerelle above).
    let res = books.http.delete(sandbox_admin(&sb, "/third-parties/411CAVE")).send().await;
    assert_eq!(res.unwrap().status(), 204);
    let deleted = receiver.wait_for("accounting.client.deleted", 1, WAIT).await;
    check_delivery(&deleted[0], &books);
    assert_eq!(deleted[0].body["record_id"], cave.as_str());
    assert_eq!(deleted[0].body.get("record"), None, "a deletion carries the id only");
    assert_eq!(deleted[0].body["change"], "deleted");

    // A fiscal year closed in MyUnisoft is an update of the year.
    let years = read(&books, &gw, "/bookyears?folder_id=4821").await;
    let open = years["items"].as_array().unwrap().iter().find(|y| y["closed"] == false).unwrap();
    let year = open["id"].as_str().unwrap().to_owned();
    let res = books.http.post(sandbox_admin(&sb, &format!("/exercices/{year}/close"))).send().await;
    assert_eq!(res.unwrap().status(), 204);
    let closed = receiver.wait_for("accounting.bookyear.updated", 1, WAIT).await;
    check_delivery(&closed[0], &books);
    assert_eq!(closed[0].body["record_id"], year.as_str());
    assert_eq!(closed[0].body["record"]["closed"], true);

    // Every run is announced; the client written through Passerelle was stored as answered, so
    // no sync announced its creation again.
    let runs = receiver.wait_for("account.datalayer.refresh_executed", 4, WAIT).await;
    assert!(runs.iter().all(|r| r.body["status"] == "ok"));
    let about_cave: Vec<Value> = accounting_events(&receiver)
        .into_iter()
        .filter(|e| e["record_id"] == cave.as_str())
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(about_cave, ["accounting.client.created", "accounting.client.deleted"]);
    let names: Vec<String> = accounting_events(&receiver)
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "accounting.client.created",
            "accounting.client.updated",
            "accounting.client.deleted",
            "accounting.bookyear.updated"
        ],
        "one event per change"
    );
}

#[tokio::test]
async fn a_failing_sync_is_announced_and_an_issue_that_the_next_success_closes() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig { rate_limit: 200, ..SandboxConfig::default() }).await;
    let receiver = Receiver::start().await;
    let gw = Gateway::start(dl_env(&db, &sb)).await;
    let events = ["account.datalayer.refresh_executed", "account.issue.created"];
    let books = open_books(&gw, &dl_env(&db, &sb), &receiver, &events).await;
    receiver.wait_for("account.datalayer.refresh_executed", 1, WAIT).await;

    // MyUnisoft refuses the sync's first read.
    sb.set_faults(Faults { fail_next: vec![FaultKind::Status(401)], ..Faults::default() });
    assert_eq!(books.post(&gw, "refresh_datalayer", json!({})).await.status(), 200);
    let runs = receiver.wait_for("account.datalayer.refresh_executed", 2, WAIT).await;
    assert_eq!(runs[1].body["status"], "failed");
    assert!(runs[1].body["error"].as_str().is_some_and(|e| !e.is_empty()), "{}", runs[1].body);
    let opened = receiver.wait_for("account.issue.created", 1, WAIT).await;
    assert_eq!(opened[0].body["error_code"], "ERROR_DATALAYER_SYNC");
    assert_eq!(opened[0].body["connectionid"], books.connection.as_str());
    let issue = opened[0].body["issueid"].as_str().unwrap().to_owned();
    let path = format!("/issues/{issue}");
    let read_issue = || async {
        let (status, issue) = get_json(&gw, &books.token, &path).await;
        assert_eq!(status, 200);
        issue
    };
    assert_eq!(read_issue().await["status"], "open");

    // The next run succeeds: the issue closes.
    assert_eq!(books.post(&gw, "refresh_datalayer", json!({})).await.status(), 200);
    let runs = receiver.wait_for("account.datalayer.refresh_executed", 3, WAIT).await;
    assert_eq!(runs[2].body["status"], "ok", "{}", runs[2].body);
    let issue = read_issue().await;
    assert_eq!(issue["status"], "closed", "{issue}");
}
