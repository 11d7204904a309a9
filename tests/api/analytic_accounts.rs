//! Analytic accounts, end to end: gateway → MyUnisoft sandbox (axes and sections) over HTTP.

use std::collections::BTreeMap;

use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::accounting::{acc, connected};
use crate::outstandings::{open_year, upstream};
use crate::support::decimal as amount;
use crate::support::{chift_error, tokens, Tenant, TestApp};

const GARAGE: &str = "4822";

fn codes(items: &[Value]) -> Vec<&str> {
    items.iter().map(|a| a["code"].as_str().unwrap()).collect()
}

async fn send(
    app: &TestApp,
    tenant: &Tenant,
    method: Method,
    path: &str,
    body: Value,
) -> reqwest::Response {
    app.request(method, path, &tenant.token).json(&body).send().await.unwrap()
}

/// What the year's class 6 and 7 movements allocate to each section: (debit, credit).
async fn expected_totals(app: &TestApp, year: &str) -> BTreeMap<String, (Decimal, Decimal)> {
    let query = format!("idExercice={year}&classAccount=6%25&classAccount=7%25");
    let mut out: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for m in upstream(app, tokens::SOCIETY_PORT, None, &query).await {
        let debit_side = amount(&m["value"]["debit"]) > Decimal::ZERO;
        for axis in m["analytics"].as_array().unwrap() {
            for s in axis["sections"].as_array().unwrap() {
                let slot = out.entry(s["producerId"].as_str().unwrap().to_owned()).or_default();
                if debit_side {
                    slot.0 += amount(&s["amount"]);
                } else {
                    slot.1 += amount(&s["amount"]);
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn the_default_plan_is_the_first_axis_with_its_closed_sections_and_balances() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let all = app.all_pages(&tenant, &acc(&cid, "analytic-accounts")).await;
    assert_eq!(codes(&all), ["ATTENTE", "BOUL", "PATI", "TRAI"]);
    assert!(all.iter().all(|a| a["analytic_plan"] == "411" && a["currency"] == "EUR"));
    let active: Vec<_> = all.iter().map(|a| a["active"].as_bool().unwrap()).collect();
    assert_eq!(active, [true, true, true, false], "TRAI is closed");
    let (status, page) = app.get_json(&tenant, &acc(&cid, "analytic-accounts?page=2&size=3")).await;
    assert_eq!((status, page["total"].as_u64()), (200, Some(4)));
    assert_eq!(page["items"].as_array().unwrap()[..], all[3..]);

    let expected = expected_totals(&app, &open_year(&app, &tenant, &cid, None).await).await;
    let boul = &all[1];
    let (debit, credit) = expected[boul["id"].as_str().unwrap()];
    assert!(debit > Decimal::ZERO && credit > Decimal::ZERO, "BOUL has sales and purchases");
    assert_eq!(
        (amount(&boul["debit"]), amount(&boul["credit"]), amount(&boul["balance"])),
        (debit, credit, debit - credit)
    );
    assert_eq!(amount(&all[0]["balance"]), Decimal::ZERO, "nothing waits on ATTENTE");
}

#[tokio::test]
async fn every_plan_is_listed_and_the_static_route_does_not_shadow_ids() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let all = app.all_pages(&tenant, &acc(&cid, "analytic-accounts/multi-analytic-plans")).await;
    assert_eq!(codes(&all), ["ATTENTE", "BOUL", "PATI", "TRAI", "ATTENTE", "PORT", "HALLES"]);
    let plans: Vec<_> = all.iter().map(|a| a["analytic_plan"].as_str().unwrap()).collect();
    assert_eq!(plans, ["411", "411", "411", "411", "412", "412", "412"]);
    let port = &all[5];
    let (status, one) = app.get_json(&tenant, &acc(&cid, "analytic-accounts/9052")).await;
    assert_eq!((status, one["code"].as_str()), (200, Some("BOUL")));
    assert_eq!(one, all[1]);
    let path =
        format!("analytic-accounts/{}/multi-analytic-plans/412", port["id"].as_str().unwrap());
    let (status, one) = app.get_json(&tenant, &acc(&cid, &path)).await;
    assert_eq!((status, &one), (200, port));
}

#[tokio::test]
async fn a_firm_token_switches_folders_and_a_folder_without_analytics_refuses_writes() {
    let (app, tenant, cid) = connected(tokens::FIRM).await;
    let port = app.all_pages(&tenant, &acc(&cid, "analytic-accounts?folder_id=4821")).await;
    assert_eq!(port.len(), 4);
    let garage =
        app.all_pages(&tenant, &acc(&cid, &format!("analytic-accounts?folder_id={GARAGE}"))).await;
    assert!(garage.is_empty());
    let multi = format!("analytic-accounts/multi-analytic-plans?folder_id={GARAGE}");
    assert!(app.all_pages(&tenant, &acc(&cid, &multi)).await.is_empty());
    let body = json!({"code": "ATEL", "name": "Atelier", "currency": "EUR"});
    let res = send(
        &app,
        &tenant,
        Method::POST,
        &acc(&cid, &format!("analytic-accounts?folder_id={GARAGE}")),
        body,
    )
    .await;
    let error = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(error["detail"][0]["loc"], json!(["query", "folder_id"]));
    assert!(error["message"].as_str().unwrap().contains("analytics"), "{error}");
    let res = app
        .request(
            Method::GET,
            &acc(&cid, &format!("analytic-accounts/9052?folder_id={GARAGE}")),
            &tenant.token,
        )
        .send()
        .await
        .unwrap();
    chift_error(res, 404, "ERROR_ANALYTIC_ACCOUNT_NOT_FOUND").await;
    let calls = app.sandbox.requests();
    assert!(calls.iter().all(|r| r.method == "GET"), "nothing written");
    let sections = calls.iter().filter(|r| r.path.contains("/sections")).collect::<Vec<_>>();
    assert!(
        !sections.is_empty() && sections.iter().all(|r| r.society_id.as_deref() == Some("4821"))
    );
}

#[tokio::test]
async fn created_accounts_read_back_and_patches_change_only_what_is_given() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let body = json!({"code": "VIEN", "name": "Viennoiserie", "currency": "EUR"});
    let res = send(&app, &tenant, Method::POST, &acc(&cid, "analytic-accounts"), body).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        (created["analytic_plan"].as_str(), created["active"].as_bool()),
        (Some("411"), Some(true))
    );
    assert_eq!(amount(&created["balance"]), Decimal::ZERO);
    let id = created["id"].as_str().unwrap();
    let (status, read) =
        app.get_json(&tenant, &acc(&cid, &format!("analytic-accounts/{id}"))).await;
    assert_eq!((status, &read), (200, &created));

    let patch = json!({"name": "Viennoiseries", "active": false});
    let res =
        send(&app, &tenant, Method::PATCH, &acc(&cid, &format!("analytic-accounts/{id}")), patch)
            .await;
    assert_eq!(res.status(), 200);
    let patched: Value = res.json().await.unwrap();
    assert_eq!(
        (patched["name"].as_str(), patched["code"].as_str()),
        (Some("Viennoiseries"), Some("VIEN"))
    );
    assert_eq!(patched["active"], false);
    let (_, read) = app.get_json(&tenant, &acc(&cid, &format!("analytic-accounts/{id}"))).await;
    assert_eq!(read, patched);
    let put = app.sandbox.requests().into_iter().filter(|r| r.method == "PUT").count();
    assert_eq!(put, 1);

    let body = json!({"code": "MARCHE", "name": "Marché", "currency": "eur", "active": false});
    let res = send(
        &app,
        &tenant,
        Method::POST,
        &acc(&cid, "analytic-accounts/multi-analytic-plans/412"),
        body,
    )
    .await;
    assert_eq!(res.status(), 200);
    let shop: Value = res.json().await.unwrap();
    assert_eq!(
        (shop["analytic_plan"].as_str(), shop["active"].as_bool()),
        (Some("412"), Some(false))
    );
    let path =
        format!("analytic-accounts/{}/multi-analytic-plans/412", shop["id"].as_str().unwrap());
    let res = send(
        &app,
        &tenant,
        Method::PATCH,
        &acc(&cid, &path),
        json!({"active": true, "code": "MARC"}),
    )
    .await;
    let reopened: Value = res.json().await.unwrap();
    assert_eq!(
        (reopened["active"].as_bool(), reopened["code"].as_str()),
        (Some(true), Some("MARC"))
    );
    let (_, read) = app.get_json(&tenant, &acc(&cid, &path)).await;
    assert_eq!(read, reopened);
    let all = app.all_pages(&tenant, &acc(&cid, "analytic-accounts/multi-analytic-plans")).await;
    assert_eq!(all.len(), 9);

    let taken = json!({"code": "BOUL", "name": "Encore", "currency": "EUR"});
    let res = send(&app, &tenant, Method::POST, &acc(&cid, "analytic-accounts"), taken).await;
    let error = chift_error(res, 409, "ERROR_ANALYTIC_ACCOUNT_ALREADY_EXISTS").await;
    assert_eq!(error["detail"][0]["loc"], json!(["body", "code"]));
}

#[tokio::test]
async fn invalid_bodies_name_the_field_and_send_nothing_upstream() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let cases = [
        (
            Method::POST,
            "analytic-accounts",
            json!({"code": "X", "name": "X", "currency": "USD"}),
            "currency",
        ),
        (Method::POST, "analytic-accounts", json!({"code": "X", "currency": "EUR"}), "name"),
        (
            Method::POST,
            "analytic-accounts/multi-analytic-plans/412",
            json!({"code": " ", "name": "X", "currency": "EUR"}),
            "code",
        ),
        (
            Method::POST,
            "analytic-accounts",
            json!({"code": "X", "name": "X", "currency": "EUR", "active": "yes"}),
            "active",
        ),
        (Method::PATCH, "analytic-accounts/9052", json!({"currency": "GBP"}), "currency"),
        (
            Method::PATCH,
            "analytic-accounts/9052/multi-analytic-plans/411",
            json!({"name": ""}),
            "name",
        ),
    ];
    for (method, route, body, field) in cases {
        let res = send(&app, &tenant, method, &acc(&cid, route), body).await;
        let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
        assert_eq!(error["detail"][0]["loc"], json!(["body", field]), "{route}: {error}");
    }
    assert!(app.sandbox.requests().is_empty(), "{:?}", app.sandbox.requests());
}

