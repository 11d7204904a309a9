use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{chift_error, tokens, TestApp};

#[tokio::test]
async fn a_created_consumer_reads_back_with_every_field() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let created = app
        .create_consumer(
            &tenant,
            json!({"name": "Boulangerie Éclair", "email": "compta@eclair.fr",
                   "internal_reference": "CUST-42", "redirect_url": "https://app.example/back"}),
        )
        .await;
    let id = created["consumerid"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    let res =
        app.request(Method::GET, &format!("/consumers/{id}"), &tenant.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let read: Value = res.json().await.unwrap();
    assert_eq!(read, created);
    assert_eq!(read["name"], "Boulangerie Éclair");
    assert_eq!(read["email"], "compta@eclair.fr");
    assert_eq!(read["internal_reference"], "CUST-42");
    assert_eq!(read["redirect_url"], "https://app.example/back");
    assert!(chrono::DateTime::parse_from_rfc3339(read["created_on"].as_str().unwrap()).is_ok());
    assert_eq!(read["account"], Value::Null);
}

#[tokio::test]
async fn the_list_is_a_bare_array_filtered_by_search_and_reference() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    app.create_consumer(&tenant, json!({"name": "Garage Dupont", "internal_reference": "A"})).await;
    app.create_consumer(&tenant, json!({"name": "Fleuriste", "email": "dupont@fleurs.fr"})).await;
    app.create_consumer(&tenant, json!({"name": "Pharmacie 100%", "internal_reference": "B"}))
        .await;
    let names = |v: Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
    };
    let get = |q: &'static str| {
        let req = app.request(Method::GET, &format!("/consumers{q}"), &tenant.token);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(names(get("").await), ["Garage Dupont", "Fleuriste", "Pharmacie 100%"]);
    assert_eq!(names(get("?search=DUPONT").await), ["Garage Dupont", "Fleuriste"]);
    assert_eq!(names(get("?search=100%25").await), ["Pharmacie 100%"]);
    assert_eq!(names(get("?search=_").await), Vec::<String>::new());
    assert_eq!(names(get("?internal_reference=B").await), ["Pharmacie 100%"]);
    let with_account = get("?include_account=true").await;
    assert_eq!(with_account[0]["account"]["name"], "Acme");
}

#[tokio::test]
async fn a_patch_changes_only_the_fields_given() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let created = app
        .create_consumer(
            &tenant,
            json!({"name": "Old", "email": "a@b.fr", "internal_reference": "R1"}),
        )
        .await;
    let id = created["consumerid"].as_str().unwrap();
    let path = format!("/consumers/{id}");
    let res = app.send_json(Method::PATCH, &path, &tenant, &json!({"name": "New"})).await;
    assert_eq!(res.status(), 200);
    let patched: Value = res.json().await.unwrap();
    assert_eq!(patched["name"], "New");
    assert_eq!(patched["email"], "a@b.fr");
    assert_eq!(patched["internal_reference"], "R1");
    let read: Value =
        app.request(Method::GET, &path, &tenant.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(read, patched);
}

#[tokio::test]
async fn invalid_consumer_bodies_name_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let long = "x".repeat(256);
    let cases = [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": long}), "name"),
        (json!({"name": "A", "email": format!("{}@b.fr", "a".repeat(76))}), "email"),
        (json!({"name": "A", "email": "not-an-email"}), "email"),
        (json!({"name": "A", "internal_reference": long}), "internal_reference"),
        (json!({"name": "A", "redirect_url": "javascript:alert(1)"}), "redirect_url"),
        (json!({"name": 12}), "name"),
    ];
    for (body, field) in cases {
        let res = app.send_json(Method::POST, "/consumers", &tenant, &body).await;
        let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
        assert_eq!(error["detail"][0]["loc"], json!(["body", field]), "{body}");
        assert!(error["message"].as_str().unwrap().contains(field), "{error}");
    }
    let list = app.get_json(&tenant, "/consumers").await.1;
    assert_eq!(list, json!([]));
    let created = app.create_consumer(&tenant, json!({"name": "A"})).await;
    let path = format!("/consumers/{}", created["consumerid"].as_str().unwrap());
    let res = app.send_json(Method::PATCH, &path, &tenant, &json!({"name": "  "})).await;
    chift_error(res, 422, "ERROR_INVALID_BODY").await;
}

#[tokio::test]
async fn deleting_a_consumer_removes_it_and_its_connections() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let path = format!("/consumers/{cid}");
    let res = app.request(Method::DELETE, &path, &tenant.token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.bytes().await.unwrap().len(), 0);
    let res = app.request(Method::GET, &path, &tenant.token).send().await.unwrap();
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    let res = app.request(Method::DELETE, &path, &tenant.token).send().await.unwrap();
    chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    use sqlx::Row;
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM connections")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn an_unknown_consumer_is_a_chift_404() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let id = uuid::Uuid::new_v4();
    let res =
        app.request(Method::GET, &format!("/consumers/{id}"), &tenant.token).send().await.unwrap();
    let body = chift_error(res, 404, "ERROR_RESOURCE_NOT_FOUND").await;
    assert!(body["message"].as_str().unwrap().contains(&id.to_string()));
}
