//! `GET /blobs/{*key}?expires=&sig=`: the download links the embedded blob
//! store signs ([`BlobDir::verify_link`]), served by `lethe serve` (on AWS,
//! S3 presigned URLs do this). Kept out of `lethe-api` so the API does not
//! depend on the embedded store.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lethe_api::ApiError;
use lethe_core::ports::{BlobStore, Clock, PortError};
use lethe_local::{BlobDir, LinkError};
use serde::Deserialize;
use tokio_util::io::ReaderStream;

/// What the download handler needs.
#[derive(Clone)]
struct BlobState {
    blobs: BlobDir,
    clock: Arc<dyn Clock>,
}

/// The query of a signed link.
#[derive(Debug, Deserialize)]
struct LinkQuery {
    expires: Option<i64>,
    sig: Option<String>,
}

/// The download route, over `blobs`, checking expiry against `clock`.
pub(crate) fn router(blobs: BlobDir, clock: Arc<dyn Clock>) -> Router {
    Router::new()
        .route("/blobs/{*key}", get(download))
        .with_state(BlobState { blobs, clock })
}

/// 403: not a link this server signed.
fn invalid() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "link_invalid",
        "this download link is not valid (changed or incomplete); use the link exactly as it \
         was given, or ask for a new one",
    )
}

/// 403: a link past its expiry.
fn expired() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "link_expired",
        "this download link has expired; ask for a new one (GET /v1/requests/{id}/export \
         gives a fresh link while the export exists)",
    )
}

/// The content type of an object, from its name.
fn content_type(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("jsonl") => "application/x-ndjson",
        _ => "application/octet-stream",
    }
}

/// Serves one signed link: 403 unless it verifies, 404 once the object
/// is gone, else the object streamed from its file.
async fn download(
    State(state): State<BlobState>,
    key: Result<Path<String>, PathRejection>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (Ok(Path(key)), Ok(Query(query))) = (key, query) else {
        return Err(invalid());
    };
    let (Some(expires), Some(sig)) = (query.expires, query.sig) else {
        return Err(invalid());
    };
    match state
        .blobs
        .verify_link(&key, expires, &sig, state.clock.now())
    {
        Ok(()) => {}
        Err(LinkError::Expired) => return Err(expired()),
        Err(LinkError::BadSignature) => return Err(invalid()),
    }
    let (meta, reader) = match state.blobs.get(&key).await {
        Ok(found) => found,
        Err(PortError::NotFound { .. }) => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "the file behind this link no longer exists (exports are destroyed when they \
                 expire or when the subject is erased); ask for a new export",
            ));
        }
        Err(e) => {
            // Port errors carry no keys or values.
            tracing::warn!(error = %e, "a signed download could not be read");
            return Err(ApiError::internal());
        }
    };
    let name = key.rsplit('/').next().unwrap_or("download");
    let disposition = if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        format!("attachment; filename=\"{name}\"")
    } else {
        "attachment".to_string()
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type(&key).to_string()),
            (header::CONTENT_LENGTH, meta.size.to_string()),
            (header::ETAG, format!("\"{}\"", meta.etag)),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        Body::from_stream(ReaderStream::new(reader)),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("exports/t/r/export.json"), "application/json");
        assert_eq!(
            content_type("exports/t/r/export.csv"),
            "text/csv; charset=utf-8"
        );
        assert_eq!(content_type("exports/t/r/blob"), "application/octet-stream");
    }
}
