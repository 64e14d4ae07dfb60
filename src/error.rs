//! The one error type of the API and its mapping to RFC 9457 problem details.
//!
//! Policy: a client error says precisely what is wrong, naming every bad field at once;
//! a database error the client caused (a duplicate, a dangling reference) becomes a `409`;
//! anything unexpected is a bare `500` whose cause goes to the log, never to the client.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind};
use serde::Serialize;
use utoipa::ToSchema;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request body, or one invalid query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field or parameter, as a path into the request (`name`, `party_region_ids[1]`).
    #[schema(example = "country_code")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "must be an assigned ISO 3166-1 alpha-2 code in upper case, such as ID")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// An RFC 9457 problem detail, sent as `application/problem+json` with every error.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:jalin:problem:invalid-body",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "2 fields are invalid",
    "errors": [
        {"field": "country_code", "message": "must be an assigned ISO 3166-1 alpha-2 code in upper case, such as ID"},
        {"field": "name", "message": "is required"}
    ]
}))]
pub struct Problem {
    /// A URI that identifies the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP reason phrase of `status`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Every invalid field or parameter (400, 409 and 422 problems).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("invalid query parameters")]
    InvalidQuery(Vec<FieldError>),
    #[error("invalid fields")]
    InvalidBody(Vec<FieldError>),
    #[error("unauthorized: {detail}")]
    Unauthorized { detail: String, token_given: bool },
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("conflict: {detail}")]
    Conflict { detail: String, errors: Vec<FieldError> },
    /// A unique value taken, found by the database: perhaps by a concurrent transaction.
    #[error("a unique value is already used: {0:?}")]
    Duplicate(Vec<FieldError>),
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Every slot of a bounded kind of work is taken (`503`, `Retry-After`); the detail is for
    /// the client.
    #[error("busy: {0}")]
    Busy(&'static str),
    #[error("database error: {0}")]
    Database(#[source] diesel::result::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The `415` of a JSON endpoint.
    pub fn not_json() -> Self {
        Self::UnsupportedMediaType(
            "the request body must be JSON, sent as Content-Type: application/json".to_owned(),
        )
    }

    /// A 404 for a record of `resource` (singular, as in `region`) with this id.
    pub fn not_found(resource: &str, id: i64) -> Self {
        Self::NotFound(format!("no {resource} has id {id}"))
    }

    /// A `409` when other records still refer to a record about to be deleted. `referrers`
    /// pairs what refers to it (`agencies`) with how many do.
    pub fn ensure_unreferenced(resource: &str, referrers: &[(&str, i64)]) -> Result<()> {
        let still: Vec<String> = referrers
            .iter()
            .filter(|(_, count)| *count > 0)
            .map(|(what, count)| format!("{what} ({count})"))
            .collect();
        if still.is_empty() {
            return Ok(());
        }
        Err(Self::Conflict {
            detail: format!("this {resource} is still referred to by {}", still.join(", ")),
            errors: Vec::new(),
        })
    }

    /// A 422 for the given fields, or `Ok` when there are none.
    pub fn check(errors: Vec<FieldError>) -> Result<()> {
        if errors.is_empty() { Ok(()) } else { Err(Self::InvalidBody(errors)) }
    }

    fn problem_type(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "urn:jalin:problem:bad-request",
            Self::InvalidQuery(_) => "urn:jalin:problem:invalid-query",
            Self::InvalidBody(_) => "urn:jalin:problem:invalid-body",
            Self::Unauthorized { .. } => "urn:jalin:problem:unauthorized",
            Self::Forbidden(_) => "urn:jalin:problem:forbidden",
            Self::NotFound(_) => "urn:jalin:problem:not-found",
            Self::PreconditionFailed(_) => "urn:jalin:problem:precondition-failed",
            Self::MethodNotAllowed { .. } => "urn:jalin:problem:method-not-allowed",
            Self::Conflict { .. } | Self::Duplicate(_) => "urn:jalin:problem:conflict",
            Self::PayloadTooLarge { .. } => "urn:jalin:problem:payload-too-large",
            Self::RequestTimeout => "urn:jalin:problem:request-timeout",
            Self::UnsupportedMediaType(_) => "urn:jalin:problem:unsupported-media-type",
            Self::Unavailable(_) | Self::Busy(_) => "urn:jalin:problem:unavailable",
            Self::Database(_) | Self::Internal(_) => "urn:jalin:problem:internal",
        }
    }

    /// The error as an operator at a terminal should read it: the cause of a server error
    /// (which clients never see), or the client-facing detail with every bad field.
    pub fn operator_message(&self) -> String {
        match self {
            Self::Database(error) => format!("database error: {error}"),
            Self::Internal(detail) | Self::Unavailable(detail) => detail.clone(),
            _ => {
                let problem = self.problem();
                let mut text = problem.detail;
                for field in problem.errors {
                    text.push_str(&format!("\n  {}: {}", field.field, field.message));
                }
                text
            }
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            Self::BadRequest { detail, errors } | Self::Conflict { detail, errors } => {
                (detail.clone(), errors.clone())
            }
            Self::InvalidQuery(errors) => (count_phrase(errors.len(), "query parameter"), errors.clone()),
            Self::Duplicate(errors) => {
                ("a record with the same unique value already exists".to_owned(), errors.clone())
            }
            Self::InvalidBody(errors) => (count_phrase(errors.len(), "field"), errors.clone()),
            Self::NotFound(detail)
            | Self::Forbidden(detail)
            | Self::PreconditionFailed(detail)
            | Self::Unauthorized { detail, .. } => (detail.clone(), Vec::new()),
            Self::MethodNotAllowed { allow } => {
                (format!("this path answers only {}", allow.join(", ")), Vec::new())
            }
            Self::PayloadTooLarge { limit } => {
                (format!("the request body is larger than {}", byte_size(*limit)), Vec::new())
            }
            Self::RequestTimeout => {
                ("the request body did not arrive in time; send it whole and promptly".to_owned(), Vec::new())
            }
            Self::UnsupportedMediaType(detail) => (detail.clone(), Vec::new()),
            Self::Unavailable(_) => {
                ("the database is not answering; try again shortly".to_owned(), Vec::new())
            }
            Self::Busy(detail) => ((*detail).to_owned(), Vec::new()),
            Self::Database(_) | Self::Internal(_) => {
                ("an unexpected error occurred; it has been logged".to_owned(), Vec::new())
            }
        };
        Problem {
            problem_type: self.problem_type().to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

/// `1 MiB`, `64 MiB`, `512 KiB`, or bytes.
fn byte_size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

fn count_phrase(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun} is invalid") } else { format!("{count} {noun}s are invalid") }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            Self::InvalidBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } | Self::Duplicate(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) | Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Server errors are logged by the request-id middleware, which names the request.
    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        if matches!(self, Self::RequestTimeout) {
            // The rest of a body that never came must not be read as the next request.
            response.force_close();
        }
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Self::Unavailable(_) | Self::Busy(_) = self {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
        }
        if let Self::MethodNotAllowed { allow } = self
            && let Ok(value) = HeaderValue::from_str(&allow.join(", "))
        {
            response.insert_header((header::ALLOW, value));
        }
        if let Self::Unauthorized { token_given, .. } = self {
            let challenge = if *token_given {
                r#"Bearer realm="jalin", error="invalid_token""#
            } else {
                r#"Bearer realm="jalin""#
            };
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge)));
        }
        match serde_json::to_vec(&self.problem()) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::Error as E;
        match &error {
            E::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let field = unique_violation_column(info.as_ref());
                let errors = field
                    .iter()
                    .map(|field| FieldError::new(field.clone(), "is already used by another record"))
                    .collect();
                Self::Duplicate(errors)
            }
            // The database went away or is busy: the client may try again shortly.
            E::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(format!("connection lost: {}", info.message()))
            }
            E::DatabaseError(_, info) if is_unavailable(info.message()) => {
                Self::Unavailable(info.message().to_owned())
            }
            // SQLite reports some foreign key failures without their kind.
            E::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => Self::foreign_key_conflict(),
            E::DatabaseError(_, info) if info.message().contains("FOREIGN KEY constraint failed") => {
                Self::foreign_key_conflict()
            }
            _ => Self::Database(error),
        }
    }
}

