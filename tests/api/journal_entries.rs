//! Journal entries as read, against the sandbox's own entries.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::decimal as amount;
use crate::support::{chift_error, tokens, Tenant, TestApp, PARTNER_SECRET};

async fn society() -> (TestApp, Tenant, String) {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    (app, tenant, cid)
}

fn entries(cid: &str, query: &str) -> String {
    format!("/consumers/{cid}/accounting/journal/entries?{query}")
}

/// What the sandbox itself holds for 2026 (posted, or pending with `draft`).
async fn upstream(app: &TestApp, draft: bool) -> Vec<Value> {
    let mut url = format!("{}/mad/entries?version=1.0.0&idExercice=9022", app.sandbox.base_url());
    if draft {
        url.push_str("&draft=true");
    }
    let http = reqwest::Client::new();
    let res = http
        .get(url)
        .bearer_auth(tokens::SOCIETY_PORT)
        .header("X-Third-Party-Secret", PARTNER_SECRET)
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

#[tokio::test]
async fn entries_of_a_year_reconcile_line_by_line_with_myunisoft() {
    let (app, tenant, cid) = society().await;
    let window = "unposted_allowed=false&date_from=2026-01-01&date_to=2026-12-31";
    let listed = app.all_pages(&tenant, &entries(&cid, window)).await;
    let raw = upstream(&app, false).await;
    assert_eq!(listed.len(), raw.len());
    for entry in &listed {
        let source = raw
            .iter()
            .find(|r| r["producerId"] == entry["entry_id"])
            .expect("every entry comes from MyUnisoft");
        let lines = source["movements"].as_array().unwrap();
        assert_eq!(entry["items"].as_array().unwrap().len(), lines.len());
        for (item, line) in entry["items"].as_array().unwrap().iter().zip(lines) {
            assert_eq!(
                (amount(&item["debit"]), amount(&item["credit"])),
                (amount(&line["value"]["debit"]), amount(&line["value"]["credit"]))
            );
            assert_eq!(item["account_number"], line["account"]["number"]);
        }
        let debit: rust_decimal::Decimal =
            entry["items"].as_array().unwrap().iter().map(|i| amount(&i["debit"])).sum();
        let credit: rust_decimal::Decimal =
            entry["items"].as_array().unwrap().iter().map(|i| amount(&i["credit"])).sum();
        assert_eq!(debit, credit, "{}", entry["id"]);
        assert_eq!(entry["posted"], true);
    }
    let dates: Vec<&str> = listed.iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "by date");
}

#[tokio::test]
async fn a_short_window_reads_only_its_own_days_upstream() {
    let (app, tenant, cid) = society().await;
    let year = app
        .all_pages(
            &tenant,
            &entries(&cid, "unposted_allowed=false&date_from=2026-01-01&date_to=2026-12-31"),
        )
        .await;
    app.sandbox.clear_requests();
    let window = "unposted_allowed=false&date_from=2026-03-01&date_to=2026-03-31";
    let (status, page) = app.get_json(&tenant, &entries(&cid, window)).await;
    assert_eq!(status, 200, "{page}");
    let reads: Vec<String> = app
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/mad/entries"))
        .map(|r| r.query)
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads[0].contains("startDate=2026-03-01&endDate=2026-03-31"), "{reads:?}");
    assert!(!reads[0].contains("idExercice"), "{reads:?}");
    let march: Vec<&Value> =
        year.iter().filter(|e| e["date"].as_str().unwrap().starts_with("2026-03")).collect();
    assert!(!march.is_empty());
    assert_eq!(page["total"].as_u64(), Some(march.len() as u64), "the same entries as the year's");
}

#[tokio::test]
async fn pending_entries_come_only_when_unposted_are_allowed_and_keep_their_id_once_validated() {
    let (app, tenant, cid) = society().await;
    let posted = app.all_pages(&tenant, &entries(&cid, "unposted_allowed=false")).await;
    let all = app.all_pages(&tenant, &entries(&cid, "unposted_allowed=true")).await;
    let pending: Vec<_> = all.iter().filter(|e| e["posted"] == false).collect();
    assert_eq!(pending.len(), upstream(&app, true).await.len());
    assert_eq!(all.len(), posted.len() + pending.len());
    let first = pending
        .iter()
        .find(|e| e["id"] == "sandbox-pending-4821-1")
        .expect("pending entries are known by their partner id");
    let item = format!("/consumers/{cid}/accounting/journal/entries/sandbox-pending-4821-1");
    let (status, before) = app.get_json(&tenant, &item).await;
    assert_eq!((status, &before), (200, *first));
    let old_id: i64 = first["entry_id"].as_str().unwrap().parse().unwrap();
    let new_id = app.sandbox.validate_pending_entry(4821, old_id).expect("validated");
    let (status, after) = app.get_json(&tenant, &item).await;
    assert_eq!(status, 200);
    assert_eq!((&after["id"], &after["posted"]), (&json!("sandbox-pending-4821-1"), &json!(true)));
    assert_eq!(after["entry_id"], new_id.to_string(), "MyUnisoft's id changed; ours did not");
}

#[tokio::test]
async fn filters_narrow_by_journal_window_partner_and_record_date() {
    let (app, tenant, cid) = society().await;
    let sales =
        app.all_pages(&tenant, &entries(&cid, "unposted_allowed=false&journal_id=32162")).await;
    assert!(!sales.is_empty() && sales.iter().all(|e| e["journal_id"] == "32162"));
    let march = app
        .all_pages(
            &tenant,
            &entries(&cid, "unposted_allowed=false&date_from=2026-03-01&date_to=2026-03-31"),
        )
        .await;
    assert!(
        !march.is_empty()
            && march.iter().all(|e| e["date"].as_str().unwrap().starts_with("2026-03"))
    );
    let partner = sales[0]["items"][0]["partner_id"].as_str().unwrap().to_owned();
    let mine = app
        .all_pages(&tenant, &entries(&cid, &format!("unposted_allowed=false&partner_id={partner}")))
        .await;
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|e| e["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["partner_id"] == partner.as_str())));
    let future = app
        .all_pages(
            &tenant,
            &entries(&cid, "unposted_allowed=false&updated_after=2099-01-01T00:00:00Z"),
        )
        .await;
    assert!(future.is_empty());
}

#[tokio::test]
async fn bad_queries_and_unknown_entries_are_clear_errors() {
    let (app, tenant, cid) = society().await;
    for (query, field) in [
        ("", "unposted_allowed"),
        ("unposted_allowed=true&date_from=2026-05-01&date_to=2026-04-01", "date_from"),
        ("unposted_allowed=maybe", "unposted_allowed"),
    ] {
        let res =
            app.request(Method::GET, &entries(&cid, query), &tenant.token).send().await.unwrap();
        let error = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
        assert_eq!(error["detail"][0]["loc"], json!(["query", field]), "{query}");
    }
    let res = app
        .request(
            Method::GET,
            &format!("/consumers/{cid}/accounting/journal/entries/no-such-entry"),
            &tenant.token,
        )
        .send()
        .await
        .unwrap();
    chift_error(res, 404, "ERROR_ENTRY_NOT_FOUND").await;
    let (_, multi) = app.get_json(&tenant, &format!("/consumers/{cid}/accounting/journal/entries/multi-analytic-plans?unposted_allowed=false&size=5")).await;
    let (_, mono) = app.get_json(&tenant, &entries(&cid, "unposted_allowed=false&size=5")).await;
    assert_eq!(multi, mono, "one shape serves both routes");
}
