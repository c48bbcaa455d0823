//! Errors as `application/problem+json` (RFC 9457).
//!
//! Every error the API answers is a [`Problem`]: a `type` URI and a stable
//! `code` a client can branch on, a `title`, the HTTP `status`, and a
//! `detail` that says how to fix the request. [`ApiError`] is what handlers
//! return; it becomes a `Problem` in its [`IntoResponse`] impl.
//!
//! No detail repeats the request body or an identifier that may be
//! personal data (a customer id can be an e-mail): engine errors carry
//! none by contract, JSON errors are [sanitized](sanitize_serde_message)
//! before they are shown, and internal errors (a corrupt record, a plugin
//! failure) answer a generic 500 and are logged, without personal data,
//! through `tracing`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lethe_core::engine::{EngineError, Role};
use lethe_core::ports::PortError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error body (RFC 9457), as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:lethe:problem:{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short, human summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// A stable, machine-readable code (`not_found`, `forbidden`, ...).
    pub code: String,
    /// What was wrong with this request and how to fix it.
    pub detail: String,
}

/// Why a request failed; becomes a [`Problem`] response.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code.
    pub code: &'static str,
    /// How to fix it (no personal data).
    pub detail: String,
    /// Seconds after which a retry may succeed (`Retry-After`).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// An error with this status, code and detail.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 422 with `code`.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// 404 for `what`.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found; check the id (ids belong to the tenant of your API key)"),
        )
    }

    /// 401: no key, or a key that does not work.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send a valid API key as `Authorization: Bearer lth_...`; ask your tenant's admin \
             for one if yours was revoked",
        )
    }

    /// 403: the key's role is below `required`.
    pub fn forbidden(required: Role) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "this needs an API key with the {} role or higher; ask your tenant's admin",
                required.as_str()
            ),
        )
    }

    /// 413: the body is larger than `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than the {limit} bytes accepted here; send less at once"),
        )
    }

    /// 415: the body is not of `expected` type.
    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the body with `Content-Type: {expected}`"),
        )
    }

    /// 500 with a generic message.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it was logged. Try again later",
        )
    }

    /// 503 that a retry after `seconds` may fix.
    pub fn unavailable(code: &'static str, seconds: u32) -> Self {
        ApiError {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                code,
                format!("temporarily unavailable; retry in {seconds} s"),
            )
        }
    }

    /// The problem body.
    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:lethe:problem:{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            code: self.code.to_string(),
            detail: self.detail.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).expect("problems serialize");
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"lethe\""),
            );
        }
        response
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::NotFound { what } => ApiError::not_found(what),
            EngineError::Invalid(detail) => ApiError::unprocessable("invalid", detail),
            e @ EngineError::InvalidTransition { .. } => {
                ApiError::new(StatusCode::CONFLICT, "invalid_transition", e.to_string())
            }
            e @ EngineError::Link(state) => match state {
                "expired" => ApiError::new(StatusCode::GONE, "link_expired", e.to_string()),
                "already used" => ApiError::new(StatusCode::GONE, "link_used", e.to_string()),
                _ => ApiError::bad_request("link_invalid", e.to_string()),
            },
            e @ EngineError::Suppressed => {
                ApiError::new(StatusCode::CONFLICT, "suppressed", e.to_string())
            }
            EngineError::Contention(what) => {
                tracing::warn!(what, "contention; the client is asked to retry");
                ApiError::unavailable("contention", 1)
            }
            EngineError::Port(PortError::Unavailable { port, reason }) => {
                tracing::error!(port, %reason, "a port is unavailable");
                ApiError::unavailable("unavailable", 5)
            }
            EngineError::Port(PortError::NotFound { what }) => ApiError::not_found(what),
            EngineError::Port(PortError::ConditionFailed { .. }) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "the resource changed while the request ran; read it again and retry",
            ),
            EngineError::Port(PortError::Invalid { port, reason }) => {
                tracing::warn!(port, %reason, "a port refused a request");
                ApiError::bad_request(
                    "invalid_request",
                    format!("the {port} refused this request: {reason}"),
                )
            }
            EngineError::Corrupt { what, .. } => {
                // The decoder's reason may quote stored values: not logged.
                tracing::error!(what, "a stored record could not be decoded");
                ApiError::internal()
            }
            EngineError::Plugin(message) => {
                // Plugin messages are scrubbed by the sandbox.
                tracing::error!(%message, "a plugin failed");
                ApiError::internal()
            }
            other => {
                tracing::error!(kind = ?std::mem::discriminant(&other), "unexpected engine error");
                ApiError::internal()
            }
        }
    }
}

/// A serde error message with anything the client sent blanked out, so
/// that it can be shown: string and number *values* serde quotes are
/// removed; field names are kept when they look like field names.
///
/// ```
/// use lethe_api::problem::sanitize_serde_message;
/// assert_eq!(
///     sanitize_serde_message("invalid type: string \"ada@example.com\", expected u32"),
///     "invalid type: string, expected u32"
/// );
/// assert_eq!(
///     sanitize_serde_message("unknown field `kinde`, expected one of `kind`, `subject`"),
///     "unknown field `kinde`, expected one of `kind`, `subject`"
/// );
/// assert_eq!(
///     sanitize_serde_message("unknown field `ada@example.com`, expected `kind`"),
///     "unknown field (name not shown), expected `kind`"
/// );
/// assert_eq!(
///     sanitize_serde_message("invalid type: integer `46701234567`, expected a string"),
///     "invalid type: integer, expected a string"
/// );
/// ```
pub fn sanitize_serde_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[at] as char;
        let before = &rest[..at];
        let Some(len) = rest[at + 1..].find(quote) else {
            break;
        };
        let inner = &rest[at + 1..at + 1 + len];
        let after = &rest[at + 2 + len..];
        let is_field_position = before.ends_with("field ")
            || before.ends_with("one of ")
            || before.ends_with(", ")
            || before.ends_with("expected ");
        let looks_like_name = !inner.is_empty()
            && inner.len() <= 40
            && inner
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-');
        let value_position = before.ends_with("string ")
            || before.ends_with("integer ")
            || before.ends_with("floating point ")
            || before.ends_with("variant ")
            || before.ends_with("char ");
        if quote == '`' && is_field_position && looks_like_name && !value_position {
            out.push_str(before);
            out.push('`');
            out.push_str(inner);
            out.push('`');
        } else if quote == '`' && before.ends_with("field ") {
            out.push_str(before);
            out.push_str("(name not shown)");
        } else if quote == '"' && !value_position && looks_like_name {
            // Our own messages quote allowed words ("off", "eu").
            out.push_str(before);
            out.push('"');
            out.push_str(inner);
            out.push('"');
        } else {
            out.push_str(before.trim_end());
        }
        rest = after;
    }
    out.push_str(rest);
    out
}
