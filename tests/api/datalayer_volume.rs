//! The data layer at volume: a fiscal year of generated movements (the sandbox's large mode,
//! folder 4823) stored by a streamed first sync, and served from the store (entries and the FEC)
//! as live serves them, without an upstream call.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::Row;

use crate::datalayer::{client, dl_env, first_difference, Client};
use crate::process::Gateway;
use crate::support::{sandbox, tokens, SandboxConfig, TestDb};

/// The answer's status and bytes.
async fn bytes_of(c: &Client, gw: &Gateway, path: &str, datalayer: Option<&str>) -> Vec<u8> {
    let res = c.get(gw, path, datalayer).await;
    assert_eq!(res.status(), 200, "{path}");
    if datalayer.is_some() {
        assert_eq!(res.headers()["x-chift-datalayer-source"], "datalayer", "{path}");
    }
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_year_is_stored_and_its_entries_and_fec_are_served_as_live_without_upstream_calls()
{
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    sb.set_large_movements(20_000);
    let env = || dl_env(&db, &sb).set("PASSERELLE_DATALAYER_INTERVAL_SECS", "3600");
    let gw = Gateway::start(env()).await;
    let c = client(&gw, &env(), tokens::FIRM).await;
    let only = json!({"full_history": true, "entity_filter": {"folder_ids": ["4823"]}});
    assert_eq!(c.post(&gw, "enable_datalayer", only).await.status(), 200);
    c.ready(&gw, Duration::from_secs(90)).await;

    let entries = "/journal/entries?folder_id=4823&unposted_allowed=true\
                   &date_from=2026-01-01&date_to=2026-12-31&size=100&page=37";
    let stored: Value =
        serde_json::from_slice(&bytes_of(&c, &gw, entries, Some("true")).await).unwrap();
    let live: Value = serde_json::from_slice(&bytes_of(&c, &gw, entries, None).await).unwrap();
    assert_eq!(stored["items"].as_array().map(Vec::len), Some(100), "{stored}");
    assert_eq!(first_difference(&stored, &live, String::new()), None);

    let window = "folder_id=4823&date_from=2026-02-01&date_to=2026-11-30";
    for format in ["txt", "json"] {
        let path = format!("/export-fec?{window}&format={format}");
        sb.clear_requests();
        let from_store = bytes_of(&c, &gw, &path, Some("true")).await;
        let calls = sb.requests();
        assert!(calls.is_empty(), "the stored {format} FEC called upstream: {calls:?}");
        let live = bytes_of(&c, &gw, &path, None).await;
        assert!(live.len() > 100_000, "{format}: {} bytes", live.len());
        assert!(from_store == live, "the stored {format} FEC differs from the live one");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_deleted_upstream_is_tombstoned_by_the_next_sync() {
    let db = TestDb::new().await;
    let sb = sandbox(SandboxConfig::default()).await;
    let env = || dl_env(&db, &sb).set("PASSERELLE_DATALAYER_INTERVAL_SECS", "3600");
    let gw = Gateway::start(env()).await;
    let c = client(&gw, &env(), tokens::SOCIETY_PORT).await;
    assert_eq!(c.post(&gw, "enable_datalayer", json!({"full_history": true})).await.status(), 200);
    let first = c.ready(&gw, Duration::from_secs(90)).await;

    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let record: String = sqlx::query(
        "SELECT record_id FROM datalayer_records WHERE kind = 'entries' \
         AND deleted_at IS NULL AND record_id LIKE '%:true' ORDER BY record_id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
    .get(0);
    let (entry, _) = record.split_once(':').unwrap();
    let deleted = reqwest::Client::new()
        .delete(format!("http://{}/_sandbox/folders/4821/entries/{entry}", sb.local_addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);

    assert_eq!(c.post(&gw, "refresh_datalayer", json!({})).await.status(), 200);
    let start = Instant::now();
    while c.ready(&gw, Duration::from_secs(90)).await["last_sync_date"] == first["last_sync_date"] {
        assert!(start.elapsed() < Duration::from_secs(30), "no sync after the refresh");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let tombstone = sqlx::query(
        "SELECT deleted_at, last_changed FROM datalayer_records \
         WHERE kind = 'entries' AND record_id = $1",
    )
    .bind(&record)
    .fetch_one(&pool)
    .await
    .unwrap();
    let deleted_at: Option<i64> = tombstone.get(0);
    assert!(deleted_at.is_some(), "{record} is not tombstoned");
    assert_eq!(deleted_at, Some(tombstone.get::<i64, _>(1)));
    let kept: i64 = sqlx::query(
        "SELECT COUNT(*) FROM datalayer_records WHERE kind = 'entries' AND deleted_at IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
    .get(0);
    assert!(kept > 0);

    let route = "/journal/entries?unposted_allowed=true&size=100";
    let stored: Value = c.get(&gw, route, Some("true")).await.json().await.unwrap();
    let live: Value = c.get(&gw, route, None).await.json().await.unwrap();
    assert_eq!(first_difference(&stored, &live, String::new()), None);
    let listed = stored["items"].as_array().unwrap();
    assert!(listed.iter().all(|e| e["id"] != entry), "{entry} still listed");
}
