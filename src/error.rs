//! The one error type that knows HTTP, and the Chift-shaped body every non-2xx answer carries.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fec::FecError;
use serde::Serialize;
use utoipa::openapi::schema::{Array, ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::ToSchema;

use crate::connectors::{ConnectorError, WriteError};
use crate::domain::{Invalid, Location, Refusal, Resource};
use crate::store::StoreError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Chift's machine-readable error codes (chift-conventions.md §c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    ErrorChiftAuthenticationError,
    ErrorApiResourceNotFound,
    ErrorResourceNotFound,
    ErrorInvalidBody,
    ErrorInvalidQueryParameter,
    ErrorInvalidPathParameter,
    RequestAlreadyProcessed,
    RequestInProcess,
    ErrorNoActiveConnection,
    ErrorConfigurationConnection,
    ErrorResourceNotSupported,
    ErrorConnectorAuthentication,
    ErrorConnectorConfiguration,
    ErrorConnectorUnavailable,
    ErrorTechnicalMapping,
    ErrorBookyearClosed,
    ErrorAccountNumberNotActive,
    UnexpectedMyunisoftError,
    /// Not in Chift's catalogue: a create that would duplicate an existing record (409).
    ErrorDuplicateRecord,
    /// A read asked for the data layer before its first sync finished (409).
    ErrorDatalayerSyncPending,
    /// Not in Chift's catalogue: a read asked for the data layer of a connection without it (409).
    ErrorDatalayerNotEnabled,
    ErrorAccountNumberNotFound,
    ErrorAccountNumberNotGoodScope,
    ErrorAnalyticAccountAlreadyExists,
    ErrorAnalyticAccountNotFound,
    ErrorAnalyticPlanNotFound,
    ErrorBookyearNotFound,
    ErrorEmployeeNotFound,
    ErrorEntryNotBalanced,
    ErrorEntryNotFound,
    #[serde(rename = "ERROR_INVALID_BASE64_STRING")]
    ErrorInvalidBase64String,
    ErrorInvoiceNotFound,
    ErrorJournalNotFound,
    ErrorJournalNotGoodScope,
    ErrorNoInvoiceLine,
    ErrorPartnerAlreadyExists,
    ErrorPartnerNotFound,
    ErrorTaxCodeNotFound,
    ErrorEntryNotLinkedToPartner,
    ErrorEntryHasInvalidStatus,
    ErrorInvalidCurrencyFormat,
    ErrorDebitCreditValue,
    ErrorBankCodeAlreadyUsed,
    ErrorPartnerAccountMissing,
    ErrorWrongAccountType,
    ErrorAttachmentAlreadyExists,
    ErrorInvalidFieldFormatInvoiceNumber,
    ErrorJournalAlreadyExists,
    ErrorOperationNotBalanced,
    ErrorNoOperationLine,
    ErrorInvalidFinancialPeriodFormat,
    ErrorZeroInvoice,
    ErrorUnknown,
}

