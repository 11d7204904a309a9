use myunisoft_sandbox::Faults;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;

use crate::support::{chift_error, tokens, TestApp};

#[tokio::test]
async fn a_connection_is_created_listed_and_read_without_its_credentials() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Garage"})).await;
    let cid = consumer["consumerid"].as_str().unwrap();
    let secret = tokens::SOCIETY_PORT;
    let body = json!({"integrationid": 1, "name": "Compta MyUnisoft",
                      "credentials": [{"key": "api_token", "value": secret}]});
    let res =
        app.send_json(Method::POST, &format!("/consumers/{cid}/connections"), &tenant, &body).await;
    assert_eq!(res.status(), 200);
    let link: Value = res.json().await.unwrap();
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("http://gateway.test/consumers/{cid}/connections/")), "{url}");
    let conn = url.rsplit('/').next().unwrap();

    let res = app
        .request(Method::GET, &format!("/consumers/{cid}/connections"), &tenant.token)
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    assert!(!text.contains(secret));
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let item = &list[0];
    assert_eq!(item["connectionid"], conn);
    assert_eq!(item["name"], "Compta MyUnisoft");
    assert_eq!(item["integration"], "MyUnisoft");
    assert_eq!(item["integrationid"], 1);
    assert_eq!(item["api"], "Accounting");
    assert_eq!(item["status"], "active");

    let res = app
        .request(Method::GET, &format!("/consumers/{cid}/connections/{conn}"), &tenant.token)
        .send()
        .await
        .unwrap();
    let one: Value = res.json().await.unwrap();
    assert_eq!(&one, item);
}

#[tokio::test]
async fn credentials_are_stored_encrypted_and_open_only_with_the_master_key() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let secret = tokens::FIRM;
    let (cid, conn) = app.consumer_with_connection(&tenant, secret).await;
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let row = sqlx::query("SELECT key_id, nonce, credentials FROM connections")
        .fetch_one(&pool)
        .await
        .unwrap();
    let ciphertext: Vec<u8> = row.get("credentials");
    let nonce: Vec<u8> = row.get("nonce");
    let key_id: String = row.get("key_id");
    assert_eq!(nonce.len(), 12);
    assert_eq!(key_id, app.settings.keyring.current_id());
    assert!(!String::from_utf8_lossy(&ciphertext).contains(secret));
    assert!(!String::from_utf8_lossy(&ciphertext).contains("api_token"));
    let account = tenant.account.account_id;
    let (cid, conn) = (cid.parse().unwrap(), conn.parse().unwrap());
    let opened = app
        .store
        .connections()
        .credentials(&app.settings.keyring, account, cid, conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened.get("api_token"), Some(secret));
}

#[tokio::test]
async fn a_patch_renames_and_replaces_credentials() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, conn) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let path = format!("/consumers/{cid}/connections/{conn}");
    let body = json!({"name": "Renamed", "credentials": [{"key": "api_token", "value": tokens::SOCIETY_GARAGE}]});
    let res = app.send_json(Method::PATCH, &path, &tenant, &body).await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["url"].as_str().unwrap().ends_with(&conn));
    let read: Value =
        app.request(Method::GET, &path, &tenant.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["name"], "Renamed");
    let creds = app.credentials(&tenant, &cid, &conn).await;
    assert_eq!(creds.get("api_token"), Some(tokens::SOCIETY_GARAGE));
    assert_eq!(read["data"], json!({"access": "society", "society_id": 4822, "schema_id": 80}));
}

