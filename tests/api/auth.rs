use jsonwebtoken::{EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{chift_error, tokens, TestApp, JWT_SECRET};

#[tokio::test]
async fn a_token_is_a_bearer_jwt_expiring_at_an_absolute_time() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let body = json!({
        "clientId": account.client_id,
        "clientSecret": account.client_secret,
        "accountId": account.account_id,
        "envId": "9d1e6a7c-0000-4000-8000-000000000001",
    });
    let res = app.http.post(app.url("/token")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let token: Value = res.json().await.unwrap();
    assert_eq!(token["token_type"], "bearer");
    assert_eq!(token["expires_in"], 1800);
    let now = chrono::Utc::now().timestamp();
    let expires_on = token["expires_on"].as_i64().unwrap();
    assert!((now + 1795..=now + 1805).contains(&expires_on), "{expires_on} vs {now}");
    assert_eq!(token["access_token"].as_str().unwrap().split('.').count(), 3);
}

#[tokio::test]
async fn wrong_credentials_are_refused_with_the_chift_body() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let other = app.account("Other").await;
    let attempts = [
        json!({"clientId": account.client_id, "clientSecret": "ps_wrong", "accountId": account.account_id}),
        json!({"clientId": account.client_id, "clientSecret": account.client_secret, "accountId": other.account_id}),
        json!({"clientId": "pc_unknown", "clientSecret": account.client_secret, "accountId": account.account_id}),
    ];
    for body in attempts {
        let res = app.http.post(app.url("/token")).json(&body).send().await.unwrap();
        chift_error(res, 401, "ERROR_CHIFT_AUTHENTICATION_ERROR").await;
    }
}

#[tokio::test]
async fn a_malformed_token_request_names_the_field() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .post(app.url("/token"))
        .json(&json!({"clientId": "a", "clientSecret": "b", "accountId": "not-a-uuid"}))
        .send()
        .await
        .unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(body["detail"][0]["loc"], json!(["body", "accountId"]));
    let res =
        app.http.post(app.url("/token")).json(&json!({"clientId": "a"})).send().await.unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(body["detail"][0]["loc"], json!(["body", "clientSecret"]));
}

#[tokio::test]
async fn repeated_failures_for_one_client_id_are_refused_with_429() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let wrong = json!({"clientId": account.client_id, "clientSecret": "ps_guess", "accountId": account.account_id});
    for _ in 0..5 {
        let res = app.http.post(app.url("/token")).json(&wrong).send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = app.http.post(app.url("/token")).json(&wrong).send().await.unwrap();
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 300);
    chift_error(res, 429, "ERROR_CHIFT_AUTHENTICATION_ERROR").await;
    // Even the right secret waits: guessing is not rewarded during the lock-out.
    let res = app.token_response(&account).await;
    assert_eq!(res.status(), 429);
    // Another client is not affected.
    let other = app.account("Other").await;
    assert_eq!(app.token_response(&other).await.status(), 200);
}

fn token_signed_with(secret: &str, claims: Value) -> String {
    jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes()))
        .unwrap()
}

#[tokio::test]
async fn missing_expired_forged_and_foreign_tokens_get_401() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let now = chrono::Utc::now().timestamp();
    let sub = tenant.account.account_id.to_string();
    let claims = |iss: &str, aud: &str, exp: i64| json!({"sub": sub, "iss": iss, "aud": aud, "iat": now - 10, "exp": exp});
    let bad_tokens = [
        "garbage".to_owned(),
        token_signed_with(JWT_SECRET, claims("passerelle", "passerelle-api", now - 1)),
        token_signed_with(
            "another-secret-another-secret-0000",
            claims("passerelle", "passerelle-api", now + 600),
        ),
        token_signed_with(JWT_SECRET, claims("someone-else", "passerelle-api", now + 600)),
        token_signed_with(JWT_SECRET, claims("passerelle", "another-api", now + 600)),
    ];
    let res = app.http.get(app.url("/consumers")).send().await.unwrap();
    chift_error(res, 401, "ERROR_CHIFT_AUTHENTICATION_ERROR").await;
    for token in bad_tokens {
        let res = app.request(Method::GET, "/consumers", &token).send().await.unwrap();
        chift_error(res, 401, "ERROR_CHIFT_AUTHENTICATION_ERROR").await;
    }
    let good = token_signed_with(JWT_SECRET, claims("passerelle", "passerelle-api", now + 600));
    assert_eq!(app.request(Method::GET, "/consumers", &good).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn every_route_but_the_public_ones_needs_a_token() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::new_v4();
    let protected = [
        (Method::GET, "/consumers".to_owned()),
        (Method::POST, "/consumers".to_owned()),
        (Method::GET, format!("/consumers/{id}")),
        (Method::PATCH, format!("/consumers/{id}")),
        (Method::DELETE, format!("/consumers/{id}")),
        (Method::GET, format!("/consumers/{id}/connections")),
        (Method::POST, format!("/consumers/{id}/connections")),
        (Method::GET, format!("/consumers/{id}/connections/{id}")),
        (Method::PATCH, format!("/consumers/{id}/connections/{id}")),
        (Method::DELETE, format!("/consumers/{id}/connections/{id}")),
        (Method::GET, format!("/consumers/{id}/connections/{id}/transactions?client_request_id=x")),
        (Method::GET, "/integrations".to_owned()),
        (Method::GET, "/integrations/1".to_owned()),
    ];
    for (method, path) in protected {
        let res =
            app.http.request(method.clone(), app.url(&path)).json(&json!({})).send().await.unwrap();
        assert_eq!(res.status(), 401, "{method} {path}");
    }
    for path in ["/health/live", "/health/ready", "/metrics", "/openapi.json", "/docs"] {
        assert_eq!(app.http.get(app.url(path)).send().await.unwrap().status(), 200, "{path}");
    }
}

#[tokio::test]
async fn another_accounts_consumer_and_connections_are_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.tenant("Owner").await;
    let intruder = app.tenant("Intruder").await;
    let (cid, conn) = app.consumer_with_connection(&owner, tokens::SOCIETY_PORT).await;
    let paths = [
        (Method::GET, format!("/consumers/{cid}")),
        (Method::PATCH, format!("/consumers/{cid}")),
        (Method::DELETE, format!("/consumers/{cid}")),
        (Method::GET, format!("/consumers/{cid}/connections")),
        (Method::POST, format!("/consumers/{cid}/connections")),
        (Method::GET, format!("/consumers/{cid}/connections/{conn}")),
        (Method::PATCH, format!("/consumers/{cid}/connections/{conn}")),
        (Method::DELETE, format!("/consumers/{cid}/connections/{conn}")),
    ];
    let body = json!({"name": "x", "credentials": [{"key": "api_token", "value": "stolen"}]});
    for (method, path) in paths {
        let res =
            app.request(method.clone(), &path, &intruder.token).json(&body).send().await.unwrap();
        chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    }
    let list = app.get_json(&intruder, "/consumers").await.1;
    assert_eq!(list, json!([]));
    // The owner's data is untouched.
    let res = app
        .request(Method::GET, &format!("/consumers/{cid}/connections/{conn}"), &owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "Compta");
}
