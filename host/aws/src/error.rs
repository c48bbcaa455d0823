//! Errors: how SDK failures become [`PortError`]s, and the setup error of
//! the helpers that create and open resources.
//!
//! An SDK error carries the service's message, and some messages quote the
//! request (DynamoDB's validation errors name key attributes, S3's name the
//! object key). Keys can hold customer ids, so nothing here ever copies a
//! message: a [`PortError`] says which call failed, the service's error
//! *code* (`ThrottlingException`, `PreconditionFailed`), the HTTP status
//! and the request id — enough to find the call in CloudTrail, nothing
//! about the data.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use lethe_core::ports::PortError;

/// Why a setup helper ([`create_table`](crate::create_table),
/// [`create_queues`](crate::create_queues), [`SqsQueue::open`](crate::SqsQueue::open), …)
/// failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AwsError {
    /// An AWS call failed.
    #[error("{call} failed: {detail}")]
    Call {
        /// The service and operation, such as `DynamoDB CreateTable`.
        call: &'static str,
        /// Error code, HTTP status and request id (never the message).
        detail: String,
    },
    /// A resource is not shaped as the adapter needs.
    #[error("{0}")]
    Setup(String),
}

/// What an SDK error is, without its message.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The service's error code, if the service answered.
    pub(crate) code: Option<String>,
    /// The HTTP status, if a response came back.
    pub(crate) status: Option<u16>,
    /// `code (HTTP status, request id)` or the transport failure's kind.
    pub(crate) detail: String,
}

impl Failure {
    /// Whether the service answered with this error code.
    pub(crate) fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

/// Describes an SDK error by code, status and request id only.
pub(crate) fn failure<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Failure {
    let status = err.raw_response().map(|r| r.status().as_u16());
    let (code, request_id) = match err {
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => (
            err.code().map(str::to_owned),
            err.meta()
                .extra("aws_request_id")
                .map(str::to_owned)
                .or_else(|| {
                    err.meta()
                        .extra("s3_extended_request_id")
                        .map(str::to_owned)
                }),
        ),
        _ => (None, None),
    };
    let detail = match err {
        SdkError::ConstructionFailure(_) => "the request could not be built".to_owned(),
        SdkError::TimeoutError(_) => "timed out".to_owned(),
        SdkError::DispatchFailure(d) => {
            if d.is_timeout() {
                "timed out (dispatch)".to_owned()
            } else if d.is_io() {
                "connection failed".to_owned()
            } else {
                "the request could not be sent".to_owned()
            }
        }
        SdkError::ResponseError(_) => match status {
            Some(s) => format!("unreadable response (HTTP {s})"),
            None => "unreadable response".to_owned(),
        },
        _ => {
            let mut s = code.clone().unwrap_or_else(|| "error".to_owned());
            if let Some(st) = status {
                s.push_str(&format!(" (HTTP {st}"));
                if let Some(id) = &request_id {
                    s.push_str(&format!(", request {id}"));
                }
                s.push(')');
            }
            s
        }
    };
    Failure {
        code,
        status,
        detail,
    }
}

/// The usual answer to an unexpected failure: the backend is unavailable
/// (the SDK has already retried throttling and transient errors).
pub(crate) fn unavailable(port: &'static str, call: &str, f: &Failure) -> PortError {
    PortError::unavailable(port, format!("{call}: {}", f.detail))
}

/// The [`AwsError`] for a failed setup call.
pub(crate) fn setup<E: ProvideErrorMetadata>(
    call: &'static str,
    err: &SdkError<E, HttpResponse>,
) -> AwsError {
    AwsError::Call {
        call,
        detail: failure(err).detail,
    }
}
