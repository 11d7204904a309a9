//! What the generated document says beyond each handler's annotations, so that it reads as
//! Chift's: the server, the `bearerAuth` scheme, the operations Chift deprecates, pagination's
//! bounds and defaults, bodies a client may leave out, and each operation's error answers, status
//! by status, with an example per error code it may carry.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::{ContentBuilder, Deprecated, OpenApi, Ref, RefOr, Required};

use crate::error::ErrorCode;

/// The security scheme every authenticated operation names (Chift's name).
pub const SCHEME: &str = "bearerAuth";

/// The operations Chift marks deprecated (served all the same).
const DEPRECATED: &[&str] = &[
    "accounting_create_expense",
    "accounting_get_payments_by_invoice",
    "accounting_match_entries_multiple",
    "accounting_get_miscellaneous_operations",
    "accounting_create_miscellaneous_operation",
    "accounting_get_miscellaneous_operation",
    "accounting_get_schemes",
];

/// Applies the whole contract to the document generated from the handlers.
pub fn apply(doc: &mut OpenApi) {
    doc.servers = Some(vec![ServerBuilder::new()
        .url("/")
        .description(Some("This Passerelle instance (the document is served at /openapi.json)"))
        .build()]);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SCHEME,
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("The access token from `POST /token`."))
                .build(),
        ),
    );
    let optional_bodies: BTreeSet<String> = components
        .schemas
        .iter()
        .filter(
            |(_, schema)| matches!(schema, RefOr::T(Schema::Object(o)) if o.required.is_empty()),
        )
        .map(|(name, _)| name.clone())
        .collect();
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ] {
            let Some(op) = op.as_mut() else { continue };
            if DEPRECATED.contains(&op.operation_id.as_deref().unwrap_or_default()) {
                op.deprecated = Some(Deprecated::True);
            }
            paginate(op);
            if let Some(body) = op.request_body.as_mut() {
                if body_is_optional(body, &optional_bodies) {
                    body.required = Some(Required::False);
                }
            }
            let answers = errors(path, method, op);
            let responses = &mut op.responses.responses;
            responses.retain(|status, _| !status.ends_with("XX"));
            for (status, codes) in answers {
                responses.insert(status.to_string(), RefOr::T(error_response(status, &codes)));
            }
        }
    }
}

/// `page` ≥ 1 (default 1) and `size` 1..=100 (default 50), as [`super::accounting::Pagination`]
/// enforces them.
fn paginate(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        let (min, max, default) = match (p.parameter_in.clone(), p.name.as_str()) {
            (ParameterIn::Query, "page") => (1, None, 1),
            (ParameterIn::Query, "size") => (1, Some(100), 50),
            _ => continue,
        };
        let mut schema = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(min))
            .default(Some(json!(default)));
        if let Some(max) = max {
            schema = schema.maximum(Some(max));
        }
        p.schema = Some(RefOr::T(Schema::Object(schema.build())));
    }
}

/// A body whose schema requires nothing may be left out: an empty body reads as `{}`.
fn body_is_optional(body: &RequestBody, optional: &BTreeSet<String>) -> bool {
    body.content.get("application/json").and_then(|c| c.schema.as_ref()).is_some_and(|s| match s {
        RefOr::Ref(r) => optional.contains(r.ref_location.rsplit('/').next().unwrap_or_default()),
        RefOr::T(_) => false,
    })
}

