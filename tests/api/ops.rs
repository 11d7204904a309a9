use reqwest::Method;
use serde_json::Value;

use crate::support::TestApp;

#[tokio::test]
async fn health_probes_answer_ok() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/health/ready"] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
    }
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.store.close().await;
    let res = app.http.get(app.url("/health/ready")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "error");
    assert_eq!(app.http.get(app.url("/health/live")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_method_and_status() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    for _ in 0..3 {
        let id = uuid::Uuid::new_v4();
        app.request(Method::GET, &format!("/consumers/{id}"), &tenant.token).send().await.unwrap();
    }
    app.http.get(app.url("/no/such/route")).send().await.unwrap();
    let text = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let line = r#"passerelle_http_requests_total{method="GET",route="/consumers/{consumer_id}",status="404"} 3"#;
    assert!(text.contains(line), "{text}");
    assert!(text.contains(r#"route="unmatched",status="404"} 1"#), "{text}");
    assert!(text.contains(r#"passerelle_http_request_duration_seconds_bucket{method="POST",route="/token",status="200",le="#));
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = TestApp::spawn().await;
    let served: Value =
        app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let committed: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    assert!(
        served == committed,
        "openapi/openapi.json is stale: regenerate it with `cargo run -q -- openapi > openapi/openapi.json`"
    );
    let paths = served["paths"].as_object().unwrap();
    for path in [
        "/token",
        "/consumers/{consumer_id}",
        "/consumers/{consumer_id}/connections/{connectionid}",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
}

#[test]
fn every_schema_the_openapi_document_refers_to_is_defined() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(object) => {
                found.extend(object.get("$ref").and_then(Value::as_str));
                object.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let document: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    let mut found = Vec::new();
    refs(&document, &mut found);
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let dangling: Vec<_> = found
        .into_iter()
        .filter(|r| {
            !r.strip_prefix("#/components/schemas/").is_some_and(|n| schemas.contains_key(n))
        })
        .collect();
    assert!(dangling.is_empty(), "referenced but not defined: {dangling:?}");
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.http.get(app.url("/docs")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/docs/swagger-ui-bundle.js") && page.contains("/openapi.json"));
    let bundle = app.http.get(app.url("/docs/swagger-ui-bundle.js")).send().await.unwrap();
    assert_eq!(bundle.headers()["content-type"], "application/javascript");
    assert!(bundle.text().await.unwrap().len() > 1_000_000);
}
