//! Outstandings, end to end: the gateway's open items reconciled, line by line and to the cent,
//! with what the sandbox's raw MAD movements say.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::accounting::{acc, connected};
use crate::support::decimal as amount;
use crate::support::{chift_error, tokens, Tenant, TestApp, PARTNER_SECRET};

/// `GET /mad/movements?version=1.0.0&{query}` straight from the sandbox.
pub(crate) async fn upstream(
    app: &TestApp,
    token: &str,
    folder: Option<&str>,
    query: &str,
) -> Vec<Value> {
    let url = format!("{}/mad/movements?version=1.0.0&{query}", app.sandbox.base_url());
    let mut request = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .header("X-Third-Party-Secret", PARTNER_SECRET);
    if let Some(folder) = folder {
        request = request.header("society-id", folder);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// The id of the open fiscal year, as the gateway lists it.
pub(crate) async fn open_year(
    app: &TestApp,
    tenant: &Tenant,
    cid: &str,
    folder: Option<&str>,
) -> String {
    let route = folder.map_or("bookyears".to_owned(), |f| format!("bookyears?folder_id={f}"));
    let years = app.all_pages(tenant, &acc(cid, &route)).await;
    let open: Vec<_> = years.iter().filter(|y| y["closed"] == false).collect();
    assert_eq!(open.len(), 1, "the sandbox has one open year");
    open[0]["id"].as_str().unwrap().to_owned()
}

/// (amount, open amount) of each open line: unlettered lines are open in full; a partially
/// lettered group stays open by its net on its one invoice line; complete groups are closed.
fn expected_open(client: bool, movements: &[Value]) -> BTreeMap<String, (Decimal, Decimal)> {
    let signed = |m: &Value| {
        let (debit, credit) = (amount(&m["value"]["debit"]), amount(&m["value"]["credit"]));
        if client {
            debit - credit
        } else {
            credit - debit
        }
    };
    let mut open = BTreeMap::new();
    let mut groups: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for m in movements {
        let id = m["producerId"].as_str().unwrap().to_owned();
        match m["lettering"]["state"].as_str().unwrap() {
            "none" => {
                open.insert(id, (signed(m), signed(m)));
            }
            "partial" => {
                let key =
                    (m["account"]["producerId"].to_string(), m["lettering"]["value"].to_string());
                groups.entry(key).or_default().push(m);
            }
            _ => {}
        }
    }
    for lines in groups.values() {
        let net: Decimal = lines.iter().map(|m| signed(m)).sum();
        let invoices: Vec<_> = lines
            .iter()
            .filter(|m| signed(m).is_sign_negative() == net.is_sign_negative())
            .collect();
        assert_eq!(invoices.len(), 1, "one invoice per partial group in the sandbox");
        open.insert(
            invoices[0]["producerId"].as_str().unwrap().to_owned(),
            (signed(invoices[0]), net),
        );
    }
    open
}

/// Items by the value of their `key` field.
fn by<'a>(key: &str, items: &'a [Value]) -> BTreeMap<String, &'a Value> {
    items.iter().map(|i| (i[key].as_str().unwrap().to_owned(), i)).collect()
}

/// Asserts that the gateway's items are exactly the expected open lines, to the cent.
fn assert_reconciles(items: &[Value], expected: &BTreeMap<String, (Decimal, Decimal)>) {
    let found = by("id", items);
    assert_eq!(found.keys().collect::<BTreeSet<_>>(), expected.keys().collect::<BTreeSet<_>>());
    for (id, (total, open)) in expected {
        let item = found[id];
        assert_eq!(
            (amount(&item["amount"]), amount(&item["open_amount"])),
            (*total, *open),
            "{item}"
        );
    }
}