/// The error statuses an operation can answer, each with the codes it may carry.
fn errors(path: &str, method: &str, op: &Operation) -> BTreeMap<u16, Vec<ErrorCode>> {
    use ErrorCode as C;
    let mut out: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    let mut add = |status: u16, codes: &[ErrorCode]| {
        let entry = out.entry(status).or_default();
        for code in codes {
            if !entry.contains(code) {
                entry.push(*code);
            }
        }
    };
    let id = op.operation_id.as_deref().unwrap_or_default();
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if path.starts_with("/health") {
        add(503, &[C::ErrorUnknown]);
        return out;
    }
    if secured {
        add(401, &[C::ErrorChiftAuthenticationError]);
    }
    if path == "/token" {
        add(401, &[C::ErrorChiftAuthenticationError]);
        add(429, &[C::ErrorChiftAuthenticationError]);
    }
    if has(ParameterIn::Path) {
        add(422, &[C::ErrorInvalidPathParameter]);
    }
    if has(ParameterIn::Query) || has(ParameterIn::Header) {
        add(422, &[C::ErrorInvalidQueryParameter]);
    }
    if op.request_body.is_some() {
        add(413, &[C::ErrorInvalidBody]);
        add(422, &[C::ErrorInvalidBody]);
    }
    if path.contains('{') {
        add(404, &[C::ErrorResourceNotFound]);
    }
    let writes = matches!(method, "post" | "patch" | "put" | "delete");
    let accounting = path.contains("/accounting/");
    // Creating a connection, or giving it new credentials, asks the accounting software.
    let activates = matches!(
        (method, path),
        ("post", "/consumers/{consumer_id}/connections")
            | ("patch", "/consumers/{consumer_id}/connections/{connectionid}")
    );
    if accounting {
        add(400, &[C::ErrorNoActiveConnection, C::ErrorConfigurationConnection]);
        add(405, &[C::ErrorResourceNotSupported]);
        add(502, &[C::ErrorTechnicalMapping]);
    }
    if accounting || activates {
        if writes {
            add(400, &[C::UnexpectedMyunisoftError]);
        }
        add(401, &[C::ErrorConnectorAuthentication]);
        add(403, &[C::ErrorConnectorConfiguration]);
        add(429, &[C::ErrorConnectorUnavailable]);
        add(502, &[C::ErrorConnectorUnavailable]);
        add(504, &[C::ErrorConnectorUnavailable]);
    }
    if (accounting && writes) || (activates && method == "post") {
        add(409, &[C::RequestAlreadyProcessed, C::RequestInProcess]);
    }
    for (status, code) in specific(id) {
        add(status, &[code]);
    }
    add(500, &[C::ErrorUnknown]);
    add(504, &[C::ErrorUnknown]);
    out
}

/// The codes of one operation's own refusals: Chift's, where the gateway detects the situation.
fn specific(operation_id: &str) -> Vec<(u16, ErrorCode)> {
    use ErrorCode as C;
    let mut codes = declared(operation_id);
    if operation_id == "accounting_create_miscellaneous_operation" {
        // Its lines are checked as Chift does, with Chift's codes for them; signed amounts are
        // never negative, and an operation has no VAT and no PDF.
        codes.retain(|(_, c)| {
            !matches!(
                c,
                C::ErrorEntryNotBalanced
                    | C::ErrorDebitCreditValue
                    | C::ErrorTaxCodeNotFound
                    | C::ErrorInvalidBase64String
            )
        });
        codes.extend([(400, C::ErrorNoOperationLine), (400, C::ErrorOperationNotBalanced)]);
    }
    codes
}

/// The codes declared per operation (shared by the operations that post alike).
fn declared(operation_id: &str) -> Vec<(u16, ErrorCode)> {
    use ErrorCode as C;
    const POSTING: &[(u16, ErrorCode)] = &[
        (400, C::ErrorBookyearNotFound),
        (400, C::ErrorBookyearClosed),
        (400, C::ErrorJournalNotGoodScope),
        (400, C::ErrorAccountNumberNotGoodScope),
        (400, C::ErrorAccountNumberNotActive),
        (400, C::ErrorInvalidBase64String),
        (404, C::ErrorJournalNotFound),
        (404, C::ErrorAccountNumberNotFound),
        (404, C::ErrorPartnerNotFound),
        (404, C::ErrorTaxCodeNotFound),
        (404, C::ErrorAnalyticPlanNotFound),
        (404, C::ErrorAnalyticAccountNotFound),
        (422, C::ErrorEntryNotBalanced),
        (422, C::ErrorInvalidCurrencyFormat),
        (422, C::ErrorDebitCreditValue),
    ];
    const INVOICE: &[(u16, ErrorCode)] = &[
        (422, C::ErrorPartnerAccountMissing),
        (422, C::ErrorInvalidFieldFormatInvoiceNumber),
        (400, C::ErrorInvalidFinancialPeriodFormat),
        (400, C::ErrorZeroInvoice),
        (400, C::ErrorNoInvoiceLine),
        (400, C::ErrorPartnerAlreadyExists),
    ];
    const ENTRY: &[(u16, ErrorCode)] =
        &[(400, C::ErrorWrongAccountType), (422, C::ErrorPartnerAccountMissing)];
    let own = match operation_id {
        "accounting_create_invoice" | "accounting_create_invoice_multiple_plans" => INVOICE,
        "accounting_create_generic_journal_entry" | "accounting_create_journal_entry" => ENTRY,
        "accounting_create_miscellaneous_operation"
        | "accounting_create_financial_entries"
        | "accounting_create_bank_transactions"
        | "accounting_create_invoice_payment" => &[],
        _ => return other(operation_id).to_vec(),
    };
    [POSTING, own].concat()
}

