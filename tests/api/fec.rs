//! `GET …/accounting/export-fec` end to end over the sandbox's seeded years.

use chrono::NaiveDate;
use fec::validate::{validate, Expect};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::accounting::{acc, connected};
use crate::support::{chift_error, tokens, Faults, Tenant, TestApp, PARTNER_SECRET};

const YEAR: &str = "date_from=2025-01-01&date_to=2025-12-31";

/// The total debit of the sandbox's validated movements of 2025, asked of the sandbox directly.
async fn upstream_debit(app: &TestApp, token: &str, folder: &str) -> Decimal {
    let url = format!(
        "{}/mad/movements?version=1.0.0&startDate=2025-01-01&endDate=2025-12-31",
        app.sandbox.base_url()
    );
    let res = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .header("X-Third-Party-Secret", PARTNER_SECRET)
        .header("society-id", folder)
        .send()
        .await
        .unwrap();
    let all: Vec<Value> = res.json().await.unwrap();
    all.iter().map(|m| m["value"]["debit"].to_string().parse::<Decimal>().unwrap()).sum()
}

async fn legal_file(app: &TestApp, tenant: &Tenant, path: &str) -> (String, Vec<u8>) {
    let res = app.request(Method::GET, path, &tenant.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    let name = disposition.split("filename=\"").nth(1).unwrap().trim_end_matches('"').to_owned();
    (name, res.bytes().await.unwrap().to_vec())
}

async fn checks_a_seeded_year(token: &str, folder: &str, siren: &str) {
    let (app, tenant, cid) = connected(token).await;
    let base = acc(&cid, &format!("export-fec?folder_id={folder}&{YEAR}"));
    let res = app
        .request(Method::GET, &base, &tenant.token)
        .header("accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert_eq!(disposition, format!("attachment; filename=\"{siren}FEC20251231.txt\""));
    let bytes = res.bytes().await.unwrap();
    let expect = Expect {
        file_name: &format!("{siren}FEC20251231.txt"),
        siren,
        year_start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        year_end: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
    };
    let (errors, lines) = validate(&bytes, &expect);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(lines.len() > 20, "{} lines", lines.len());
    let debit: Decimal = lines.iter().map(|l| l.debit).sum();
    assert_eq!(debit, upstream_debit(&app, token, folder).await);

    let (status, json) = app.get_json(&tenant, &base).await;
    assert_eq!(status, 200, "{json}");
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), lines.len());
    for (item, line) in items.iter().zip(&lines) {
        let f = &line.fields;
        assert_eq!(item["JournalCode"], f[0].as_str());
        assert_eq!(item["EcritureNum"], f[2].as_str());
        assert_eq!(item["EcritureDate"].as_str().unwrap().replace('-', ""), f[3]);
        assert_eq!(item["CompteNum"], f[4].as_str());
        assert_eq!(item["PieceRef"], f[8].as_str());
        assert_eq!(item["EcritureLib"], f[10].as_str());
        assert_eq!(item["Debit"].to_string().parse::<Decimal>().unwrap(), line.debit);
        assert_eq!(item["Credit"].to_string().parse::<Decimal>().unwrap(), line.credit);
        assert_eq!(item["EcritureLet"], f[13].as_str());
        assert!(item["DateLet"].is_null() && item["Idevise"] == "");
    }

    let tab = acc(
        &cid,
        &format!("export-fec?folder_id={folder}&{YEAR}&format=txt&separator=tab&encoding=latin9"),
    );
    let (name, latin) = legal_file(&app, &tenant, &tab).await;
    let (errors, again) = validate(&latin, &Expect { file_name: &name, ..expect });
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(again.len(), lines.len());
}

#[tokio::test]
async fn a_society_token_exports_a_valid_legal_file_equal_to_the_json() {
    checks_a_seeded_year(tokens::SOCIETY_PORT, "4821", "912345675").await;
}

#[tokio::test]
async fn a_firm_token_exports_a_valid_legal_file_equal_to_the_json() {
    checks_a_seeded_year(tokens::FIRM, "4822", "834567893").await;
}

#[tokio::test]
async fn an_unbalanced_year_is_refused_naming_the_entry() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let entry = app.sandbox.unbalance_first_entry(4821).unwrap();
    let path = acc(&cid, "export-fec?format=txt&date_from=2020-01-01&date_to=2026-12-31");
    let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
    let error = chift_error(res, 422, "ERROR_TECHNICAL_MAPPING").await;
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("unbalanced") && message.contains(&entry.to_string()), "{error}");
}

#[tokio::test]
async fn a_window_over_two_years_is_read_in_two_calls() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let path = acc(&cid, "export-fec?date_from=2025-06-01&date_to=2026-12-31");
    let (status, json) = app.get_json(&tenant, &path).await;
    assert_eq!(status, 200, "{json}");
    let calls: Vec<_> =
        app.sandbox.requests().into_iter().filter(|r| r.path.ends_with("/mad/movements")).collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
}

#[tokio::test]
async fn an_upstream_cut_mid_stream_is_an_error_not_a_short_file() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let path = acc(&cid, &format!("export-fec?format=txt&{YEAR}"));
    let (name, _) = legal_file(&app, &tenant, &path).await;
    assert!(name.ends_with("FEC20251231.txt"));
    app.sandbox.set_faults(Faults { truncate_per_mille: 1000, ..Faults::default() });
    let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
    let error = chift_error(res, 502, "ERROR_CONNECTOR_UNAVAILABLE").await;
    assert!(error["message"].as_str().unwrap().contains("cut"), "{error}");
}

#[tokio::test]
async fn an_empty_window_has_no_fec() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let path = acc(&cid, "export-fec?date_from=2019-01-01&date_to=2019-12-31");
    let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
}

/// `Accept` picks the rendering: JSON unless `text/plain` is ranked above `application/json`
/// (a browser-style `application/json, text/plain, */*` gets the JSON).
#[tokio::test]
async fn accept_chooses_between_the_json_and_the_legal_file() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let path = acc(&cid, &format!("export-fec?{YEAR}"));
    for (accept, wanted) in [
        ("application/json", "application/json"),
        ("application/json, text/plain, */*", "application/json"),
        ("*/*", "application/json"),
        ("text/plain;q=0.9, application/json;q=0.5", "text/plain; charset=utf-8"),
    ] {
        let res = app
            .request(Method::GET, &path, &tenant.token)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{accept}");
        assert_eq!(res.headers()["content-type"], wanted, "{accept}");
        let body = res.bytes().await.unwrap();
        if wanted == "application/json" {
            let items: Vec<Value> = serde_json::from_slice(&body).unwrap();
            assert!(!items.is_empty() && items[0]["JournalCode"].is_string(), "{accept}");
        } else {
            assert!(body.starts_with(b"JournalCode|JournalLib|"), "{accept}");
        }
    }
}