impl ErrorCode {
    /// The code as answers spell it (`ERROR_RESOURCE_NOT_FOUND`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// A message the code comes with, for the document's examples: Chift's where Chift's
    /// reference gives one (the gateway's own `message` is more precise).
    pub fn example(self) -> &'static str {
        use ErrorCode as C;
        match self {
            C::ErrorChiftAuthenticationError => {
                "missing, expired or invalid bearer token; get one from POST /token"
            }
            C::ErrorApiResourceNotFound => {
                "no route GET /x; see /docs for the routes Passerelle serves"
            }
            C::ErrorResourceNotFound => {
                "consumer `3fa85f64-5717-4562-b3fc-2c963f66afa6` does not exist"
            }
            C::ErrorInvalidBody => "invalid body field `name`: must not be blank",
            C::ErrorInvalidQueryParameter => {
                "invalid query parameter `size`: must be between 1 and 100"
            }
            C::ErrorInvalidPathParameter => "invalid path parameter `consumer_id`: must be a UUID",
            C::RequestAlreadyProcessed => "request `r-1` was already processed with status 200",
            C::RequestInProcess => "request `r-1` is still being processed",
            C::ErrorNoActiveConnection => "The consumer has no active connection for this API.",
            C::ErrorConfigurationConnection => {
                "The consumer has several active connections: name one with x-chift-connectionid."
            }
            C::ErrorResourceNotSupported => {
                "This resource is not supported by the accounting software."
            }
            C::ErrorConnectorAuthentication => {
                "The accounting software refused the connection's credentials."
            }
            C::ErrorConnectorConfiguration => {
                "The accounting software refuses this call for the connection's token."
            }
            C::ErrorConnectorUnavailable => "The accounting software is unavailable; retry later.",
            C::ErrorTechnicalMapping => "The answer of the accounting software could not be read.",
            C::ErrorBookyearClosed => "The financial period is closed.",
            C::ErrorAccountNumberNotActive => {
                "A used account number is not active in the accounting system."
            }
            C::UnexpectedMyunisoftError => {
                "MyUnisoft refused the request (its code and message in detail)."
            }
            C::ErrorDuplicateRecord => {
                "this record already exists as `12`; read or update that one (nothing was written)"
            }
            C::ErrorAccountNumberNotFound => {
                "A used account number doesn't exist in the accounting system."
            }
            C::ErrorAccountNumberNotGoodScope => {
                "A used account number cannot be used in this type of operation."
            }
            C::ErrorAnalyticAccountAlreadyExists => {
                "An analytic account with the same code already exists in the accounting system."
            }
            C::ErrorAnalyticAccountNotFound => {
                "The analytic account doesn't exist in the accounting system."
            }
            C::ErrorAnalyticPlanNotFound => {
                "The analytic plan doesn't exist in the accounting system."
            }
            C::ErrorBookyearNotFound => "The accounting system is not set up for this date.",
            C::ErrorDatalayerSyncPending => {
                "The data layer of this connection has not finished its first sync yet."
            }
            C::ErrorDatalayerNotEnabled => "The data layer is not enabled for this connection.",
            C::ErrorEmployeeNotFound => "The employee doesn't exist in the accounting system.",
            C::ErrorEntryNotBalanced => "The entry is not balanced.",
            C::ErrorEntryNotFound => "The entry doesn't exist in the accounting system.",
            C::ErrorInvalidBase64String => {
                "The document is not a valid base64 string representing a PDF."
            }
            C::ErrorInvoiceNotFound => "The invoice doesn't exist in the accounting system.",
            C::ErrorJournalNotFound => "The journal doesn't exist in the accounting system.",
            C::ErrorJournalNotGoodScope => "The journal cannot be used for this scope.",
            C::ErrorNoInvoiceLine => "The invoice must contain at least one invoice line.",
            C::ErrorPartnerAlreadyExists => {
                "The client/supplier already exists in the accounting system."
            }
            C::ErrorPartnerNotFound => {
                "The client/supplier doesn't exist in the accounting system."
            }
            C::ErrorTaxCodeNotFound => "A used tax code doesn't exist in the accounting system.",
            C::ErrorEntryNotLinkedToPartner => {
                "Entry '${entry_id}' is not linked to partner '${partner_id}'."
            }
            C::ErrorEntryHasInvalidStatus => {
                "The entry doesn't have the correct status to be matched."
            }
            C::ErrorInvalidCurrencyFormat => {
                "The currency format is not correct. Please use the ISO 4217 codes."
            }
            C::ErrorDebitCreditValue => "Debit and credit cannot be negative.",
            C::ErrorBankCodeAlreadyUsed => "A bank account with the same code already exists.",
            C::ErrorPartnerAccountMissing => {
                "Please provide a client/supplier account in the partner_id field."
            }
            C::ErrorWrongAccountType => "The account cannot be used for this type of line.",
            C::ErrorAttachmentAlreadyExists => "An attachment already exists for this invoice.",
            C::ErrorInvalidFieldFormatInvoiceNumber => "The format of the invoice number doesn't follow the format of the corresponding accounting system (e.g. too long)",
            C::ErrorJournalAlreadyExists => {
                "A journal already exists with the same code in the accounting system."
            }
            C::ErrorOperationNotBalanced => {
                "The operation is not balanced. The sum of the lines must be zero."
            }
            C::ErrorNoOperationLine => {
                "The miscellaneous operation must contain at least one line."
            }
            C::ErrorInvalidFinancialPeriodFormat => {
                "The forced financial period must be 6 numbers (e.g. 02 for february and 2022 => 022022)"
            }
            C::ErrorZeroInvoice => "You cannot create an invoice with an untaxed amount of 0.",
            C::ErrorUnknown => "internal error",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("missing, expired or invalid bearer token; get one from POST /token")]
    Unauthenticated,
    #[error("invalid clientId, clientSecret or accountId")]
    BadClientCredentials,
    #[error("too many failed authentication attempts for this clientId; retry in {} s", retry_after.as_secs())]
    TooManyAttempts { retry_after: Duration },
    #[error("{resource} `{id}` does not exist")]
    NotFound { resource: Resource, id: String },
    #[error("no route {method} {path}; see /docs for the routes Passerelle serves")]
    UnknownRoute { method: String, path: String },
    #[error("method {method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },
    #[error("request body larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("{0}")]
    Invalid(Invalid),
    #[error("request `{client_request_id}` was already processed with status {status_code}")]
    AlreadyProcessed { client_request_id: String, status_code: u16 },
    #[error("request `{client_request_id}` is still being processed")]
    InProcess { client_request_id: String },
    #[error("the request did not complete within {} s", after.as_secs())]
    Timeout { after: Duration },
    #[error("consumer `{consumer}` has no active accounting connection; create one with POST /consumers/{consumer}/connections")]
    NoActiveConnection { consumer: String },
    #[error("consumer `{consumer}` has several active accounting connections; name one with the x-chift-connectionid header")]
    SeveralConnections { consumer: String },
    #[error("{resource} is not supported by {connector}")]
    NotSupported { resource: &'static str, connector: &'static str },
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    #[error("{error}; already created: {}", created.join(", "))]
    Partial { created: Vec<String>, error: ConnectorError },
    #[error(
        "this {resource} already exists as `{id}`; read or update that one (nothing was written)"
    )]
    Duplicate { resource: Resource, id: String },
    #[error("not ready: {0}")]
    Unavailable(String),
    #[error("the data layer of connection `{connection}` has not finished its first sync; retry later or read without x-chift-datalayer: true")]
    DatalayerSyncPending { connection: String },
    #[error("the data layer is not enabled on connection `{connection}`; enable it with POST …/connections/{connection}/enable_datalayer or send x-chift-datalayer: if_available")]
    DatalayerNotEnabled { connection: String },
    /// A tenant already runs as many of these as one replica serves it at once.
    #[error("{limit} {what} are already running; retry in 1 s")]
    Busy { what: &'static str, limit: u32 },
    #[error(transparent)]
    Fec(#[from] fec::FecError),
    #[error("internal error")]
    Store(#[from] StoreError),
    #[error("internal error")]
    Internal(String),
}

impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> Self {
        AppError::Invalid(invalid)
    }
}

impl AppError {
    /// The HTTP status and the Chift code of each variant: one match, covered by a table test.
    pub fn classify(&self) -> (StatusCode, ErrorCode) {
        use ErrorCode as C;
        match self {
            AppError::Unauthenticated | AppError::BadClientCredentials => {
                (StatusCode::UNAUTHORIZED, C::ErrorChiftAuthenticationError)
            }
            AppError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, C::ErrorChiftAuthenticationError)
            }
            AppError::NotFound { resource, .. } => (StatusCode::NOT_FOUND, not_found(*resource)),
            AppError::UnknownRoute { .. } => (StatusCode::NOT_FOUND, C::ErrorApiResourceNotFound),
            AppError::MethodNotAllowed { .. } => {
                (StatusCode::METHOD_NOT_ALLOWED, C::ErrorApiResourceNotFound)
            }
            AppError::BodyTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, C::ErrorInvalidBody),
            AppError::Invalid(Invalid { refusal: Some(refusal), .. }) => refused(*refusal),
            AppError::Invalid(invalid) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                match invalid.location {
                    Location::Body => C::ErrorInvalidBody,
                    // Chift has no code for headers: they are request parameters too.
                    Location::Query | Location::Header => C::ErrorInvalidQueryParameter,
                    Location::Path => C::ErrorInvalidPathParameter,
                },
            ),
            AppError::AlreadyProcessed { .. } => (StatusCode::CONFLICT, C::RequestAlreadyProcessed),
            AppError::InProcess { .. } => (StatusCode::CONFLICT, C::RequestInProcess),
            AppError::DatalayerSyncPending { .. } => {
                (StatusCode::CONFLICT, C::ErrorDatalayerSyncPending)
            }
            AppError::DatalayerNotEnabled { .. } => {
                (StatusCode::CONFLICT, C::ErrorDatalayerNotEnabled)
            }
            AppError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, C::ErrorUnknown),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, C::ErrorUnknown),
            AppError::Busy { .. } => (StatusCode::TOO_MANY_REQUESTS, C::ErrorConnectorUnavailable),
            AppError::NoActiveConnection { .. } => {
                (StatusCode::BAD_REQUEST, C::ErrorNoActiveConnection)
            }
            AppError::SeveralConnections { .. } => {
                (StatusCode::BAD_REQUEST, C::ErrorConfigurationConnection)
            }
            AppError::NotSupported { .. } => {
                (StatusCode::METHOD_NOT_ALLOWED, C::ErrorResourceNotSupported)
            }
            AppError::Connector(e) | AppError::Partial { error: e, .. } => connector_status(e),
            AppError::Duplicate { resource, .. } => already_exists(*resource),
            AppError::Fec(FecError::Empty { .. }) => {
                (StatusCode::NOT_FOUND, C::ErrorResourceNotFound)
            }
            AppError::Fec(FecError::Io(_)) => (StatusCode::INTERNAL_SERVER_ERROR, C::ErrorUnknown),
            AppError::Fec(FecError::SpoolFull { .. }) => {
                (StatusCode::INSUFFICIENT_STORAGE, C::ErrorUnknown)
            }
            AppError::Fec(_) => (StatusCode::UNPROCESSABLE_ENTITY, C::ErrorTechnicalMapping),
            AppError::Store(_) | AppError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, C::ErrorUnknown)
            }
        }
    }

    /// Extra, client-safe explanation: Chift's `detail`.
    fn detail(&self) -> Detail {
        match self {
            AppError::Connector(e) | AppError::Partial { error: e, .. } => match e.upstream() {
                Some((code, message)) => Detail::Text(format!("{code}: {message}")),
                None => Detail::Text(String::new()),
            },
            AppError::Invalid(invalid) => Detail::Invalid(vec![ValidationError {
                loc: vec![invalid.location.as_str().to_owned(), invalid.field.clone()],
                msg: invalid.rule.clone(),
                r#type: "value_error",
            }]),
            AppError::Duplicate { id, .. } => Detail::Text(format!("existing id: {id}")),
            AppError::Fec(e) if e.named().is_empty() => Detail::Text(String::new()),
            AppError::Fec(e) => Detail::Invalid(
                e.named()
                    .iter()
                    .map(|named| ValidationError {
                        loc: vec!["fec".to_owned(), named.clone()],
                        msg: fec_rule(e).to_owned(),
                        r#type: "value_error",
                    })
                    .collect(),
            ),
            AppError::AlreadyProcessed { status_code, .. } => {
                Detail::Text(format!("the first call answered with status {status_code}"))
            }
            _ => Detail::Text(String::new()),
        }
    }
}