/// An error that may not happen again when the whole transaction is run again: a
/// serialization failure, a deadlock, or a unique value inserted by a concurrent transaction
/// that the retry will see.
pub trait Transient {
    fn is_transient(&self) -> bool;
}

impl Transient for diesel::result::Error {
    fn is_transient(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => true,
            Error::DatabaseError(_, info) => info.message().contains("deadlock detected"),
            _ => false,
        }
    }
}

impl Transient for ApiError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Database(error) => error.is_transient(),
            Self::Duplicate(_) => true,
            _ => false,
        }
    }
}

impl ApiError {
    /// The same error for another request that waited for the same answer.
    pub fn copy_for_another_request(&self) -> Self {
        match self {
            Self::Database(error) => Self::copy_database_error(error, "the query failed"),
            Self::Unavailable(detail) => Self::Unavailable(detail.clone()),
            Self::NotFound(detail) => Self::NotFound(detail.clone()),
            Self::Forbidden(detail) => Self::Forbidden(detail.clone()),
            Self::InvalidQuery(errors) => Self::InvalidQuery(errors.clone()),
            other => Self::Internal(other.to_string()),
        }
    }

    /// The error a database error makes, again: for another request that it stopped too.
    pub fn copy_database_error(error: &diesel::result::Error, failed: &str) -> Self {
        use diesel::result::Error as E;
        match error {
            E::DatabaseError(kind, info) => {
                Self::from(E::DatabaseError(*kind, Box::new(info.message().to_owned())))
            }
            other => Self::Internal(format!("{failed}: {other}")),
        }
    }

