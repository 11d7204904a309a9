//! The MyUnisoft sandbox over HTTP: credentials, folder scoping, limits, faults, and a few reads
//! checked against the shapes of the reference.

use std::time::Duration;

use myunisoft_sandbox::{tokens, FaultKind, Faults, Sandbox, SandboxConfig, PARTNER_SECRET};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{json, Value};

async fn start(config: SandboxConfig) -> Sandbox {
    let addr = "127.0.0.1:0".parse().expect("a literal socket address");
    Sandbox::start(addr, config).await.expect("port 0 is always free")
}

async fn sandbox() -> Sandbox {
    start(SandboxConfig { rate_limit: 10_000, ..SandboxConfig::default() }).await
}

/// A call with the partner secret and `token`, and `society-id` when given.
fn call(
    s: &Sandbox,
    method: Method,
    path: &str,
    token: &str,
    society: Option<i64>,
) -> RequestBuilder {
    let mut req = Client::new()
        .request(method, format!("{}{path}", s.base_url()))
        .header("X-Third-Party-Secret", PARTNER_SECRET)
        .bearer_auth(token);
    if let Some(id) = society {
        req = req.header("society-id", id.to_string());
    }
    req
}

fn get(s: &Sandbox, path: &str, token: &str, society: Option<i64>) -> RequestBuilder {
    call(s, Method::GET, path, token, society)
}

async fn error_code(res: Response) -> String {
    let body: Value = res.json().await.expect("error bodies are JSON");
    body["error"]["code"].as_str().expect("error bodies carry a code").to_owned()
}

#[tokio::test]
async fn the_partner_secret_is_required_and_checked() {
    let s = sandbox().await;
    let url = format!("{}/society", s.base_url());
    let missing = Client::new().get(&url).bearer_auth(tokens::FIRM).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let request_id = missing.headers()["request-id"].to_str().unwrap().to_owned();
    assert!(request_id.starts_with("req-"));
    assert!(missing.headers().contains_key("x-rate-limit-remaining"));
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ERR-SECRET-HEADER-NOT-SET");
    assert_eq!(body["error"]["details"]["requestId"], request_id.as_str());
    assert_eq!(body["error"]["details"]["method"], "GET");
    assert!(body["error"]["details"]["url"].as_str().unwrap().ends_with("/api/v1/society"));

    let wrong = Client::new()
        .get(&url)
        .header("X-Third-Party-Secret", "someone-else")
        .bearer_auth(tokens::FIRM)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(error_code(wrong).await, "ERR-INVALID-SECRET");
}

#[tokio::test]
async fn the_token_needs_the_bearer_scheme_and_must_not_be_revoked() {
    let s = sandbox().await;
    let url = format!("{}/society", s.base_url());
    let bare = Client::new()
        .get(&url)
        .header("X-Third-Party-Secret", PARTNER_SECRET)
        .header("Authorization", tokens::FIRM)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(error_code(bare).await, "ERR-INVALID-AUTH-HEADER");

    let revoked = get(&s, "/society", tokens::REVOKED, None).send().await.unwrap();
    assert_eq!(revoked.status(), 401);
    assert_eq!(error_code(revoked).await, "ERR-API-TOKEN-NOT-FOUND");

    let forged = get(&s, "/society", "eyJ.eyJ.sig", None).send().await.unwrap();
    assert_eq!(error_code(forged).await, "ERR-INVALID-JWT");
}