/// Who must act on a connector failure, as an HTTP status and a Chift code.
fn connector_status(e: &ConnectorError) -> (StatusCode, ErrorCode) {
    use ErrorCode as C;
    match e {
        ConnectorError::Unauthorized { .. } => {
            (StatusCode::UNAUTHORIZED, C::ErrorConnectorAuthentication)
        }
        ConnectorError::Forbidden { .. } => (StatusCode::FORBIDDEN, C::ErrorConnectorConfiguration),
        ConnectorError::BookyearClosed { .. } => (StatusCode::BAD_REQUEST, C::ErrorBookyearClosed),
        ConnectorError::AccountNotActive { .. } => {
            (StatusCode::BAD_REQUEST, C::ErrorAccountNumberNotActive)
        }
        ConnectorError::Rejected { .. } => (StatusCode::BAD_REQUEST, C::UnexpectedMyunisoftError),
        ConnectorError::RateLimited { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, C::ErrorConnectorUnavailable)
        }
        ConnectorError::Unavailable { .. } => {
            (StatusCode::BAD_GATEWAY, C::ErrorConnectorUnavailable)
        }
        ConnectorError::Timeout { .. } => {
            (StatusCode::GATEWAY_TIMEOUT, C::ErrorConnectorUnavailable)
        }
        ConnectorError::Decode { .. } => (StatusCode::BAD_GATEWAY, C::ErrorTechnicalMapping),
        ConnectorError::NotFound { resource, .. } => (StatusCode::NOT_FOUND, not_found(*resource)),
        ConnectorError::Misconfigured { .. } | ConnectorError::TooLarge { .. } => {
            (StatusCode::BAD_GATEWAY, C::ErrorConnectorUnavailable)
        }
        ConnectorError::Saturated { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, C::ErrorConnectorUnavailable)
        }
    }
}