/// The codes declared on an operation that does not post.
fn other(operation_id: &str) -> &'static [(u16, ErrorCode)] {
    use ErrorCode as C;
    match operation_id {
        "accounting_create_expense" => &[
            (400, C::ErrorBookyearNotFound),
            (400, C::ErrorBookyearClosed),
            (400, C::ErrorInvalidBase64String),
            (404, C::ErrorEmployeeNotFound),
            (404, C::ErrorAccountNumberNotFound),
            (404, C::ErrorTaxCodeNotFound),
            (422, C::ErrorEntryNotBalanced),
            (422, C::ErrorInvalidCurrencyFormat),
        ],
        "accounting_create_client" | "accounting_create_supplier" => {
            &[(400, C::ErrorPartnerAlreadyExists), (409, C::ErrorDuplicateRecord)]
        }
        "accounting_get_client"
        | "accounting_get_supplier"
        | "accounting_update_client"
        | "accounting_update_supplier" => &[(404, C::ErrorPartnerNotFound)],
        "accounting_get_invoice"
        | "accounting_get_invoice_multi_analytic_plans"
        | "accounting_get_payments_by_invoice" => &[(404, C::ErrorInvoiceNotFound)],
        "accounting_add_attachment" => &[
            (404, C::ErrorInvoiceNotFound),
            (400, C::ErrorInvalidBase64String),
            (400, C::ErrorAttachmentAlreadyExists),
        ],
        "accounting_get_journal_entry" | "accounting_get_miscellaneous_operation" => {
            &[(404, C::ErrorEntryNotFound)]
        }
        "accounting_match_entries" | "accounting_match_entries_multiple" => &[
            (404, C::ErrorEntryNotFound),
            (404, C::ErrorPartnerNotFound),
            (400, C::ErrorEntryNotLinkedToPartner),
            (400, C::ErrorEntryHasInvalidStatus),
        ],
        "accounting_get_journal" => &[(404, C::ErrorJournalNotFound)],
        "accounting_create_journal" => {
            &[(400, C::ErrorJournalAlreadyExists), (404, C::ErrorAccountNumberNotFound)]
        }
        "accounting_get_account" => &[(404, C::ErrorAccountNumberNotFound)],
        "accounting_create_bank_account" => &[(422, C::ErrorBankCodeAlreadyUsed)],
        "accounting_create_analytic_account" | "accounting_create_analytic_account_multi_plans" => {
            &[(409, C::ErrorAnalyticAccountAlreadyExists), (404, C::ErrorAnalyticPlanNotFound)]
        }
        "accounting_get_analytic_account"
        | "accounting_get_analytic_account_multi_plans"
        | "accounting_update_analytic_account"
        | "accounting_update_analytic_account_multi_plans" => {
            &[(404, C::ErrorAnalyticAccountNotFound), (404, C::ErrorAnalyticPlanNotFound)]
        }
        "accounting_get_analytic_accounts_multi_plans" => &[(404, C::ErrorAnalyticPlanNotFound)],
        "accounting_export_fec" => &[
            (404, C::ErrorResourceNotFound),
            (422, C::ErrorTechnicalMapping),
            (429, C::ErrorConnectorUnavailable),
            (507, C::ErrorUnknown),
        ],
        _ => &[],
    }
}

