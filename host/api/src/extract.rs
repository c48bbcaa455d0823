//! Request extractors that answer in problem+json: JSON bodies (type,
//! size, unknown fields), raw uploads, query strings and pagination.
//!
//! Bodies are read through a length limit *while* they stream in, so an
//! oversized body is refused (413) without being held in memory, and a
//! declared `Content-Length` over the limit is refused before any of it is
//! read. JSON is parsed with the target type's own rules: request types
//! refuse unknown fields, so a typo never silently keeps a default.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::problem::{ApiError, sanitize_serde_message};

/// A JSON body of type `T`: `Content-Type: application/json`, at most the
/// configured JSON limit, parsed strictly.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if media_type(req.headers()).as_deref() != Some("application/json") {
            return Err(ApiError::unsupported_media_type("application/json"));
        }
        let bytes = read_limited(req, state.config.json_limit).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A raw body of at most the configured upload limit, with its media type
/// (lower case, without parameters).
#[derive(Debug)]
pub struct RawBody {
    /// `type/subtype`, if the request named one.
    pub media_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let media_type = media_type(req.headers());
        let bytes = read_limited(req, state.config.upload_limit).await?;
        Ok(RawBody { media_type, bytes })
    }
}

/// A query string of type `T`; a bad one answers 400.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::bad_request(
                "invalid_query",
                format!(
                    "the query string is not valid: {}",
                    sanitize_serde_message(&rejection.body_text())
                ),
            )),
        }
    }
}

/// `?cursor=&limit=` of a list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Where to continue: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// How many items to return (1 to 500; 50 by default).
    pub limit: Option<usize>,
}

/// The most items one page holds.
pub const MAX_PAGE: usize = 500;
/// Items per page when `limit` is not given.
pub const DEFAULT_PAGE: usize = 50;

impl PageParams {
    /// The page size asked for, checked.
    ///
    /// # Errors
    /// 400 for a limit outside 1 to [`MAX_PAGE`].
    pub fn limit(&self) -> Result<usize, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_PAGE),
            Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::bad_request(
                "invalid_query",
                format!("limit must be between 1 and {MAX_PAGE}"),
            )),
        }
    }
}

/// One page of a list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to read the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A page of `items` (sorted by `key`, ascending), after `cursor`.
pub(crate) fn page_by_key<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    params: &PageParams,
) -> Result<Paged<T>, ApiError> {
    let limit = params.limit()?;
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|item| params.cursor.as_ref().is_none_or(|c| key(item) > *c))
        .collect();
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next_cursor = if more { rest.last().map(&key) } else { None };
    Ok(Paged {
        items: rest,
        next_cursor,
    })
}

/// The request's media type, lower case, without parameters.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mime: mime::Mime = value.parse().ok()?;
    Some(mime.essence_str().to_ascii_lowercase())
}

/// Reads the body, refusing more than `limit` bytes (413).
async fn read_limited(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    let body: Body = req.into_body();
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::too_large(limit)),
        Err(_) => Err(ApiError::bad_request(
            "body_unreadable",
            "the request body could not be read; send it again",
        )),
    }
}

/// Parses a JSON body; errors name the place and the expected shape, never
/// the values sent.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| json_error(&e))
}

fn json_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(
            "invalid_json",
            format!("the body is not valid JSON (at {at}); send one JSON object"),
        ),
        Category::Data => {
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            let code = if message.starts_with("unknown field") {
                "unknown_field"
            } else {
                "invalid_body"
            };
            let hint = if code == "unknown_field" {
                "; remove it (see the schema in /openapi.json)"
            } else {
                ""
            };
            ApiError::bad_request(
                code,
                format!(
                    "the body does not have the expected shape (at {at}): {}{hint}",
                    sanitize_serde_message(message)
                ),
            )
        }
    }
}