/// Chift's code for a record that does not exist, where it has one.
fn not_found(resource: Resource) -> ErrorCode {
    use ErrorCode as C;
    match resource {
        Resource::Account => C::ErrorAccountNumberNotFound,
        Resource::Journal => C::ErrorJournalNotFound,
        Resource::JournalEntry | Resource::MiscellaneousOperation => C::ErrorEntryNotFound,
        Resource::Invoice => C::ErrorInvoiceNotFound,
        Resource::Client | Resource::Supplier => C::ErrorPartnerNotFound,
        Resource::Employee => C::ErrorEmployeeNotFound,
        Resource::AnalyticPlan => C::ErrorAnalyticPlanNotFound,
        Resource::AnalyticAccount => C::ErrorAnalyticAccountNotFound,
        Resource::Consumer
        | Resource::Connection
        | Resource::ActiveConnection
        | Resource::Integration
        | Resource::Transaction
        | Resource::Folder
        | Resource::Webhook
        | Resource::Issue => C::ErrorResourceNotFound,
    }
}

/// Chift's status and code for a create that would duplicate a record.
fn already_exists(resource: Resource) -> (StatusCode, ErrorCode) {
    match resource {
        Resource::Client | Resource::Supplier => {
            (StatusCode::BAD_REQUEST, ErrorCode::ErrorPartnerAlreadyExists)
        }
        Resource::AnalyticAccount => {
            (StatusCode::CONFLICT, ErrorCode::ErrorAnalyticAccountAlreadyExists)
        }
        _ => (StatusCode::CONFLICT, ErrorCode::ErrorDuplicateRecord),
    }
}

