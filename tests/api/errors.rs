//! Every non-2xx answer carries the Chift error body.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::accounting::{acc, connected};
use crate::support::{chift_error, tokens, TestApp};

#[tokio::test]
async fn an_unknown_route_is_a_chift_404() {
    let app = TestApp::spawn().await;
    let res = app.http.get(app.url("/consumers/x/nowhere/at/all")).send().await.unwrap();
    let body = chift_error(res, 404, "ERROR_API_RESOURCE_NOT_FOUND").await;
    assert!(body["message"].as_str().unwrap().contains("/consumers/x/nowhere/at/all"));
}

#[tokio::test]
async fn a_wrong_method_is_a_chift_405_listing_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let res = app.http.put(app.url("/consumers")).send().await.unwrap();
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    chift_error(res, 405, "ERROR_API_RESOURCE_NOT_FOUND").await;
}

#[tokio::test]
async fn malformed_json_is_a_chift_422() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let res = app
        .request(Method::POST, "/consumers", &tenant.token)
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert!(body["message"].as_str().unwrap().contains("malformed JSON"));
}

#[tokio::test]
async fn a_bad_query_string_names_the_parameter() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let res = app
        .request(Method::GET, "/consumers?include_account=maybe", &tenant.token)
        .send()
        .await
        .unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(body["detail"][0]["loc"], json!(["query", "include_account"]));
}

#[tokio::test]
async fn a_bad_path_parameter_names_the_parameter() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let res =
        app.request(Method::GET, "/consumers/not-a-uuid", &tenant.token).send().await.unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_PATH_PARAMETER").await;
    assert_eq!(body["detail"][0]["loc"], json!(["path", "consumer_id"]));
}

#[tokio::test]
async fn an_oversized_body_is_a_chift_413() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(17 * 1024 * 1024));
    let res =
        app.request(Method::POST, "/consumers", &tenant.token).body(huge).send().await.unwrap();
    chift_error(res, 413, "ERROR_INVALID_BODY").await;
}

#[tokio::test]
async fn a_request_that_outlives_the_timeout_is_a_chift_504() {
    let app = TestApp::spawn_with(|s| s.request_timeout = Duration::from_millis(500)).await;
    let tenant = app.tenant("Acme").await;
    // Send the headers, then stall the body: the handler waits past the timeout.
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /consumers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\"",
        tenant.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            answer.extend_from_slice(&buf[..n]);
            if n == 0 || String::from_utf8_lossy(&answer).contains("\"detail\"") {
                break;
            }
        }
    })
    .await
    .expect("the gateway answers on its own");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
    assert!(answer.contains("\"status\":\"error\""), "{answer}");
}

#[tokio::test]
async fn a_bad_header_names_the_header() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let consumer = app.create_consumer(&tenant, json!({"name": "Garage"})).await;
    let cid = consumer["consumerid"].as_str().unwrap();
    let res = app
        .request(Method::GET, &format!("/consumers/{cid}/accounting/folders"), &tenant.token)
        .header("x-chift-connectionid", "not-a-uuid")
        .send()
        .await
        .unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(body["detail"][0]["loc"], json!(["header", "x-chift-connectionid"]));
    let res = app
        .request(Method::POST, &format!("/consumers/{cid}/connections"), &tenant.token)
        .header("x-chift-client-requestid", "r".repeat(256))
        .json(&json!({"credentials": [{"key": "api_token", "value": "x"}]}))
        .send()
        .await
        .unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(body["detail"][0]["loc"], json!(["header", "x-chift-client-requestid"]));
}

#[tokio::test]
async fn a_nul_character_is_a_422_naming_the_field_and_nothing_is_stored_or_sent() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let res = app
        .request(Method::GET, "/consumers?internal_reference=a%00b", &tenant.token)
        .send()
        .await
        .unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    assert_eq!(body["detail"][0]["loc"], json!(["query", "internal_reference"]));
    assert!(body["message"].as_str().unwrap().contains("must not contain a NUL character"));

    let res = app.send_json(Method::POST, "/consumers", &tenant, &json!({"name": "a\0b"})).await;
    let body = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(body["detail"][0]["loc"], json!(["body", "name"]));
    assert_eq!(app.get_json(&tenant, "/consumers").await.1.as_array().unwrap().len(), 1);

    let account = acc(&cid, "analytic-accounts/9052");
    let res = app.send_json(Method::PATCH, &account, &tenant, &json!({"name": "a\0"})).await;
    let body = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(body["detail"][0]["loc"], json!(["body", "name"]));
    let res = app
        .send_json(Method::PATCH, &format!("{account}%00"), &tenant, &json!({"name": "X"}))
        .await;
    let body = chift_error(res, 422, "ERROR_INVALID_PATH_PARAMETER").await;
    assert_eq!(body["detail"][0]["loc"], json!(["path", "analytic_account_id"]));
    assert!(app.sandbox.requests().is_empty(), "{:?}", app.sandbox.requests());
}

#[tokio::test]
async fn an_out_of_range_page_or_size_is_a_422_naming_it() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    for (query, field) in [("page=99999999999", "page"), ("size=-1", "size"), ("size=0", "size")] {
        let path = acc(&cid, &format!("journal/entries?unposted_allowed=true&{query}"));
        let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
        let body = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
        assert_eq!(body["detail"][0]["loc"], json!(["query", field]), "{query}");
    }
}