#[tokio::test]
async fn a_firm_token_names_its_folder_and_a_society_token_stays_in_its_own() {
    let s = sandbox().await;
    let missing = get(&s, "/diary", tokens::FIRM, None).send().await.unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(error_code(missing).await, "MISSING-ACCOUNTING-FOLDER-ID");

    let unknown = get(&s, "/diary", tokens::FIRM, Some(9999)).send().await.unwrap();
    assert_eq!(unknown.status(), 403);
    assert_eq!(error_code(unknown).await, "DROIT1");

    let other = get(&s, "/diary", tokens::SOCIETY_PORT, Some(4822)).send().await.unwrap();
    assert_eq!(other.status(), 403);
    assert_eq!(error_code(other).await, "DROIT1");

    let folders: Value =
        get(&s, "/society", tokens::FIRM, None).send().await.unwrap().json().await.unwrap();
    let ids: Vec<i64> = folders["society_array"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["society_id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&4821) && ids.contains(&4822));

    let own: Value = get(&s, "/society", tokens::SOCIETY_GARAGE, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(own["society_id"], 4822);
    assert_eq!(own["name"], "GARAGE DES ALPES");
    assert_eq!(own["analytics"], false);

    let firm_only = call(&s, Method::PUT, "/account", tokens::SOCIETY_PORT, None)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(firm_only.status(), 403);
    assert_eq!(error_code(firm_only).await, "ERR-FORBIDDEN-ROUTE");
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_its_headers_then_recovers() {
    let window = Duration::from_millis(400);
    let s =
        start(SandboxConfig { rate_limit: 3, rate_window: window, max_concurrent_per_route: 10 })
            .await;
    for expected_remaining in ["2", "1", "0"] {
        let ok = get(&s, "/payment_type", tokens::SOCIETY_PORT, None).send().await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["x-rate-limit-remaining"], expected_remaining);
        assert_eq!(ok.headers()["x-rate-limit-total"], "3");
        assert!(ok.headers()["x-rate-limit-reset"].to_str().unwrap().parse::<u64>().is_ok());
    }
    let refused = get(&s, "/payment_type", tokens::SOCIETY_PORT, None).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(refused.headers()["x-rate-limit-remaining"], "0");
    assert_eq!(error_code(refused).await, "ERR-TOO-MANY-REQUEST");
    let other_token = get(&s, "/payment_type", tokens::SOCIETY_GARAGE, None).send().await.unwrap();
    assert_eq!(other_token.status(), 200, "the limit is per token");

    tokio::time::sleep(window).await;
    assert_eq!(
        get(&s, "/payment_type", tokens::SOCIETY_PORT, None).send().await.unwrap().status(),
        200
    );
    let stats = s.stats();
    assert_eq!(stats.max_in_window_per_token, 3);
    assert_eq!(stats.rejected_429, 1);
}

#[tokio::test]
async fn concurrent_calls_on_one_route_are_limited() {
    let s = start(SandboxConfig { max_concurrent_per_route: 2, ..SandboxConfig::default() }).await;
    s.set_faults(Faults { latency: Duration::from_millis(300), ..Faults::default() });
    let calls = (0..3).map(|_| get(&s, "/diary", tokens::SOCIETY_PORT, None).send());
    let statuses: Vec<u16> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "{statuses:?}");
    assert_eq!(s.stats().max_concurrent_per_route, 3);
}

#[tokio::test]
async fn faults_break_the_connection_or_the_answer_on_demand() {
    let s = sandbox().await;
    s.set_faults(Faults {
        fail_next: vec![
            FaultKind::Reset,
            FaultKind::Status(503),
            FaultKind::TooMany { retry_after_secs: 7 },
            FaultKind::Truncate,
        ],
        ..Faults::default()
    });
    let reset = get(&s, "/diary", tokens::SOCIETY_PORT, None).send().await;
    assert!(reset.is_err(), "a reset is a transport error, not a status");

    let unavailable = get(&s, "/diary", tokens::SOCIETY_PORT, None).send().await.unwrap();
    assert_eq!(unavailable.status(), 503);
    assert_eq!(error_code(unavailable).await, "ERR-API-UNDER-MAINTENANCE");

    let throttled = get(&s, "/diary", tokens::SOCIETY_PORT, None).send().await.unwrap();
    assert_eq!(throttled.status(), 429);
    assert_eq!(throttled.headers()["retry-after"], "7");

    let truncated = get(&s, "/diary", tokens::SOCIETY_PORT, None).send().await.unwrap();
    assert_eq!(truncated.status(), 200);
    assert!(truncated.bytes().await.is_err(), "the body is cut");

    let fine = get(&s, "/diary", tokens::SOCIETY_PORT, None).send().await.unwrap();
    assert_eq!(fine.status(), 200);

    let statuses: Vec<u16> = s.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![0, 503, 429, 200, 200]);
}

#[tokio::test]
async fn a_write_can_be_applied_and_its_answer_lost() {
    let s = sandbox().await;
    s.set_faults(Faults { fail_next: vec![FaultKind::ResetAfterWrite], ..Faults::default() });
    let body = json!({"account_number": "411PERDU", "label": "REPONSE PERDUE"});
    let lost =
        call(&s, Method::POST, "/account", tokens::SOCIETY_PORT, None).json(&body).send().await;
    assert!(lost.is_err());
    let found: Value = get(&s, "/account/v2?begin_by=411PERDU", tokens::SOCIETY_PORT, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["label"], "REPONSE PERDUE", "the write happened");
}

#[tokio::test]
async fn requests_are_recorded_with_their_headers() {
    let s = sandbox().await;
    get(&s, "/vat_param?x=1", tokens::FIRM, Some(4821)).send().await.unwrap();
    let recorded = s.requests();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.query.as_str()),
        ("GET", "/api/v1/vat_param", "x=1")
    );
    assert_eq!(r.society_id.as_deref(), Some("4821"));
    assert_eq!(r.token.as_deref(), Some(tokens::FIRM));
    assert_eq!(r.status, 200);
    s.clear_requests();
    assert!(s.requests().is_empty());
}