#[tokio::test]
async fn invalid_connection_bodies_name_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Garage"})).await;
    let path = format!("/consumers/{}/connections", consumer["consumerid"].as_str().unwrap());
    // Without `credentials` the answer is an activation link (tests/api/connect.rs).
    let cases = [
        (json!({"credentials": []}), "credentials"),
        (json!({"credentials": [{"key": "password", "value": "x"}]}), "credentials[0].key"),
        (json!({"credentials": [{"key": "api_token", "value": ""}]}), "credentials[0].value"),
        (json!({"credentials": [{"key": "api_token"}]}), "credentials[0].value"),
        (
            json!({"integrationid": 77, "credentials": [{"key": "api_token", "value": "t"}]}),
            "integrationid",
        ),
        (
            json!({"name": "n".repeat(81), "credentials": [{"key": "api_token", "value": "t"}]}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let res = app.send_json(Method::POST, &path, &tenant, &body).await;
        let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
        assert_eq!(error["detail"][0]["loc"], json!(["body", field]), "{body}");
    }
    let list: Value =
        app.request(Method::GET, &path, &tenant.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn unknown_and_deleted_connections_are_chift_404s() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, conn) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let path = format!("/consumers/{cid}/connections/{conn}");
    assert_eq!(
        app.request(Method::DELETE, &path, &tenant.token).send().await.unwrap().status(),
        204
    );
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let res = app
            .request(method, &path, &tenant.token)
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    }
    let list = app.get_json(&tenant, &format!("/consumers/{cid}/connections")).await.1;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn a_replayed_client_request_id_answers_409_and_creates_nothing_more() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Garage"})).await;
    let cid = consumer["consumerid"].as_str().unwrap();
    let path = format!("/consumers/{cid}/connections");
    let body = json!({"credentials": [{"key": "api_token", "value": tokens::SOCIETY_PORT}]});
    let send = || {
        app.request(Method::POST, &path, &tenant.token)
            .header("x-chift-client-requestid", "req-123")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 200);
    let url = first.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
    let conn = url.rsplit('/').next().unwrap();
    let replay = chift_error(send().await.unwrap(), 409, "REQUEST_ALREADY_PROCESSED").await;
    assert!(replay["detail"].as_str().unwrap().contains("200"));
    let list: Value =
        app.request(Method::GET, &path, &tenant.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    let lookup =
        format!("/consumers/{cid}/connections/{conn}/transactions?client_request_id=req-123");
    let res = app.request(Method::GET, &lookup, &tenant.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let tx: Value = res.json().await.unwrap();
    assert_eq!(tx["method"], "POST");
    assert_eq!(tx["route"], "/consumers/{consumer_id}/connections");
    assert_eq!(tx["status_code"], 200);
    assert_eq!(tx["created_entity_id"], conn);
    let unknown =
        format!("/consumers/{cid}/connections/{conn}/transactions?client_request_id=other");
    let res = app.request(Method::GET, &unknown, &tenant.token).send().await.unwrap();
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    let missing = format!("/consumers/{cid}/connections/{conn}/transactions");
    let res = app.request(Method::GET, &missing, &tenant.token).send().await.unwrap();
    let error = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(error["detail"][0]["loc"], json!(["query", "client_request_id"]));
}

#[tokio::test]
async fn a_create_that_failed_upstream_finishes_when_sent_again_with_its_request_id() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Garage"})).await;
    let cid = consumer["consumerid"].as_str().unwrap();
    let path = format!("/consumers/{cid}/connections");
    let body = json!({"credentials": [{"key": "api_token", "value": tokens::SOCIETY_PORT}]});
    let send = || {
        app.request(Method::POST, &path, &tenant.token)
            .header("x-chift-client-requestid", "req-down")
            .json(&body)
            .send()
    };
    app.sandbox.set_faults(Faults { error_5xx_per_mille: 1000, ..Faults::default() });
    let failed = send().await.unwrap();
    assert!(failed.status().is_server_error(), "{}", failed.status());
    app.sandbox.set_faults(Faults::default());
    let list = || async {
        let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
        res.json::<Value>().await.unwrap().as_array().unwrap().len()
    };
    assert_eq!(list().await, 0);
    let finished = send().await.unwrap();
    assert_eq!(finished.status(), 200);
    let url = finished.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
    let conn = url.rsplit('/').next().unwrap();
    assert_eq!(list().await, 1);
    chift_error(send().await.unwrap(), 409, "REQUEST_ALREADY_PROCESSED").await;
    let lookup =
        format!("/consumers/{cid}/connections/{conn}/transactions?client_request_id=req-down");
    let (status, tx) = app.get_json(&tenant, &lookup).await;
    assert_eq!((status, tx["status_code"].as_u64()), (200, Some(200)));
}

#[tokio::test]
async fn integrations_list_myunisoft_and_the_credential_it_needs() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let list = app.get_json(&tenant, "/integrations").await.1;
    let myunisoft = &list[0];
    assert_eq!(myunisoft["name"], "MyUnisoft");
    assert_eq!(myunisoft["api"], "Accounting");
    assert_eq!(myunisoft["credentials"][0]["name"], "api_token");
    let id = myunisoft["integrationid"].as_i64().unwrap();
    let one = app.get_json(&tenant, &format!("/integrations/{id}")).await.1;
    assert_eq!(&one, myunisoft);
    let res = app.request(Method::GET, "/integrations/999", &tenant.token).send().await.unwrap();
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    let logo = app.http.get(app.url(&format!("/integrations/{id}/logo.svg"))).send().await.unwrap();
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert!(logo.text().await.unwrap().starts_with("<svg"));
}

#[tokio::test]
async fn a_token_myunisoft_refuses_answers_401_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Garage"})).await;
    let path = format!("/consumers/{}/connections", consumer["consumerid"].as_str().unwrap());
    for token in [tokens::REVOKED, "not-a-myunisoft-token"] {
        let body = json!({"credentials": [{"key": "api_token", "value": token}]});
        let res = app.send_json(Method::POST, &path, &tenant, &body).await;
        let error = chift_error(res, 401, "ERROR_CONNECTOR_AUTHENTICATION").await;
        assert!(error["message"].as_str().unwrap().contains("new API token"), "{error}");
        assert!(!error.to_string().contains(token), "the token is not echoed");
    }
    let list: Value =
        app.request(Method::GET, &path, &tenant.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn activation_records_a_firm_token_and_the_folders_it_reaches() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, conn) = app.consumer_with_connection(&tenant, tokens::FIRM).await;
    let path = format!("/consumers/{cid}/connections/{conn}");
    let read: Value =
        app.request(Method::GET, &path, &tenant.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["data"]["access"], "firm");
    assert_eq!(read["data"]["folders"], json!([4821, 4822, 4823]));
    let calls = app.sandbox.requests();
    let key_info =
        calls.iter().find(|r| r.path.ends_with("/key/info")).expect("the key was checked");
    assert!(key_info.query.contains("mode=extended"));
    assert_eq!(key_info.token.as_deref(), Some(tokens::FIRM));
}
