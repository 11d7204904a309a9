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

/// A client whose connections come from `127.0.0.2`, another address than the tests' own.
pub fn client_from_another_address() -> reqwest::Client {
    let other = std::net::IpAddr::from([127, 0, 0, 2]);
    reqwest::Client::builder().local_address(other).build().unwrap()
}

#[tokio::test]
async fn wrong_secrets_from_another_address_do_not_lock_the_client_out() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let attacker = client_from_another_address();
    let wrong = json!({"clientId": account.client_id, "clientSecret": "ps_guess", "accountId": account.account_id});
    let mut statuses = vec![];
    for _ in 0..20 {
        let res = attacker.post(app.url("/token")).json(&wrong).send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert_eq!(statuses[5..], [429; 15]);
    // The attacker's address stays locked out, even with the right secret...
    let right = json!({"clientId": account.client_id, "clientSecret": account.client_secret, "accountId": account.account_id});
    let res = attacker.post(app.url("/token")).json(&right).send().await.unwrap();
    chift_error(res, 429, "ERROR_CHIFT_AUTHENTICATION_ERROR").await;
    // ...while the client gets its token from its own address.
    assert_eq!(app.token_response(&account).await.status(), 200);
}

#[tokio::test]
async fn made_up_client_ids_from_one_address_lock_that_address_out_only() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let attacker = client_from_another_address();
    let mut statuses = vec![];
    for _ in 0..25 {
        let made_up = passerelle::auth::secrets::new_client_id();
        let body = json!({"clientId": made_up, "clientSecret": "ps_guess", "accountId": account.account_id});
        let res = attacker.post(app.url("/token")).json(&body).send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[..20], [401; 20]);
    assert_eq!(statuses[20..], [429; 5]);
    assert_eq!(app.token_response(&account).await.status(), 200);
}

#[tokio::test]
async fn a_client_id_not_of_the_issued_shape_is_refused_before_any_lookup() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let long = "pc_".to_owned() + &"a".repeat(62);
    let body = json!({"clientId": long, "clientSecret": "x", "accountId": account.account_id});
    let res = app.http.post(app.url("/token")).json(&body).send().await.unwrap();
    let body = chift_error(res, 422, "ERROR_INVALID_BODY").await;
    assert_eq!(body["detail"][0]["loc"], json!(["body", "clientId"]));
    // Closing the pool shows no lookup happens: a lookup would fail with a 500.
    app.store.close().await;
    for client_id in ["pc_unknown", "' OR 1=1 --", &account.client_id[..18]] {
        let body = json!({"clientId": client_id, "clientSecret": account.client_secret, "accountId": account.account_id});
        let res = app.http.post(app.url("/token")).json(&body).send().await.unwrap();
        chift_error(res, 401, "ERROR_CHIFT_AUTHENTICATION_ERROR").await;
    }
}

#[tokio::test]
async fn a_token_body_over_4_kib_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let padded = |len: usize| {
        json!({"clientId": account.client_id, "clientSecret": account.client_secret,
               "accountId": account.account_id, "envId": "x".repeat(len)})
        .to_string()
    };
    let url = app.url("/token");
    // Declared by Content-Length: refused without reading it.
    let big = padded(1024 * 1024);
    let res = app.http.post(&url).header("content-type", "application/json").body(big).send();
    let body = chift_error(res.await.unwrap(), 413, "ERROR_INVALID_BODY").await;
    assert!(body["message"].as_str().unwrap().contains("4096"), "{body}");
    // Chunked, with no length: refused once 4 KiB have been read.
    let chunks: Vec<Result<String, std::io::Error>> = vec![Ok(padded(3000)), Ok(padded(3000))];
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let res = app.http.post(&url).header("content-type", "application/json").body(stream).send();
    chift_error(res.await.unwrap(), 413, "ERROR_INVALID_BODY").await;
    // Within the limit, extra keys and all, the token is issued.
    let res = app.http.post(&url).header("content-type", "application/json").body(padded(3000));
    assert_eq!(res.send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_argon2_hash_from_before_logs_in_once_and_is_then_stored_as_a_digest() {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let accounts = app.store.accounts();
    let (_, digest) = accounts.find_by_client_id(&account.client_id).await.unwrap().unwrap();
    assert!(digest.starts_with("hmac-sha256$") && !digest.contains(&account.client_secret[3..]));
    let salt = SaltString::generate(&mut OsRng);
    let argon2 = argon2::Argon2::default()
        .hash_password(account.client_secret.as_bytes(), &salt)
        .unwrap()
        .to_string();
    accounts.replace_secret_hash(account.account_id, &digest, &argon2).await.unwrap();

    let wrong = json!({"clientId": account.client_id, "clientSecret": "ps_guess", "accountId": account.account_id});
    let res = app.http.post(app.url("/token")).json(&wrong).send().await.unwrap();
    chift_error(res, 401, "ERROR_CHIFT_AUTHENTICATION_ERROR").await;
    let (_, stored) = accounts.find_by_client_id(&account.client_id).await.unwrap().unwrap();
    assert_eq!(stored, argon2, "a failure changes nothing");

    assert_eq!(app.token_response(&account).await.status(), 200);
    let (_, stored) = accounts.find_by_client_id(&account.client_id).await.unwrap().unwrap();
    assert_eq!(stored, digest, "replaced by the digest of the same secret");
    assert_eq!(app.token_response(&account).await.status(), 200);
}
