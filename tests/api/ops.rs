use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::accounting::{acc, connected};
use crate::support::{tokens, FaultKind, Faults, TestApp};

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
    let bundle = app.http.get(app.url("/docs/swagger-ui-bundle.js")).send().await.unwrap();
    assert_eq!(bundle.headers()["content-type"], "application/javascript");
    assert!(bundle.text().await.unwrap().len() > 1_000_000);
}

#[tokio::test]
async fn swagger_ui_loads_only_its_own_files_under_a_content_security_policy() {
    let app = TestApp::spawn().await;
    let res = app.http.get(app.url("/docs")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    for directive in ["default-src 'none'", "script-src 'self';", "style-src 'self';"] {
        assert!(csp.contains(directive), "{directive} not in {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    let page = res.text().await.unwrap();
    // Every script is a file (an inline one would be blocked), every asset a path on the gateway.
    assert_eq!(page.matches("<script").count(), page.matches("<script src=\"/").count(), "{page}");
    let assets: Vec<&str> = page.split('"').filter(|part| part.starts_with('/')).collect();
    assert_eq!(
        assets,
        ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"]
    );
    for (path, kind) in
        assets.iter().zip(["text/css", "application/javascript", "application/javascript"])
    {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], kind, "{path}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(res.headers()["content-security-policy"].to_str().unwrap(), csp, "{path}");
    }
    let initializer =
        app.http.get(app.url("/docs/swagger-initializer.js")).send().await.unwrap().text().await;
    assert!(initializer.unwrap().contains(r#"url: "/openapi.json""#));
}

#[tokio::test]
async fn every_answer_says_nosniff() {
    let app = TestApp::spawn().await;
    for (path, status) in [("/health/live", 200), ("/consumers", 401), ("/made-up", 404)] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff", "{path}");
    }
}

#[tokio::test]
async fn made_up_methods_do_not_grow_the_metrics() {
    let app = TestApp::spawn().await;
    let metrics_size = || async {
        app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap().len()
    };
    let made_up = |i: usize| Method::from_bytes(format!("M{i}X").as_bytes()).unwrap();
    // Every series there will be: a made-up method's, and /metrics' own.
    app.http.request(made_up(0), app.url("/consumers")).send().await.unwrap();
    metrics_size().await;
    let before = metrics_size().await;
    for i in 1..=2000 {
        app.http.request(made_up(i), app.url("/consumers")).send().await.unwrap();
    }
    let after = metrics_size().await;
    println!("/metrics: {before} bytes before 2,000 made-up methods, {after} after");
    assert!(after < before + 256, "{before} → {after}");
    let text = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(!text.contains("M1X"));
}

#[tokio::test]
async fn slow_request_heads_are_closed_after_the_header_timeout() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let timeout = Duration::from_secs(2);
    let app = TestApp::spawn_with(|s| s.header_timeout = timeout).await;
    let started = Instant::now();
    let mut slow = vec![];
    for _ in 0..50 {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        stream.write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\nAccept: ").await.unwrap();
        slow.push(stream);
    }
    // A real request is served meanwhile.
    let res = app.http.get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let closes = slow.into_iter().map(|mut stream| async move {
        let mut rest = vec![];
        // EOF or a reset: either way the gateway has let go of the connection.
        let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest))
            .await
            .expect("closed by the gateway");
        started.elapsed()
    });
    let closed_after = futures_util::future::join_all(closes).await;
    let (first, last) = (closed_after.iter().min().unwrap(), closed_after.iter().max().unwrap());
    println!("50 half-sent request heads closed after {first:?} to {last:?} (timeout {timeout:?})");
    assert!(*first >= timeout - Duration::from_millis(100), "{first:?}");
    assert!(*last < timeout + Duration::from_secs(2), "{last:?}");
    // On a new connection: the pooled one of the request above sat idle as long as the
    // timeout, and an idle keep-alive connection is closed by the same rule.
    let res = reqwest::Client::new().get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

/// The metric names in `text` (`passerelle_…` identifiers).
fn metric_names(text: &str) -> BTreeSet<&str> {
    text.match_indices("passerelle_")
        .map(|(at, _)| {
            let rest = &text[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[tokio::test]
async fn the_dashboard_and_the_alert_rules_query_metrics_the_gateway_exports() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    app.sandbox.set_faults(Faults { fail_next: vec![FaultKind::Status(503)], ..Faults::default() });
    for _ in 0..2 {
        let (status, _) = app.get_json(&tenant, &acc(&cid, "journals")).await;
        assert_eq!(status, 200);
    }
    let scrape = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let families: BTreeSet<&str> =
        scrape.lines().filter_map(|l| l.strip_prefix("# TYPE ")?.split(' ').next()).collect();
    // Series names (`…_bucket`, `…_count` of histograms included) and family names.
    let mut exported: BTreeSet<&str> = scrape
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    exported.extend(&families);

    let dashboard_text = include_str!("../../deploy/grafana-dashboard.json");
    let dashboard: Value = serde_json::from_str(dashboard_text).unwrap();
    assert!(dashboard["schemaVersion"].as_u64().unwrap() >= 36);
    let variables = dashboard["templating"]["list"].as_array().unwrap();
    assert!(variables.iter().any(|v| v["name"] == "datasource"
        && v["type"] == "datasource"
        && v["query"] == "prometheus"));
    let panels = dashboard["panels"].as_array().unwrap();
    let queries: Vec<&Value> =
        panels.iter().flat_map(|p| p["targets"].as_array()).flatten().collect();
    assert!(queries.len() >= 10);
    for target in &queries {
        assert_eq!(target["datasource"]["uid"], "${datasource}", "{target}");
        assert!(target["expr"].as_str().is_some_and(|e| e.contains("passerelle_")), "{target}");
    }
    let alerts = include_str!("../../deploy/alerts.yaml");
    for (file, text) in [("grafana-dashboard.json", dashboard_text), ("alerts.yaml", alerts)] {
        let unknown: Vec<_> = metric_names(text).difference(&exported).copied().collect();
        assert!(unknown.is_empty(), "deploy/{file} queries metrics /metrics lacks: {unknown:?}");
    }
    let charted = metric_names(dashboard_text);
    let missing: Vec<_> = families
        .iter()
        .filter(|family| !charted.iter().any(|name| name.starts_with(*family)))
        .collect();
    assert!(missing.is_empty(), "metrics without a dashboard panel: {missing:?}");
}

/// Every list the document declares with Chift's pagination bounds (`page` ≥ 1, `size` 1..100)
/// refuses a value outside them with a 422 naming the parameter.
#[tokio::test]
async fn every_declared_page_bound_is_enforced() {
    let document: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else { continue };
        let named = |name: &str| params.iter().find(|p| p["name"] == name && p["in"] == "query");
        let (Some(page), Some(size)) = (named("page"), named("size")) else { continue };
        assert_eq!(
            (&page["schema"]["minimum"], &page["schema"]["default"]),
            (&Value::from(1), &Value::from(1)),
            "{path}"
        );
        assert_eq!(
            (&size["schema"]["minimum"], &size["schema"]["maximum"], &size["schema"]["default"]),
            (&Value::from(1), &Value::from(100), &Value::from(50)),
            "{path}"
        );
        // Lists that need more than the consumer are left to their own suites.
        let others_required =
            params.iter().any(|p| p["required"] == true && p["name"] != "consumer_id");
        if others_required {
            continue;
        }
        let url = path.replace("{consumer_id}", &cid);
        for (query, name) in [("size=101", "size"), ("size=0", "size"), ("page=0", "page")] {
            let (status, body) = app.get_json(&tenant, &format!("{url}?{query}")).await;
            assert_eq!(status, 422, "{path}?{query}: {body}");
            assert_eq!(body["error_code"], "ERROR_INVALID_QUERY_PARAMETER", "{path}?{query}");
            assert_eq!(
                body["detail"][0]["loc"],
                serde_json::json!(["query", name]),
                "{path}?{query}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} lists checked");
}