/// Chift's status and code for a refusal it names.
fn refused(refusal: Refusal) -> (StatusCode, ErrorCode) {
    use ErrorCode as C;
    use StatusCode as S;
    match refusal {
        Refusal::EntryNotBalanced => (S::UNPROCESSABLE_ENTITY, C::ErrorEntryNotBalanced),
        Refusal::NoInvoiceLine => (S::BAD_REQUEST, C::ErrorNoInvoiceLine),
        Refusal::JournalNotFound => (S::NOT_FOUND, C::ErrorJournalNotFound),
        Refusal::JournalNotGoodScope => (S::BAD_REQUEST, C::ErrorJournalNotGoodScope),
        Refusal::AccountNumberNotFound => (S::NOT_FOUND, C::ErrorAccountNumberNotFound),
        Refusal::AccountNumberNotGoodScope => (S::BAD_REQUEST, C::ErrorAccountNumberNotGoodScope),
        Refusal::PartnerNotFound => (S::NOT_FOUND, C::ErrorPartnerNotFound),
        Refusal::TaxCodeNotFound => (S::NOT_FOUND, C::ErrorTaxCodeNotFound),
        Refusal::AnalyticPlanNotFound => (S::NOT_FOUND, C::ErrorAnalyticPlanNotFound),
        Refusal::AnalyticAccountNotFound => (S::NOT_FOUND, C::ErrorAnalyticAccountNotFound),
        Refusal::AnalyticAccountAlreadyExists => {
            (S::CONFLICT, C::ErrorAnalyticAccountAlreadyExists)
        }
        Refusal::BookyearNotFound => (S::BAD_REQUEST, C::ErrorBookyearNotFound),
        Refusal::InvalidBase64 => (S::BAD_REQUEST, C::ErrorInvalidBase64String),
        Refusal::EntryNotFound => (S::NOT_FOUND, C::ErrorEntryNotFound),
        Refusal::EntryNotLinkedToPartner => (S::BAD_REQUEST, C::ErrorEntryNotLinkedToPartner),
        Refusal::EntryHasInvalidStatus => (S::BAD_REQUEST, C::ErrorEntryHasInvalidStatus),
        Refusal::InvalidCurrencyFormat => (S::UNPROCESSABLE_ENTITY, C::ErrorInvalidCurrencyFormat),
        Refusal::DebitCreditValue => (S::UNPROCESSABLE_ENTITY, C::ErrorDebitCreditValue),
        Refusal::BankCodeAlreadyUsed => (S::UNPROCESSABLE_ENTITY, C::ErrorBankCodeAlreadyUsed),
        Refusal::PartnerAccountMissing => (S::UNPROCESSABLE_ENTITY, C::ErrorPartnerAccountMissing),
        Refusal::WrongAccountType => (S::BAD_REQUEST, C::ErrorWrongAccountType),
        Refusal::AttachmentAlreadyExists => (S::BAD_REQUEST, C::ErrorAttachmentAlreadyExists),
        Refusal::InvoiceNumberFormat => {
            (S::UNPROCESSABLE_ENTITY, C::ErrorInvalidFieldFormatInvoiceNumber)
        }
        Refusal::JournalAlreadyExists => (S::BAD_REQUEST, C::ErrorJournalAlreadyExists),
        Refusal::OperationNotBalanced => (S::BAD_REQUEST, C::ErrorOperationNotBalanced),
        Refusal::NoOperationLine => (S::BAD_REQUEST, C::ErrorNoOperationLine),
        Refusal::InvalidFinancialPeriodFormat => {
            (S::BAD_REQUEST, C::ErrorInvalidFinancialPeriodFormat)
        }
        Refusal::ZeroInvoice => (S::BAD_REQUEST, C::ErrorZeroInvoice),
    }
}

impl From<WriteError> for AppError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Invalid(invalid) => AppError::Invalid(invalid),
            WriteError::Connector(error) => AppError::Connector(error),
            WriteError::Partial { created, error } => AppError::Partial { created, error },
            WriteError::Duplicate { resource, id } => AppError::Duplicate { resource, id },
        }
    }
}

/// `{"status":"error","message":…,"error_code":…,"detail":…}`: the body of every non-2xx answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Always `error`.
    #[schema(example = "error")]
    pub status: &'static str,
    pub message: String,
    pub error_code: ErrorCode,
    /// An explanation (often the upstream software's message; empty when there is nothing to
    /// add), or the inputs that failed validation (`loc` `["body", "name"]`; for a refused FEC,
    /// `["fec", <entry or account>]`). Passerelle never sends null; the schema allows it as
    /// Chift's `ChiftError` does.
    #[schema(inline, nullable)]
    pub detail: Detail,
}

impl ErrorBody {
    pub fn new(error_code: ErrorCode, message: impl Into<String>, detail: Detail) -> Self {
        Self { status: "error", message: message.into(), error_code, detail }
    }
}

/// Chift's `detail`: a string, or a list of `ValidationError` as in Chift's
/// `HTTPValidationError` (the inputs that failed validation, or the FEC entries at fault).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Detail {
    Text(String),
    Invalid(Vec<ValidationError>),
}