#[tokio::test]
async fn unknown_ids_and_accounts_of_another_plan_are_not_found() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let (account, plan) = ("ERROR_ANALYTIC_ACCOUNT_NOT_FOUND", "ERROR_ANALYTIC_PLAN_NOT_FOUND");
    for (route, code) in [
        ("analytic-accounts/999999", account),
        ("analytic-accounts/abc", account),
        ("analytic-accounts/9056", account),
        ("analytic-accounts/9052/multi-analytic-plans/412", account),
        ("analytic-accounts/9052/multi-analytic-plans/999", plan),
    ] {
        let res = app.request(Method::GET, &acc(&cid, route), &tenant.token).send().await.unwrap();
        chift_error(res, 404, code).await;
    }
    let res = send(
        &app,
        &tenant,
        Method::PATCH,
        &acc(&cid, "analytic-accounts/999999"),
        json!({"name": "X"}),
    )
    .await;
    chift_error(res, 404, account).await;
    let body = json!({"code": "X", "name": "X", "currency": "EUR"});
    let res = send(
        &app,
        &tenant,
        Method::POST,
        &acc(&cid, "analytic-accounts/multi-analytic-plans/999"),
        body,
    )
    .await;
    chift_error(res, 404, plan).await;
    assert!(app.sandbox.requests().iter().all(|r| r.method == "GET"));
}
