//! The subject's export download link (`GET /v1/downloads/...`), e-mailed
//! when an access request completes. Public: the signed, expiring token is
//! the only credential. Each opening redirects to a fresh, short-lived link
//! to the file (see `lethe_core`'s `engine::downloads`), so the mailed link
//! works for as long as the mail says even where the blob store's own
//! links cannot (S3 links presigned with a Lambda's temporary
//! credentials).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, Problem};

/// The query of a download link.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DownloadQuery {
    /// `json` (default) or `csv`: the file the token was made for.
    format: Option<String>,
    /// The token from the e-mailed link.
    token: String,
}

/// Redirects (302) to a short-lived link to the export file.
#[utoipa::path(
    get, path = "/v1/downloads/{tenant}/{request}", tag = "requests",
    description = "Public (no API key): the token is the credential. Redirects to a link to the file that works for 10 minutes; the e-mailed link itself works until its own expiry.",
    params(
        ("tenant" = String, Path, description = "The tenant's id"),
        ("request" = String, Path, description = "The access request's id"),
        DownloadQuery,
    ),
    responses(
        (status = 302, description = "Redirect to the file", headers(("Location" = String, description = "The short-lived link"))),
        (status = 400, description = "Not a valid link", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link or the export has expired, or the export was destroyed", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
pub(crate) async fn open_download(
    State(state): State<AppState>,
    Path((tenant, request)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> Result<Response, ApiError> {
    let format = query.format.as_deref().unwrap_or("json");
    let link = state
        .engine
        .open_download(&tenant, &request, format, &query.token)
        .await?;
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, link),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            // The page's URL holds the token: never send it on.
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
        ],
    )
        .into_response())
}