/// The rule a FEC entry or account named in a refused export broke.
fn fec_rule(e: &FecError) -> &'static str {
    match e {
        FecError::Unbalanced { .. } => "the entry is not balanced (debit ≠ credit)",
        FecError::Accounts { .. } => {
            "the account has no number, or does not start with three digits of classes 1–8"
        }
        FecError::Amounts { .. } => "an amount has more than two decimals",
        FecError::OutsideWindow { .. } => "the entry is dated outside the window",
        _ => "the FEC cannot hold it",
    }
}

/// Chift's `ValidationError`: one input that failed validation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationError {
    #[schema(schema_with = location)]
    pub loc: Vec<String>,
    /// The rule it broke.
    pub msg: String,
    /// Always `value_error`.
    #[serde(rename = "type")]
    pub r#type: &'static str,
}

/// `loc` as Chift declares it: names, and indexes into lists.
fn location() -> Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Integer])),
        )
        .description(Some("Where the input is: `[\"query\", \"size\"]`, `[\"body\", \"name\"]`."))
        .build()
}

/// What the issues middleware finds on an error answer: its code and message.
#[derive(Debug, Clone)]
pub struct AnsweredError {
    pub code: ErrorCode,
    pub message: String,
}

/// What the logging middleware finds on a 5xx answer: the error with its source.
#[derive(Debug, Clone)]
pub struct LoggedError(pub Arc<AppError>);