#[tokio::test]
async fn client_open_items_reconcile_with_the_movements_to_the_cent() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let year = open_year(&app, &tenant, &cid, None).await;
    let raw = upstream(
        &app,
        tokens::SOCIETY_PORT,
        None,
        &format!("idExercice={year}&classAccount=411%25"),
    )
    .await;
    let expected = expected_open(true, &raw);
    let items =
        app.all_pages(&tenant, &acc(&cid, "outstandings?type=client&unposted_allowed=false")).await;
    assert_reconciles(&items, &expected);

    let partial =
        items.iter().find(|i| i["amount"] != i["open_amount"]).expect("a partially paid invoice");
    assert_eq!(partial["matching_numbers"].as_array().unwrap().len(), 1);
    assert!(!partial["matching_numbers"][0].as_str().unwrap().starts_with('*'));
    let raw_by_id = by("producerId", &raw);
    for item in &items {
        let m = raw_by_id[item["id"].as_str().unwrap()];
        assert_eq!(item["partner_id"], m["account"]["producerId"]);
        assert_eq!(item["account_number"], m["account"]["number"]);
        assert_eq!(item["number"], m["invoiceNumber"]);
        assert_eq!(item["journal_id"], m["entry"]["journal"]["producerId"]);
        assert_eq!(item["currency"], m["entry"]["currency"]["code"]);
        let rate = m["entry"]["currency"].get("rate").map_or(Decimal::ONE, amount);
        assert_eq!(amount(&item["currency_exchange_rate"]), rate);
        assert_eq!(item["posted"], true);
        if m["entry"]["journal"]["type"] == "Vente" {
            assert_eq!(item["journal_type"], "customer_invoice");
        }
        assert!(amount(&item["open_amount"]) > Decimal::ZERO, "{item}");
    }
    let dates: Vec<_> = items.iter().map(|i| i["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "sorted by date");
}

#[tokio::test]
async fn pending_supplier_invoices_count_only_when_unposted_entries_are_allowed() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    let year = open_year(&app, &tenant, &cid, None).await;
    let query = format!("idExercice={year}&classAccount=401%25");
    let posted = upstream(&app, tokens::SOCIETY_PORT, None, &query).await;
    let pending = upstream(&app, tokens::SOCIETY_PORT, None, &format!("{query}&draft=true")).await;
    assert_eq!(pending.len(), 3);
    app.sandbox.clear_requests();

    let route = "outstandings?type=supplier&unposted_allowed=false";
    let without = app.all_pages(&tenant, &acc(&cid, route)).await;
    assert_reconciles(&without, &expected_open(false, &posted));
    assert!(without.iter().all(|i| i["posted"] == true));

    let route = "outstandings?type=supplier&unposted_allowed=true";
    let with = app.all_pages(&tenant, &acc(&cid, route)).await;
    let mut expected = expected_open(false, &posted);
    expected.extend(expected_open(false, &pending));
    assert_reconciles(&with, &expected);
    let unposted: Vec<_> = with.iter().filter(|i| i["posted"] == false).collect();
    assert_eq!(unposted.len(), 3);
    for item in unposted {
        assert!(item["number"].as_str().unwrap().starts_with("PEND4821"), "{item}");
        assert_eq!(item["journal_type"], "supplier_invoice");
        assert!(amount(&item["amount"]) > Decimal::ZERO);
    }
    let drafts = app.sandbox.requests().into_iter().filter(|r| r.query.contains("draft")).count();
    assert_eq!(drafts, 1, "draft is asked for only when unposted entries are allowed");
}

#[tokio::test]
async fn a_firm_token_pages_the_open_items_of_another_folder() {
    let (app, tenant, cid) = connected(tokens::FIRM).await;
    let folder = "4822";
    let year = open_year(&app, &tenant, &cid, Some(folder)).await;
    let route = format!("outstandings?type=client&unposted_allowed=true&folder_id={folder}");
    let all = app.all_pages(&tenant, &acc(&cid, &route)).await;
    let raw = upstream(
        &app,
        tokens::FIRM,
        Some(folder),
        &format!("idExercice={year}&classAccount=411%25"),
    )
    .await;
    assert_reconciles(&all, &expected_open(true, &raw));
    assert!(all.len() > 3, "{}", all.len());
    let (status, page) = app.get_json(&tenant, &acc(&cid, &format!("{route}&page=2&size=3"))).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"].as_u64().unwrap() as usize, all.len());
    assert_eq!(page["items"].as_array().unwrap()[..], all[3..6]);
    let movements: Vec<_> =
        app.sandbox.requests().into_iter().filter(|r| r.path.ends_with("/mad/movements")).collect();
    assert!(movements.iter().any(|r| r.query.contains("lettering=partial")));
    assert!(movements.iter().all(|r| r.society_id.as_deref() == Some(folder)));
    assert!(
        movements.iter().all(|r| r.query.contains("classAccount=411%25")),
        "{:?}",
        movements[0].query
    );
}

#[tokio::test]
async fn the_required_filters_are_checked_before_anything_is_sent() {
    let (app, tenant, cid) = connected(tokens::SOCIETY_PORT).await;
    for (query, field) in [
        ("unposted_allowed=true", "type"),
        ("type=partner&unposted_allowed=true", "type"),
        ("type=client", "unposted_allowed"),
        ("type=client&unposted_allowed=maybe", "unposted_allowed"),
        ("type=client&unposted_allowed=false&size=500", "size"),
    ] {
        let res = app
            .request(Method::GET, &acc(&cid, &format!("outstandings?{query}")), &tenant.token)
            .send()
            .await
            .unwrap();
        let error = chift_error(res, 422, "ERROR_INVALID_QUERY_PARAMETER").await;
        assert_eq!(error["detail"][0]["loc"], json!(["query", field]), "{query}: {error}");
    }
    assert!(app.sandbox.requests().is_empty());
}
