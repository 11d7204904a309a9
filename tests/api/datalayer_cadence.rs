//! What a data-layer run reads again: outstandings (the lettering state) on their own, slower
//! cadence, and at once after a matching through Passerelle.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::datalayer::{client, dl_env, Client};
use crate::process::Gateway;
use crate::support::{sandbox, tokens, SandboxConfig, TestDb};

const OPEN_ITEMS: &str = "/outstandings?type=client&unposted_allowed=false";

/// Waits (up to a minute) for a sync run that ends after now.
async fn next_run(c: &Client, gw: &Gateway) {
    let before = c.status(gw).await["last_sync_date"].clone();
    let start = Instant::now();
    while c.status(gw).await["last_sync_date"] == before {
        assert!(start.elapsed() < Duration::from_secs(60), "no run after {before}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn page(c: &Client, gw: &Gateway, datalayer: Option<&str>) -> Value {
    let res = c.get(gw, OPEN_ITEMS, datalayer).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The entry of each line, from every page of the stored posted entries.
async fn entries_of_lines(c: &Client, gw: &Gateway) -> HashMap<String, Value> {
    let mut entry_of = HashMap::new();
    for page in 1.. {
        let route = format!("/journal/entries?unposted_allowed=false&size=100&page={page}");
        let res = c.get(gw, &route, Some("true")).await;
        let body: Value = res.json().await.unwrap();
        let entries = body["items"].as_array().unwrap();
        for entry in entries {
            for line in entry["items"].as_array().unwrap() {
                entry_of.insert(line["id"].to_string(), entry["id"].clone());
            }
        }
        if entries.len() < 100 {
            return entry_of;
        }
    }
    entry_of
}

/// The entries of two open items of one client, neither matched yet: (client, entries).
fn two_unmatched_of_one_client(page: &Value, entry_of: &HashMap<String, Value>) -> (Value, Value) {
    let unmatched: Vec<(&Value, &Value)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["matching_numbers"].as_array().is_none_or(Vec::is_empty))
        .filter_map(|i| Some((&i["partner_id"], entry_of.get(&i["id"].to_string())?)))
        .collect();
    unmatched
        .iter()
        .find_map(|(partner, a)| {
            let (_, b) = unmatched.iter().find(|(p, b)| p == partner && b != a)?;
            Some(((*partner).clone(), json!([a, b])))
        })
        .expect("the seed has a client with two open items")
}

#[tokio::test]
async fn outstandings_are_read_again_on_their_slower_cadence_or_at_once_after_a_matching() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    // A run every 2 s; outstandings on the default cadence of 30 minutes.
    let env = || dl_env(&db, &sb).set("PASSERELLE_DATALAYER_INTERVAL_SECS", "2");
    let gw = Gateway::start(env()).await;
    let c = client(&gw, &env(), tokens::SOCIETY_PORT).await;
    assert_eq!(c.post(&gw, "enable_datalayer", json!({})).await.status(), 200);
    c.ready(&gw, Duration::from_secs(90)).await;
    let stored = page(&c, &gw, Some("true")).await;

    sb.clear_requests();
    // Two runs: the second one read everything after the requests were cleared.
    next_run(&c, &gw).await;
    next_run(&c, &gw).await;
    let read = sb.requests();
    assert!(read.iter().any(|r| r.path == "/api/v1/mad/entries"), "the run read upstream");
    let lettering = read.iter().filter(|r| r.query.contains("lettering=")).count();
    assert_eq!(lettering, 0, "a run on the cadence read outstandings again");

    // Matched through Passerelle: the matching run reads them again at once.
    let entry_of = entries_of_lines(&c, &gw).await;
    let (partner, entries) = two_unmatched_of_one_client(&stored, &entry_of);
    let url = gw.url(&format!("/consumers/{}/accounting/matching", c.cid));
    let body = json!({"entries": entries, "partner_id": partner});
    let res = c.http.post(url).bearer_auth(&c.token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let matched = Instant::now();
    // Read from the store only: live reads in a loop would spend the budget the run needs.
    let changed = loop {
        let now = page(&c, &gw, Some("true")).await;
        if now != stored {
            break now;
        }
        // Within the budget syncs may use, after the two runs above.
        assert!(matched.elapsed() < Duration::from_secs(60), "outstandings not read again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(changed, page(&c, &gw, None).await, "read again as live reads them");
}