impl AppError {
    /// The Chift error body, for answers that report an error inside a success (a set of
    /// `POST /matching-multiple`).
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.classify().1, self.to_string(), self.detail())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.classify().0;
        let body = self.body();
        let answered = AnsweredError { code: body.error_code, message: body.message.clone() };
        let mut res = (status, Json(body)).into_response();
        res.extensions_mut().insert(answered);
        let one_second = Duration::from_secs(1);
        let retry_after = match &self {
            AppError::Busy { .. } => Some(&one_second),
            AppError::TooManyAttempts { retry_after }
            | AppError::Connector(
                ConnectorError::RateLimited { retry_after, .. }
                | ConnectorError::Saturated { retry_after, .. },
            ) => Some(retry_after),
            _ => None,
        };
        if let Some(retry_after) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.as_secs().max(1)));
        }
        if status.is_server_error() {
            res.extensions_mut().insert(LoggedError(Arc::new(self)));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_variant_has_the_status_and_code_a_chift_client_expects() {
        let second = Duration::from_secs(1);
        let table: Vec<(AppError, u16, &str)> = vec![
            (AppError::Unauthenticated, 401, "ERROR_CHIFT_AUTHENTICATION_ERROR"),
            (AppError::BadClientCredentials, 401, "ERROR_CHIFT_AUTHENTICATION_ERROR"),
            (
                AppError::TooManyAttempts { retry_after: second },
                429,
                "ERROR_CHIFT_AUTHENTICATION_ERROR",
            ),
            (
                AppError::NotFound { resource: Resource::Consumer, id: "x".into() },
                404,
                "ERROR_RESOURCE_NOT_FOUND",
            ),
            (
                AppError::NotFound { resource: Resource::Invoice, id: "x".into() },
                404,
                "ERROR_INVOICE_NOT_FOUND",
            ),
            (
                AppError::Duplicate { resource: Resource::Client, id: "x".into() },
                400,
                "ERROR_PARTNER_ALREADY_EXISTS",
            ),
            (
                AppError::Duplicate { resource: Resource::Account, id: "x".into() },
                409,
                "ERROR_DUPLICATE_RECORD",
            ),
            (
                Invalid::body("items", "not balanced").because(Refusal::EntryNotBalanced).into(),
                422,
                "ERROR_ENTRY_NOT_BALANCED",
            ),
            (
                Invalid::body("journal_id", "no journal 9")
                    .because(Refusal::JournalNotFound)
                    .into(),
                404,
                "ERROR_JOURNAL_NOT_FOUND",
            ),
            (
                Invalid::body("pdf", "not base64").because(Refusal::InvalidBase64).into(),
                400,
                "ERROR_INVALID_BASE64_STRING",
            ),
            (
                Invalid::body("entries.0", "no entry").because(Refusal::EntryNotFound).into(),
                404,
                "ERROR_ENTRY_NOT_FOUND",
            ),
            (
                Invalid::body("entries.0", "no line on partner")
                    .because(Refusal::EntryNotLinkedToPartner)
                    .into(),
                400,
                "ERROR_ENTRY_NOT_LINKED_TO_PARTNER",
            ),
            (
                Invalid::body("entries.1", "already matched")
                    .because(Refusal::EntryHasInvalidStatus)
                    .into(),
                400,
                "ERROR_ENTRY_HAS_INVALID_STATUS",
            ),
            (
                Invalid::body("currency", "ISO 4217")
                    .because(Refusal::InvalidCurrencyFormat)
                    .into(),
                422,
                "ERROR_INVALID_CURRENCY_FORMAT",
            ),
            (
                Invalid::body("items.0.debit", "negative")
                    .because(Refusal::DebitCreditValue)
                    .into(),
                422,
                "ERROR_DEBIT_CREDIT_VALUE",
            ),
            (
                Invalid::body("iban", "already used").because(Refusal::BankCodeAlreadyUsed).into(),
                422,
                "ERROR_BANK_CODE_ALREADY_USED",
            ),
            (
                Invalid::body("partner_id", "required")
                    .because(Refusal::PartnerAccountMissing)
                    .into(),
                422,
                "ERROR_PARTNER_ACCOUNT_MISSING",
            ),
            (
                Invalid::body("items.1.account_info.account_number", "must start with 401")
                    .because(Refusal::WrongAccountType)
                    .into(),
                400,
                "ERROR_WRONG_ACCOUNT_TYPE",
            ),
            (
                Invalid::query("overwrite_existing", "cannot replace")
                    .because(Refusal::AttachmentAlreadyExists)
                    .into(),
                400,
                "ERROR_ATTACHMENT_ALREADY_EXISTS",
            ),
            (
                Invalid::body("invoice_number", "too long")
                    .because(Refusal::InvoiceNumberFormat)
                    .into(),
                422,
                "ERROR_INVALID_FIELD_FORMAT_INVOICE_NUMBER",
            ),
            (
                AppError::UnknownRoute { method: "GET".into(), path: "/x".into() },
                404,
                "ERROR_API_RESOURCE_NOT_FOUND",
            ),
            (
                AppError::MethodNotAllowed { method: "PUT".into(), path: "/x".into() },
                405,
                "ERROR_API_RESOURCE_NOT_FOUND",
            ),
            (AppError::BodyTooLarge { limit: 1 }, 413, "ERROR_INVALID_BODY"),
            (Invalid::body("name", "required").into(), 422, "ERROR_INVALID_BODY"),
            (Invalid::query("size", "≤ 100").into(), 422, "ERROR_INVALID_QUERY_PARAMETER"),
            (Invalid::path("consumer_id", "uuid").into(), 422, "ERROR_INVALID_PATH_PARAMETER"),
            (
                Invalid::header("x-chift-connectionid", "uuid").into(),
                422,
                "ERROR_INVALID_QUERY_PARAMETER",
            ),
            (
                AppError::AlreadyProcessed { client_request_id: "r".into(), status_code: 200 },
                409,
                "REQUEST_ALREADY_PROCESSED",
            ),
            (AppError::InProcess { client_request_id: "r".into() }, 409, "REQUEST_IN_PROCESS"),
            (
                AppError::DatalayerSyncPending { connection: "c".into() },
                409,
                "ERROR_DATALAYER_SYNC_PENDING",
            ),
            (
                AppError::DatalayerNotEnabled { connection: "c".into() },
                409,
                "ERROR_DATALAYER_NOT_ENABLED",
            ),
            (AppError::Timeout { after: second }, 504, "ERROR_UNKNOWN"),
            (AppError::Unavailable("database".into()), 503, "ERROR_UNKNOWN"),
            (
                AppError::Busy { what: "accounting requests", limit: 1 },
                429,
                "ERROR_CONNECTOR_UNAVAILABLE",
            ),
            (
                AppError::NoActiveConnection { consumer: "c".into() },
                400,
                "ERROR_NO_ACTIVE_CONNECTION",
            ),
            (
                AppError::SeveralConnections { consumer: "c".into() },
                400,
                "ERROR_CONFIGURATION_CONNECTION",
            ),
            (
                AppError::NotSupported { resource: "schemes", connector: "MyUnisoft" },
                405,
                "ERROR_RESOURCE_NOT_SUPPORTED",
            ),
            (
                upstream(ConnectorError::Unauthorized {
                    software: "M",
                    code: "c".into(),
                    message: "m".into(),
                }),
                401,
                "ERROR_CONNECTOR_AUTHENTICATION",
            ),
            (
                upstream(ConnectorError::Forbidden {
                    software: "M",
                    code: "DROIT1".into(),
                    message: "m".into(),
                }),
                403,
                "ERROR_CONNECTOR_CONFIGURATION",
            ),
            (
                upstream(ConnectorError::BookyearClosed {
                    software: "M",
                    code: "ECR9".into(),
                    message: "m".into(),
                }),
                400,
                "ERROR_BOOKYEAR_CLOSED",
            ),
            (
                upstream(ConnectorError::AccountNotActive {
                    software: "M",
                    code: "COMPTE32".into(),
                    message: "m".into(),
                }),
                400,
                "ERROR_ACCOUNT_NUMBER_NOT_ACTIVE",
            ),
            (
                upstream(ConnectorError::Rejected {
                    software: "M",
                    status: 400,
                    code: "ECR14".into(),
                    message: "m".into(),
                }),
                400,
                "UNEXPECTED_MYUNISOFT_ERROR",
            ),
            (
                upstream(ConnectorError::RateLimited { software: "M", retry_after: second }),
                429,
                "ERROR_CONNECTOR_UNAVAILABLE",
            ),
            (
                upstream(ConnectorError::Unavailable { software: "M", reason: "r".into() }),
                502,
                "ERROR_CONNECTOR_UNAVAILABLE",
            ),
            (
                upstream(ConnectorError::Timeout { software: "M" }),
                504,
                "ERROR_CONNECTOR_UNAVAILABLE",
            ),
            (
                upstream(ConnectorError::Decode {
                    software: "M",
                    path: "/p".into(),
                    reason: "r".into(),
                }),
                502,
                "ERROR_TECHNICAL_MAPPING",
            ),
            (
                upstream(ConnectorError::NotFound {
                    software: "M",
                    resource: Resource::AnalyticPlan,
                    id: "1".into(),
                }),
                404,
                "ERROR_ANALYTIC_PLAN_NOT_FOUND",
            ),
            (
                upstream(ConnectorError::Misconfigured { software: "M", reason: "r".into() }),
                502,
                "ERROR_CONNECTOR_UNAVAILABLE",
            ),
            (
                upstream(ConnectorError::TooLarge { software: "M", path: "/p".into(), limit: 1 }),
                502,
                "ERROR_CONNECTOR_UNAVAILABLE",
            ),
            (
                upstream(ConnectorError::Saturated {
                    software: "M",
                    reason: "r".into(),
                    retry_after: second,
                }),
                429,
                "ERROR_CONNECTOR_UNAVAILABLE",
            ),
            (AppError::Fec(FecError::SpoolFull { limit: 1 }), 507, "ERROR_UNKNOWN"),
            (AppError::Internal("boom".into()), 500, "ERROR_UNKNOWN"),
        ];
        for (error, status, code) in table {
            let (s, c) = error.classify();
            assert_eq!(s.as_u16(), status, "{error:?}");
            assert_eq!(serde_json::to_value(c).unwrap(), json!(code), "{error:?}");
        }
    }

    #[test]
    fn refusals_chift_names_for_journals_operations_and_invoices_carry_its_status() {
        for (refusal, status, code) in [
            (Refusal::JournalAlreadyExists, 400, "ERROR_JOURNAL_ALREADY_EXISTS"),
            (Refusal::OperationNotBalanced, 400, "ERROR_OPERATION_NOT_BALANCED"),
            (Refusal::NoOperationLine, 400, "ERROR_NO_OPERATION_LINE"),
            (Refusal::InvalidFinancialPeriodFormat, 400, "ERROR_INVALID_FINANCIAL_PERIOD_FORMAT"),
            (Refusal::ZeroInvoice, 400, "ERROR_ZERO_INVOICE"),
        ] {
            let error = AppError::from(Invalid::body("f", "rule").because(refusal));
            let (s, c) = error.classify();
            assert_eq!((s.as_u16(), serde_json::to_value(c).unwrap()), (status, json!(code)));
            assert_eq!(error.body().message, "invalid body field `f`: rule", "our message stays");
        }
    }

    fn upstream(e: ConnectorError) -> AppError {
        AppError::Connector(e)
    }

    #[test]
    fn an_upstream_business_error_shows_its_code_and_message() {
        let e = upstream(ConnectorError::Rejected {
            software: "MyUnisoft",
            status: 400,
            code: "ECR14".into(),
            message: "L'écriture n'est pas équilibrée".into(),
        });
        let detail = serde_json::to_value(e.detail()).unwrap();
        assert_eq!(detail, json!("ECR14: L'écriture n'est pas équilibrée"));
        assert!(e.to_string().contains("ECR14"));
    }

    #[test]
    fn a_validation_error_names_the_field_and_the_rule() {
        let error = AppError::from(Invalid::body("email", "must be at most 80 characters"));
        assert_eq!(error.to_string(), "invalid body field `email`: must be at most 80 characters");
        assert_eq!(
            serde_json::to_value(error.detail()).unwrap(),
            json!([{
                "loc": ["body", "email"],
                "msg": "must be at most 80 characters",
                "type": "value_error",
            }])
        );
    }

    #[test]
    fn a_refused_fec_names_each_entry_as_a_validation_error() {
        let unbalanced =
            AppError::Fec(FecError::Unbalanced { count: 1, named: vec!["VT 12".into()] });
        assert_eq!(
            serde_json::to_value(unbalanced.detail()).unwrap(),
            json!([{
                "loc": ["fec", "VT 12"],
                "msg": "the entry is not balanced (debit ≠ credit)",
                "type": "value_error",
            }])
        );
        let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let empty = AppError::Fec(FecError::Empty { from: day, to: day });
        assert_eq!(serde_json::to_value(empty.detail()).unwrap(), json!(""));
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let error = AppError::Internal("password=hunter2".into());
        assert_eq!(error.to_string(), "internal error");
    }
}