#[tokio::test]
async fn key_info_describes_and_activates_the_token() {
    let s = sandbox().await;
    let routes: Value = get(&s, "/key/info", tokens::SOCIETY_PORT, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(routes
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["path"] == "/api/v1/society" && r["method"] == "get"));
    let info: Value = get(&s, "/key/info?mode=extended", tokens::SOCIETY_PORT, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        info["target"],
        json!({"type": "api", "schemaId": 80, "thirdPartyId": 101, "societyId": 4821})
    );
    assert_eq!(info["isActivated"], true);
    let firm: Value = get(&s, "/key/info?mode=extended", tokens::FIRM, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(firm["target"]["type"], "firm");
    assert!(firm["target"].get("societyId").is_none());
}

#[tokio::test]
async fn reference_reads_have_the_documented_shapes() {
    let s = sandbox().await;
    let port = |path: &str| get(&s, path, tokens::SOCIETY_PORT, None).send();

    let years: Value = port("/society/exercice").await.unwrap().json().await.unwrap();
    let years = years.as_array().unwrap();
    assert_eq!(years.len(), 2);
    assert!(years.iter().any(|y| y["start_date"] == "20260101" && y["closed"] == false));
    assert!(years.iter().any(|y| y["end_date"] == "20251231" && y["closed"] == true));

    let banks: Value = port("/diary?type=BQ").await.unwrap().json().await.unwrap();
    let bank = banks.as_array().unwrap().iter().find(|d| d["code"] == "15").unwrap();
    assert_eq!(bank["account"]["number"], "512000");
    assert_eq!(bank["diary_type_code"], "BQ");

    let clients: Value =
        port("/account/v2?begin_by=411&details=true").await.unwrap().json().await.unwrap();
    let hotel =
        clients.as_array().unwrap().iter().find(|a| a["account_number"] == "411HOTEL").unwrap();
    let info = &hotel["complementary_informations"];
    assert_eq!(info["typevoie"]["lib"], "Quai");
    let orders: Vec<i64> = info["contact_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ordre"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, vec![1, 2, 3]);
    assert!(info["iban_list"][0]["iban"].as_str().unwrap().starts_with("FR"));
    assert_eq!(info["payment_deadline"]["label"], "30 jours fin de mois");

    let employees: Value = port("/mad/accounts?version=1.0.0&classAccount=421%25")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let anne = employees.as_array().unwrap().iter().find(|a| a["number"] == "421LEGALL").unwrap();
    assert_eq!(anne["employee"]["firstName"], "Anne");
    assert!(anne["producerId"].is_string());

    let vat: Value = port("/vat_param").await.unwrap().json().await.unwrap();
    let standard = vat.as_array().unwrap().iter().find(|v| v["code"] == "01").unwrap();
    assert_eq!(standard["vat"]["rate"], 20.0);
    assert_eq!(standard["account_ded"]["account_number"], "445660");
    assert_eq!(standard["vat_exigility"]["code"], "DEB");

    let ribs: Value = port("/rib").await.unwrap().json().await.unwrap();
    assert_eq!(ribs[0]["start_date"], "20250101");
    assert_eq!(ribs[0]["diary_label"], "15 - JOURNAL BANQUE");

    let created: Value = call(&s, Method::POST, "/account", tokens::SOCIETY_PORT, None)
        .json(&json!({"account_number": "251", "label": "TITRES"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["account_number"], "251000");
    assert!(created["account_id"].is_i64());
}

/// Ids the tests need from the folder's own answers.
async fn account_id(s: &Sandbox, token: &str, number: &str, label: &str) -> i64 {
    let body = json!({"account_number": number, "label": label});
    let res = call(s, Method::POST, "/account", token, None)
        .json(&body)
        .send()
        .await
        .expect("sandbox answers");
    let account: Value = res.json().await.expect("upsert answers JSON");
    account["account_id"].as_i64().expect("account ids are integers")
}

async fn diary_id(s: &Sandbox, token: &str, code: &str) -> i64 {
    let res =
        get(s, &format!("/diary?code={code}"), token, None).send().await.expect("sandbox answers");
    let diaries: Value = res.json().await.expect("diaries are JSON");
    diaries[0]["diary_id"].as_i64().expect("journal ids are integers")
}

/// A 240 € sale (200 + 40 VAT) to `411HOTEL` in journal 02.
async fn sale(s: &Sandbox, partner_id: &str, date: &str) -> Value {
    let t = tokens::SOCIETY_PORT;
    json!({
        "date_piece": date, "etablissement_id": 4821, "diary_id": diary_id(s, t, "02").await,
        "entry_origin_partner_id": partner_id, "json": "{\"invoice\":42}",
        "entry_list": [
            {"account_id": account_id(s, t, "411HOTEL", "x").await, "label": "HOTEL DE LA MER", "debit": 240, "credit": 0, "deadline": "2026-07-31", "piece2": "FTEST42"},
            {"account_id": account_id(s, t, "706000", "x").await, "label": "HOTEL DE LA MER", "debit": 0, "credit": 200, "deadline": date},
            {"account_id": account_id(s, t, "445712", "x").await, "label": "HOTEL DE LA MER TVA", "debit": 0, "credit": 40, "deadline": date}
        ]
    })
}

#[tokio::test]
async fn a_pending_entry_keeps_its_partner_id_and_changes_id_when_validated() {
    let s = sandbox().await;
    let t = tokens::SOCIETY_PORT;
    let body = sale(&s, "gtwy-test-0001", "2026-07-01").await;
    let created =
        call(&s, Method::POST, "/entry/temp?type=o", t, None).json(&body).send().await.unwrap();
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["type"], "IB");
    assert_eq!(created["entry_array"][0]["entry_list"][0]["credit"], Value::Null);

    let located: Value = get(&s, "/entry/id?id_origin=gtwy-test-0001", t, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(located["type"], "ENTRIES_TEMP");
    assert_eq!(located["json_metadata_partners"], "{\"invoice\":42}");
    let pending_id = located["id_entry"].as_i64().unwrap();
    let hidden =
        get(&s, "/mad/entry?version=1.0.0&id=gtwy-test-0001", t, None).send().await.unwrap();
    assert_eq!(hidden.status(), 404, "pending entries need draft");
    let draft: Value = get(&s, "/mad/entry?version=1.0.0&draft&id=gtwy-test-0001", t, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(draft["producerId"], pending_id.to_string());

    let posted_id = s.validate_pending_entry(4821, pending_id).unwrap();
    assert_ne!(posted_id, pending_id);
    let located: Value = get(&s, "/entry/id?id_origin=gtwy-test-0001", t, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (located["type"].as_str(), located["id_entry"].as_i64()),
        (Some("ENTRIES"), Some(posted_id))
    );
    for id in ["gtwy-test-0001", "FTEST42", &posted_id.to_string()] {
        let entry: Value = get(&s, &format!("/mad/entry?version=1.0.0&id={id}"), t, None)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(entry["producerId"], posted_id.to_string(), "found by {id}");
        assert_eq!(
            entry["additionalProducerProperties"]["partnerMetadata"]["partnerId"],
            "gtwy-test-0001"
        );
        assert_eq!(
            entry["movements"][0]["value"],
            json!({"credit": 0.0, "debit": 240.0, "amount": -240.0})
        );
    }
}

#[tokio::test]
async fn entry_import_refusals_carry_myunisoft_codes() {
    let s = sandbox().await;
    let t = tokens::SOCIETY_PORT;
    let post = |body: Value| call(&s, Method::POST, "/entry?type=e", t, None).json(&body).send();

    let mut unbalanced = sale(&s, "gtwy-unbalanced", "2026-07-01").await;
    unbalanced["entry_list"][2]["credit"] = json!(39.99);
    let res = post(unbalanced).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "ECR1");

    let closed_year = sale(&s, "gtwy-closed", "2025-07-01").await;
    assert_eq!(error_code(post(closed_year).await.unwrap()).await, "ECR9");

    let first = post(sale(&s, "gtwy-twice", "2026-07-01").await).await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(
        error_code(post(sale(&s, "gtwy-twice", "2026-07-01").await).await.unwrap()).await,
        "GBL6"
    );

    let wrong_type =
        call(&s, Method::POST, "/entry?type=o", t, None).json(&json!({})).send().await.unwrap();
    assert_eq!(error_code(wrong_type).await, "GBL10");
}

#[tokio::test]
async fn mad_reads_take_one_exercise_or_one_window() {
    let s = sandbox().await;
    let t = tokens::SOCIETY_GARAGE;
    let years: Value = get(&s, "/mad/exercices?version=1.0.0", t, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let open = years.as_array().unwrap().iter().find(|y| y["state"] == "open").unwrap();
    let open_id = open["producerId"].as_str().unwrap();
    assert_eq!(open["period"]["start"], "2026-01-01");

    let both = format!(
        "/mad/movements?version=1.0.0&idExercice={open_id}&startDate=2026-01-01&endDate=2026-01-31"
    );
    assert_eq!(error_code(get(&s, &both, t, None).send().await.unwrap()).await, "GBL10");
    let neither = get(&s, "/mad/entries?version=1.0.0", t, None).send().await.unwrap();
    assert_eq!(neither.status(), 400);
    assert_eq!(error_code(neither).await, "GBL10");
    let across = "/mad/entries?version=1.0.0&startDate=2025-12-01&endDate=2026-01-31";
    assert_eq!(error_code(get(&s, across, t, None).send().await.unwrap()).await, "EXERCICE2");

    let path = "/mad/movements?version=1.0.0&startDate=2026-03-01&endDate=2026-03-31&classAccount=411&lettering=complete";
    let movements: Value = get(&s, path, t, None).send().await.unwrap().json().await.unwrap();
    let movements = movements.as_array().unwrap();
    assert!(!movements.is_empty());
    for m in movements {
        assert!(m["account"]["number"].as_str().unwrap().starts_with("411"));
        assert_eq!(m["lettering"]["state"], "complete");
        let date = m["entry"]["date"].as_str().unwrap();
        assert!(("2026-03-01"..="2026-03-31").contains(&date));
        let v = &m["value"];
        assert_eq!(
            v["amount"].as_f64().unwrap(),
            v["credit"].as_f64().unwrap() - v["debit"].as_f64().unwrap()
        );
    }

    let balance: Value = get(
        &s,
        &format!("/mad/balance?version=1.0.0&idExercice={open_id}&classAccount=512%25"),
        t,
        None,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(balance[0]["account"]["number"], "512000");
    assert!(balance[0]["balance"].is_number());
}

#[tokio::test]
async fn an_invoice_and_its_payment_are_lettered_with_the_next_code() {
    let s = sandbox().await;
    let t = tokens::SOCIETY_PORT;
    let invoice: Value = call(&s, Method::POST, "/entry?type=e", t, None)
        .json(&sale(&s, "gtwy-lettering-1", "2026-06-01").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invoice_line =
        invoice["entry_array"][0]["entry_list"][0]["line_entry_id"].as_i64().unwrap();
    let client = account_id(&s, t, "411HOTEL", "x").await;
    let payment = json!({
        "date_piece": "2026-06-20", "etablissement_id": 4821, "diary_id": diary_id(&s, t, "15").await,
        "entry_list": [
            {"account_id": account_id(&s, t, "512000", "x").await, "label": "VIR HOTEL", "debit": 240, "credit": 0, "deadline": "2026-06-20"},
            {"account_id": client, "label": "VIR HOTEL", "debit": 0, "credit": 240, "deadline": "2026-06-20"}
        ]
    });
    let paid: Value = call(&s, Method::POST, "/entry?type=e", t, None)
        .json(&payment)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let payment_line = paid["entry_array"][0]["entry_list"][1]["line_entry_id"].as_i64().unwrap();

    let next: Value =
        get(&s, &format!("/account/next_lettering?account_id={client}&partial=false"), t, None)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let code = next["next_lettering"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 3);
    let body = json!({"lettering": code, "line_entry_list": [{"line_entry_id": invoice_line}, {"line_entry_id": payment_line}]});
    let done = call(&s, Method::PUT, "/entry/lettering", t, None).json(&body).send().await.unwrap();
    assert_eq!(done.json::<Value>().await.unwrap(), json!({"code": "Success", "message": ""}));
    let again =
        call(&s, Method::PUT, "/entry/lettering", t, None).json(&body).send().await.unwrap();
    assert_eq!(error_code(again).await, "LETTRAGE10");

    let entry: Value = get(&s, "/mad/entry?version=1.0.0&id=gtwy-lettering-1", t, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(entry["movements"][0]["lettering"], json!({"state": "complete", "value": code}));
    let after: Value =
        get(&s, &format!("/account/next_lettering?account_id={client}&partial=true"), t, None)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_ne!(after["next_lettering"], code.as_str());
}

#[tokio::test]
async fn the_large_folder_streams_generated_movements() {
    let s = sandbox().await;
    s.set_large_movements(2_000);
    let years: Value = get(&s, "/society/exercice", tokens::FIRM, Some(4823))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let open = years.as_array().unwrap().iter().find(|y| y["closed"] == false).unwrap()
        ["exercice_id"]
        .clone();
    let path = format!("/mad/movements?version=1.0.0&idExercice={open}");
    let movements: Value =
        get(&s, &path, tokens::FIRM, Some(4823)).send().await.unwrap().json().await.unwrap();
    let movements = movements.as_array().unwrap();
    assert_eq!(movements.len(), 2_000);
    let total: f64 = movements.iter().map(|m| m["value"]["amount"].as_f64().unwrap()).sum();
    assert!(total.abs() < 1e-6, "the generated movements balance: {total}");
}

#[tokio::test]
async fn the_admin_surface_drives_the_sandbox_from_outside() {
    let s = sandbox().await;
    let admin = format!("http://{}/_sandbox", s.local_addr());
    let http = Client::new();
    let faults = json!({"fail_next": [{"status": 502}]});
    assert_eq!(
        http.put(format!("{admin}/faults")).json(&faults).send().await.unwrap().status(),
        200
    );
    let failed = get(&s, "/payment_type", tokens::SOCIETY_GARAGE, None).send().await.unwrap();
    assert_eq!(failed.status(), 502);

    let recorded: Value =
        http.get(format!("{admin}/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(recorded[0]["status"], 502);
    assert_eq!(recorded[0]["path"], "/api/v1/payment_type");
    assert_eq!(http.delete(format!("{admin}/requests")).send().await.unwrap().status(), 204);
    assert!(s.requests().is_empty());

    let listed: Value =
        http.get(format!("{admin}/tokens")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["partner_secret"], PARTNER_SECRET);
    assert_eq!(listed["tokens"].as_array().unwrap().len(), 4);
    let stats: Value =
        http.get(format!("{admin}/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["max_in_window_per_token"], 1);

    let pending: Value =
        get(&s, "/entry/id?id_origin=sandbox-pending-4822-1", tokens::SOCIETY_GARAGE, None)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let id = pending["id_entry"].as_i64().unwrap();
    let validated =
        http.post(format!("{admin}/folders/4822/entries/{id}/validate")).send().await.unwrap();
    let validated: Value = validated.json().await.unwrap();
    assert_eq!(validated["type"], "ENTRIES");
    assert_ne!(validated["id_entry"], id);
    let missing =
        http.post(format!("{admin}/folders/4822/entries/{id}/validate")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn documents_attach_to_an_entry_and_download_from_the_ged() {
    let s = sandbox().await;
    let t = tokens::SOCIETY_PORT;
    let body = sale(&s, "gtwy-test-doc", "2026-07-02").await;
    let created =
        call(&s, Method::POST, "/entry?type=e", t, None).json(&body).send().await.unwrap();
    assert_eq!(created.status(), 200);
    let entry: Value = get(&s, "/entry/id?id_origin=gtwy-test-doc", t, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = entry["id_entry"].as_i64().unwrap();
    let upload = |name: &str, location: &str| {
        call(
            &s,
            Method::POST,
            &format!("/document/add_all_types?location={location}&object_id={id}&filename_extension={name}&type_result=1"),
            t,
            None,
        )
        .header("content-type", "application/octet-stream")
        .body(b"%PDF-1.4 test".to_vec())
    };
    assert_eq!(upload("facture.pdf", "ENTRIES").send().await.unwrap().status(), 200);
    assert_eq!(
        error_code(upload("archive.zip", "ENTRIES").send().await.unwrap()).await,
        "DOCUMENT11"
    );
    let wrong_place = upload("facture.pdf", "ENTRIES_TEMP").send().await.unwrap();
    assert_eq!(wrong_place.status(), 404, "the entry is posted, not pending");
    let mad: Value = get(&s, "/mad/entry?version=1.0.0&id=gtwy-test-doc", t, None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = mad["attachments"]["facture.pdf"]["value"].as_str().unwrap().to_owned();
    assert!(link.starts_with("/api/ged/ged/document/"), "{link}");
    let origin = s.base_url().trim_end_matches("/api/v1").to_owned();
    let file = Client::new()
        .get(format!("{origin}{link}"))
        .header("X-Third-Party-Secret", PARTNER_SECRET)
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(file.headers()["content-disposition"].to_str().unwrap().contains("facture.pdf"));
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 test");
    let anonymous = Client::new().get(format!("{origin}{link}")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "downloads need the partner headers");
}
