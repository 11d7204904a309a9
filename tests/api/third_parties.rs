//! Clients, suppliers and contacts, end to end against the sandbox.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{chift_error, tokens, Tenant, TestApp, PARTNER_SECRET};

const PORT: &str = "4821";
const GARAGE: &str = "4822";

async fn firm() -> (TestApp, Tenant, String) {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::FIRM).await;
    app.sandbox.clear_requests();
    (app, tenant, cid)
}

fn path(cid: &str, route: &str, folder: &str) -> String {
    let sep = if route.contains('?') { '&' } else { '?' };
    format!("/consumers/{cid}/accounting/{route}{sep}folder_id={folder}")
}

/// What the sandbox itself lists under a root, for independent counts.
async fn upstream_count(app: &TestApp, folder: &str, root: &str) -> usize {
    let url = format!("{}/account/v2?begin_by={root}", app.sandbox.base_url());
    let list: Vec<Value> = reqwest::Client::new()
        .get(url)
        .bearer_auth(tokens::FIRM)
        .header("X-Third-Party-Secret", PARTNER_SECRET)
        .header("society-id", folder)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.len()
}

fn new_client(name: &str) -> Value {
    json!({
        "name": name,
        "first_name": "Yann", "last_name": "KERBRAT", "function": "Gérant",
        "email": "compta@fournil.example", "phone": "0298000000", "mobile": "0600000000",
        "language": "en", "internal_notes": "Livrer par l'arrière",
        "company_number": "123456789", "iban": "FR1420041010050500013M02606", "currency": "EUR",
        "addresses": [{"address_type": "main", "number": "7", "street": "Rue de Siam", "city": "BREST", "postal_code": "29200", "country": "FR"}]
    })
}

#[tokio::test]
async fn clients_carry_every_complementary_field_and_contacts_their_order() {
    let (app, tenant, cid) = firm().await;
    let clients = app.all_pages(&tenant, &path(&cid, "clients", PORT)).await;
    assert_eq!(clients.len(), upstream_count(&app, PORT, "411").await);
    let hotel = clients.iter().find(|c| c["account_number"] == "411HOTEL").unwrap();
    assert_eq!(hotel["name"], "HÔTEL DE LA MER");
    assert_eq!((&hotel["first_name"], &hotel["last_name"]), (&json!("Nolwenn"), &json!("PÉRON")));
    assert_eq!(hotel["addresses"][0]["city"], "BREST");
    assert_eq!(hotel["addresses"][0]["country"], "FR");
    assert_eq!(hotel["payment_terms"]["name"], "30 jours fin de mois");
    assert_eq!(hotel["payment_method"]["code"], "VIRT");
    assert!(hotel["iban"].as_str().unwrap().starts_with("FR"));
    assert_eq!((&hotel["company_number"], &hotel["language"]), (&json!("456789012"), &json!("fr")));
    let archived = clients.iter().find(|c| c["account_number"] == "411SALON").unwrap();
    assert_eq!((&archived["active"], &archived["archived"]), (&json!(false), &json!(true)));
    let id = hotel["id"].as_str().unwrap();
    let (status, one) = app.get_json(&tenant, &path(&cid, &format!("clients/{id}"), PORT)).await;
    assert_eq!((status, &one), (200, hotel));
    let contacts = app
        .all_pages(
            &tenant,
            &path(&cid, &format!("contacts?partner_type=client&partner_id={id}"), PORT),
        )
        .await;
    let names: Vec<_> = contacts.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Nolwenn PÉRON", "Claire TANGUY", "Paul ABIVEN", "Jean MORIN"]);
    let suppliers = app.all_pages(&tenant, &path(&cid, "suppliers", GARAGE)).await;
    assert_eq!(suppliers.len(), upstream_count(&app, GARAGE, "401").await);
    assert!(suppliers.iter().all(|s| s["account_number"].as_str().unwrap().starts_with("401")));
}