    /// Whether this may come from a connection that no longer works (and not from the data or
    /// the request).
    pub fn may_be_connection_failure(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Database(_) | Self::Internal(_))
    }

    fn foreign_key_conflict() -> Self {
        Self::Conflict {
            detail: "the change would leave a reference to a record that does not exist, \
                         or remove a record that others still refer to"
                .to_owned(),
            errors: Vec::new(),
        }
    }
}

/// Messages of a database that is shutting down, starting up, or too busy to take a write.
fn is_unavailable(message: &str) -> bool {
    ["terminating connection due to administrator command", "the database system is", "database is locked"]
        .iter()
        .any(|sign| message.contains(sign))
}

/// Which column a unique violation is about. PostgreSQL names the constraint
/// (`<table>_<column>_key` for a column's `UNIQUE`); SQLite says
/// `UNIQUE constraint failed: <table>.<column>`.
fn unique_violation_column(info: &dyn DatabaseErrorInformation) -> Option<String> {
    if let Some(constraint) = info.constraint_name() {
        let table = info.table_name().unwrap_or_default();
        let rest = constraint.strip_prefix(table).and_then(|r| r.strip_prefix('_')).unwrap_or(constraint);
        return Some(rest.strip_suffix("_key").unwrap_or(rest).to_owned());
    }
    let columns = info.message().strip_prefix("UNIQUE constraint failed: ")?;
    let first = columns.split(", ").next()?;
    Some(first.rsplit('.').next().unwrap_or(first).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info {
        message: &'static str,
        table: Option<&'static str>,
        constraint: Option<&'static str>,
    }

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            self.table
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.constraint
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn unique_violation_column_reads_the_postgres_constraint_name() {
        let info = Info {
            message: "duplicate key",
            table: Some("regions"),
            constraint: Some("regions_subdivision_code_key"),
        };
        assert_eq!(unique_violation_column(&info).as_deref(), Some("subdivision_code"));
    }

    #[test]
    fn unique_violation_column_reads_the_sqlite_message() {
        let info = Info { message: "UNIQUE constraint failed: sectors.code", table: None, constraint: None };
        assert_eq!(unique_violation_column(&info).as_deref(), Some("code"));
    }

    #[test]
    fn internal_errors_carry_no_detail() {
        let problem = ApiError::Internal("SELECT secret FROM /etc/passwd".into()).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("SELECT"));
    }
}
