//! Errors as HTTP answers: a status code that follows the CLI's exit codes, and the body
//! the CLI prints under `--json` (`{"error": {"code", "message", "problems", "notes"}}`).

use crate::view::json::{error_json, json_text};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactlog::import::{ImportError, Problem};
use pactlog::{LedgerError, QueryError};

/// A request that did not get its answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    problems: Vec<Problem>,
    notes: Vec<String>,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// 400: the request is wrong (the CLI's exit 1).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404: no such event, party or resource.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 500: storage or internal failure (the CLI's exit 2).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 503: the server is stopping, or a bounded resource is taken.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, and what to do, in words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The exit code the CLI would end with for the same failure.
    fn exit_code(&self) -> u8 {
        match self.status.as_u16() {
            422 => 3,
            400..=499 => 1,
            _ => 2,
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        ApiError::internal(e.to_string())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Ledger(l) => l.into(),
            other => ApiError::bad_request(other.to_string()),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        let message = e.to_string();
        match e {
            ImportError::Invalid(problems) => ApiError {
                problems: problems.into_vec(),
                ..ApiError::bad_request(message)
            },
            ImportError::Ledger(l) => l.into(),
            _ => ApiError::bad_request(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json_text(&error_json(
            self.exit_code(),
            &self.message,
            &self.problems,
            &self.notes,
        )) + "\n";
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