#[tokio::test]
async fn search_filters_and_unknown_ids() {
    let (app, tenant, cid) = firm().await;
    let found = app.all_pages(&tenant, &path(&cid, "clients?search=h%C3%B4tel", PORT)).await;
    assert_eq!(found.len(), 1);
    let by_siren = app.all_pages(&tenant, &path(&cid, "clients?search=456789012", PORT)).await;
    assert_eq!(by_siren[0]["account_number"], "411HOTEL");
    let all = app.all_pages(&tenant, &path(&cid, "clients", PORT)).await;
    let since = app
        .all_pages(&tenant, &path(&cid, "clients?updated_after=2026-01-01T00:00:00Z", PORT))
        .await;
    assert_eq!(since, all, "no modification dates upstream: nothing is left out");
    let res = app
        .request(Method::GET, &path(&cid, "clients?updated_after=yesterday", PORT), &tenant.token)
        .send()
        .await
        .unwrap();
    chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
    let res = app
        .request(Method::GET, &path(&cid, "clients/999999", PORT), &tenant.token)
        .send()
        .await
        .unwrap();
    chift_error(res, 404, "ERROR_PARTNER_NOT_FOUND").await;
    let supplier_id = app.all_pages(&tenant, &path(&cid, "suppliers", PORT)).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .request(Method::GET, &path(&cid, &format!("clients/{supplier_id}"), PORT), &tenant.token)
        .send()
        .await
        .unwrap();
    chift_error(res, 404, "ERROR_PARTNER_NOT_FOUND").await;
}

#[tokio::test]
async fn a_sweep_of_five_thousand_clients_costs_one_upstream_list_call() {
    let (app, tenant, cid) = firm().await;
    let total = app.sandbox.add_generated_clients(4822, 5_000).unwrap();
    app.sandbox.clear_requests();
    let clients = app.all_pages(&tenant, &path(&cid, "clients", GARAGE)).await;
    assert_eq!(clients.len(), total);
    let calls = app.sandbox.requests();
    let lists = calls.iter().filter(|r| r.path.ends_with("/account/v2")).count();
    println!(
        "sweep of {total} clients in {} pages of 100: {lists} upstream list call(s), {} upstream calls in all",
        total.div_ceil(100),
        calls.len()
    );
    assert_eq!(lists, 1, "one upstream list call per cache lifetime");
}

#[tokio::test]
async fn a_created_client_reads_back_and_a_patch_changes_only_its_fields() {
    let (app, tenant, cid) = firm().await;
    let res = app
        .send_json(
            Method::POST,
            &path(&cid, "clients", PORT),
            &tenant,
            &new_client("Le Fournil de Recouvrance"),
        )
        .await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    let listed = app.all_pages(&tenant, &path(&cid, "clients", PORT)).await;
    assert!(listed.contains(&created), "the new client is listed as created");
    assert_eq!(created["account_number"], "411LEFOURN");
    assert_eq!(
        (&created["email"], &created["phone"], &created["mobile"]),
        (&json!("compta@fournil.example"), &json!("0298000000"), &json!("0600000000"))
    );
    assert_eq!(
        (&created["first_name"], &created["function"], &created["language"]),
        (&json!("Yann"), &json!("Gérant"), &json!("en"))
    );
    assert_eq!(
        (&created["company_number"], &created["iban"]),
        (&json!("123456789"), &json!("FR1420041010050500013M02606"))
    );
    assert_eq!(
        created["addresses"][0],
        json!({"address_type": "main", "name": null, "number": "7", "box": null, "phone": null, "mobile": null, "email": null, "street": "Rue de Siam", "city": "BREST", "postal_code": "29200", "country": "FR"})
    );
    let id = created["id"].as_str().unwrap();
    let item = path(&cid, &format!("clients/{id}"), PORT);
    let res = app
        .send_json(Method::PATCH, &item, &tenant, &json!({"email": "nouveau@fournil.example"}))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let (_, after) = app.get_json(&tenant, &item).await;
    let mut expected = created.clone();
    expected["email"] = json!("nouveau@fournil.example");
    assert_eq!(after, expected, "only the email changed");
    let res = app.send_json(Method::PATCH, &item, &tenant, &json!({"active": false})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);
}

#[tokio::test]
async fn a_patch_keeps_the_contacts_and_the_other_fields_of_a_full_record() {
    let (app, tenant, cid) = firm().await;
    let clients = app.all_pages(&tenant, &path(&cid, "clients", PORT)).await;
    let hotel = clients.iter().find(|c| c["account_number"] == "411HOTEL").unwrap();
    let id = hotel["id"].as_str().unwrap();
    let item = path(&cid, &format!("clients/{id}"), PORT);
    let res = app.send_json(Method::PATCH, &item, &tenant, &json!({"phone": "+33298999999"})).await;
    assert_eq!(res.status(), 200);
    let (_, after) = app.get_json(&tenant, &item).await;
    let mut expected = hotel.clone();
    expected["phone"] = json!("+33298999999");
    assert_eq!(after, expected);
    let contacts = app
        .all_pages(
            &tenant,
            &path(&cid, &format!("contacts?partner_type=client&partner_id={id}"), PORT),
        )
        .await;
    assert_eq!(contacts.len(), 4);
}