/// The codes most operations share: named in the answer's description, without an example.
const COMMON: &[ErrorCode] = &[
    ErrorCode::ErrorChiftAuthenticationError,
    ErrorCode::ErrorInvalidBody,
    ErrorCode::ErrorInvalidQueryParameter,
    ErrorCode::ErrorInvalidPathParameter,
    ErrorCode::ErrorResourceNotFound,
    ErrorCode::ErrorConnectorAuthentication,
    ErrorCode::ErrorConnectorConfiguration,
    ErrorCode::ErrorConnectorUnavailable,
    ErrorCode::ErrorResourceNotSupported,
    ErrorCode::ErrorTechnicalMapping,
    ErrorCode::ErrorUnknown,
];

/// One error answer: Chift's body, its codes named, with an example per operation-specific code.
fn error_response(status: u16, codes: &[ErrorCode]) -> utoipa::openapi::Response {
    let names: Vec<String> = codes.iter().map(|c| format!("`{}`", c.name())).collect();
    let examples = codes.iter().filter(|c| !COMMON.contains(c)).map(|code| {
        let example = ExampleBuilder::new()
            .value(Some(json!({
                "status": "error",
                "message": code.example(),
                "error_code": code.name(),
                "detail": "",
            })))
            .build();
        (code.name(), example)
    });
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .examples_from_iter(examples)
        .build();
    ResponseBuilder::new()
        .description(format!("{}; `error_code`: {}", reason(status), names.join(", ")))
        .content("application/json", content)
        .build()
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Not supported by the connection's software",
        409 => "Conflict",
        413 => "Request body too large",
        422 => "Validation Error",
        429 => "Too Many Requests (see Retry-After)",
        500 => "Internal Server Error",
        502 => "Bad Gateway (the accounting software failed or answered what cannot be read)",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        507 => "Insufficient Storage",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_declares_its_error_statuses_and_no_catch_all() {
        let doc = crate::api::openapi();
        let mut seen = 0;
        for (path, item) in &doc.paths.paths {
            for op in
                [&item.get, &item.post, &item.put, &item.patch, &item.delete].into_iter().flatten()
            {
                seen += 1;
                let statuses: Vec<&String> = op.responses.responses.keys().collect();
                assert!(statuses.iter().all(|s| !s.ends_with("XX")), "{path}: {statuses:?}");
                if !path.starts_with("/health") {
                    assert!(statuses.iter().any(|s| *s == "500"), "{path}: {statuses:?}");
                }
            }
        }
        assert!(seen > 60);
    }

    #[test]
    fn chift_specific_codes_are_declared_on_their_operations() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap();
        let accounting = "/consumers/{consumer_id}/accounting";
        for (path, status, code) in [
            ("/journal", "400", "ERROR_JOURNAL_ALREADY_EXISTS"),
            ("/miscellaneous-operation", "400", "ERROR_OPERATION_NOT_BALANCED"),
            ("/miscellaneous-operation", "400", "ERROR_NO_OPERATION_LINE"),
            ("/invoices", "400", "ERROR_INVALID_FINANCIAL_PERIOD_FORMAT"),
            ("/invoices/multi-analytic-plans", "400", "ERROR_ZERO_INVOICE"),
        ] {
            let answer = &doc["paths"][format!("{accounting}{path}")]["post"]["responses"][status];
            let example = &answer["content"]["application/json"]["examples"][code]["value"];
            assert_eq!(example["error_code"], code, "{path} {status}: {answer}");
        }
    }

    #[test]
    fn chift_deprecations_pagination_and_scheme_are_declared() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap();
        let op = &doc["paths"]["/consumers/{consumer_id}/accounting/schemes"]["get"];
        assert_eq!(op["deprecated"], true);
        let size = op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "size");
        let size = &size.unwrap()["schema"];
        assert_eq!(
            (&size["minimum"], &size["maximum"], &size["default"]),
            (&json!(1), &json!(100), &json!(50))
        );
        assert!(doc["components"]["securitySchemes"][SCHEME].is_object());
        assert_eq!(doc["servers"][0]["url"], "/");
    }
}