#[tokio::test]
async fn a_duplicate_answers_409_naming_the_existing_record() {
    let (app, tenant, cid) = firm().await;
    let clients = app.all_pages(&tenant, &path(&cid, "clients", PORT)).await;
    let hotel = clients.iter().find(|c| c["account_number"] == "411HOTEL").unwrap();
    for body in [
        json!({"name": "Hôtel de la Mer", "addresses": []}),
        json!({"name": "Autre nom", "company_number": "456789012", "addresses": []}),
        json!({"name": "Encore un autre", "account_number": "411HOTEL", "addresses": []}),
    ] {
        let res = app.send_json(Method::POST, &path(&cid, "clients", PORT), &tenant, &body).await;
        let error = chift_error(res, 400, "ERROR_PARTNER_ALREADY_EXISTS").await;
        assert!(
            error["message"].as_str().unwrap().contains(hotel["id"].as_str().unwrap()),
            "{error}"
        );
    }
    assert!(app.sandbox.requests().iter().all(|r| r.method == "GET"), "nothing was written");
}

#[tokio::test]
async fn invalid_bodies_name_the_field_and_write_nothing() {
    let (app, tenant, cid) = firm().await;
    let with = |field: &str, value: Value| {
        let mut body = new_client("Valid Name");
        body[field] = value;
        body
    };
    let mut no_city = new_client("Valid Name");
    no_city["addresses"][0]["city"] = json!("");
    let mut bad_country = new_client("Valid Name");
    bad_country["addresses"][0]["country"] = json!("Atlantis");
    let cases = [
        (json!({"addresses": []}), "name"),
        (with("name", json!("  ")), "name"),
        (no_city, "addresses[0].city"),
        (bad_country, "addresses[0].country"),
        (with("iban", json!("FR1420041010050500013M02607")), "iban"),
        (with("company_number", json!("12345")), "company_number"),
        (with("currency", json!("USD")), "currency"),
        (with("account_number", json!("401WRONG")), "account_number"),
        (with("email", json!("not-an-email")), "email"),
    ];
    for (body, field) in cases {
        let res = app.send_json(Method::POST, &path(&cid, "clients", PORT), &tenant, &body).await;
        let error = chift_error(res, 422, "ERROR_INVALID_BODY").await;
        assert_eq!(error["detail"][0]["loc"], json!(["body", field]), "{body}");
    }
    assert!(app.sandbox.requests().iter().all(|r| r.method == "GET"), "nothing was written");
}

#[tokio::test]
async fn a_supplier_merged_from_a_client_takes_its_details_and_code() {
    let (app, tenant, cid) = firm().await;
    let clients = app.all_pages(&tenant, &path(&cid, "clients", PORT)).await;
    let hotel = clients.iter().find(|c| c["account_number"] == "411HOTEL").unwrap();
    let route =
        path(&cid, &format!("suppliers?force_merge={}", hotel["id"].as_str().unwrap()), PORT);
    let res = app
        .request(Method::POST, &route, &tenant.token)
        .json(&json!({"name": "HÔTEL DE LA MER (achats)", "addresses": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let supplier: Value = app
        .all_pages(&tenant, &path(&cid, "suppliers", PORT))
        .await
        .into_iter()
        .find(|s| s["account_number"] == "401HOTEL")
        .unwrap();
    assert_eq!(
        (&supplier["email"], &supplier["company_number"]),
        (&hotel["email"], &hotel["company_number"])
    );
    assert_eq!(supplier["addresses"], hotel["addresses"]);
    let res = app
        .send_json(
            Method::POST,
            &path(&cid, "suppliers?force_merge=424242", PORT),
            &tenant,
            &json!({"name": "X", "addresses": []}),
        )
        .await;
    chift_error(res, 404, "ERROR_PARTNER_NOT_FOUND").await;
}

#[tokio::test]
async fn a_society_token_reads_clients_but_myunisoft_keeps_updates_for_firm_tokens() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme").await;
    let (cid, _) = app.consumer_with_connection(&tenant, tokens::SOCIETY_PORT).await;
    let clients = app.all_pages(&tenant, &format!("/consumers/{cid}/accounting/clients")).await;
    let hotel = clients.iter().find(|c| c["account_number"] == "411HOTEL").unwrap();
    let item = format!("/consumers/{cid}/accounting/clients/{}", hotel["id"].as_str().unwrap());
    let res = app.send_json(Method::PATCH, &item, &tenant, &json!({"phone": "0"})).await;
    let error = chift_error(res, 403, "ERROR_CONNECTOR_CONFIGURATION").await;
    assert!(error["detail"].as_str().unwrap().starts_with("ERR-FORBIDDEN-ROUTE"), "{error}");
}
