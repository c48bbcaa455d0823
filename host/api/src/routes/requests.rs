//! Privacy requests: intake, reading, the subject's verification link,
//! approval, rejection, the access export and the certificate.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lethe_core::engine::NewRequest;
use lethe_core::engine::model::{RequestKind, RequestStatus, SubjectBy};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::{Auth, Intake, Operator, Support};
use crate::extract::{ApiJson, ApiQuery, PageParams, Paged, page_by_key};
use crate::problem::{ApiError, Problem};
use crate::views::{
    CertificateView, CreateRequestBody, RejectBody, RequestKindBody, RequestView, SubjectKindBody,
    VerifiedView,
};

/// Receives a privacy request. An erasure starts `unverified`: the
/// subject is e-mailed a link (`GET /v1/verify/...`) and nothing happens
/// until it is followed. An access request is acknowledged and, with
/// automatic handling, answered at once.
#[utoipa::path(
    post, path = "/v1/requests", tag = "requests",
    description = "Minimum role: intake.",
    request_body = CreateRequestBody,
    responses(
        (status = 201, description = "Received", body = RequestView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn create_request(
    State(state): State<AppState>,
    auth: Auth<Intake>,
    ApiJson(body): ApiJson<CreateRequestBody>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let subject = match body.subject.by {
        SubjectKindBody::CustomerId => SubjectBy::CustomerId(body.subject.value),
        SubjectKindBody::Email => SubjectBy::Email(body.subject.value),
        SubjectKindBody::Phone => SubjectBy::Phone(body.subject.value),
    };
    let new = NewRequest {
        kind: match body.kind {
            RequestKindBody::Access => RequestKind::Access,
            RequestKindBody::Erasure => RequestKind::Erasure,
        },
        subject,
        contact: body.contact,
    };
    let (request, _link) = state
        .engine
        .create_request(auth.tenant(), new, auth.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(request.into())))
}

/// `?status=` of the request list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatusFilter {
    /// Only requests in this state (`pending`, `completed`, ...).
    #[param(value_type = Option<String>)]
    status: Option<RequestStatus>,
}

/// The tenant's requests, oldest first, optionally in one state.
#[utoipa::path(
    get, path = "/v1/requests", tag = "requests",
    description = "Minimum role: support.",
    params(StatusFilter, PageParams),
    responses(
        (status = 200, description = "A page of requests", body = Paged<RequestView>),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn list_requests(
    State(state): State<AppState>,
    auth: Auth<Support>,
    ApiQuery(filter): ApiQuery<StatusFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<RequestView>>, ApiError> {
    page.limit()?;
    let requests = state
        .engine
        .list_requests(auth.tenant(), filter.status)
        .await?;
    let views: Vec<RequestView> = requests.into_iter().map(Into::into).collect();
    Ok(Json(page_by_key(views, |r| r.id.clone(), &page)?))
}

/// One request.
#[utoipa::path(
    get, path = "/v1/requests/{id}", tag = "requests",
    description = "Minimum role: support.",
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = RequestView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn get_request(
    State(state): State<AppState>,
    auth: Auth<Support>,
    Path(id): Path<String>,
) -> Result<Json<RequestView>, ApiError> {
    let request = state.engine.request(auth.tenant(), &id).await?;
    Ok(Json(request.into()))
}

/// `?token=` of the verification link.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TokenQuery {
    /// The token from the e-mailed link.
    token: String,
}

/// The subject confirms an erasure by following the e-mailed link. Public:
/// the signed, single-use, expiring token is the only credential.
#[utoipa::path(
    get, path = "/v1/verify/{tenant}/{request}", tag = "requests",
    description = "Public (no API key): the token is the credential.",
    params(
        ("tenant" = String, Path, description = "The tenant's id"),
        ("request" = String, Path, description = "The request's id"),
        TokenQuery,
    ),
    responses(
        (status = 200, description = "Verified", body = VerifiedView),
        (status = 400, description = "Not a valid link", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired or already used", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
pub(crate) async fn verify_request(
    State(state): State<AppState>,
    Path((tenant, request)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<TokenQuery>,
) -> Result<Json<VerifiedView>, ApiError> {
    let verified = state
        .engine
        .verify_request(&tenant, &request, &query.token)
        .await
        .map_err(|e| match e {
            // Whether a request id exists is not the link holder's business.
            lethe_core::EngineError::NotFound { .. } => {
                ApiError::from(lethe_core::EngineError::Link("not valid"))
            }
            other => other.into(),
        })?;
    Ok(Json(VerifiedView {
        request: verified.id,
        status: verified.status.as_str().into(),
        message: "Thank you: your erasure request is confirmed and will be carried out.".into(),
    }))
}

/// Approves a pending request (manual handling); it is processed at once.
#[utoipa::path(
    post, path = "/v1/requests/{id}/approve", tag = "requests",
    description = "Minimum role: operator.",
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "Approved (and processing)", body = RequestView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn approve_request(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    Path(id): Path<String>,
) -> Result<Json<RequestView>, ApiError> {
    let request = state
        .engine
        .approve_request(auth.tenant(), &id, auth.actor())
        .await?;
    Ok(Json(request.into()))
}

/// Rejects a request that has not started, with a reason the subject is told.
#[utoipa::path(
    post, path = "/v1/requests/{id}/reject", tag = "requests",
    description = "Minimum role: operator.",
    params(("id" = String, Path, description = "The request's id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "Rejected", body = RequestView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn reject_request(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<RequestView>, ApiError> {
    let request = state
        .engine
        .reject_request(auth.tenant(), &id, &body.reason, auth.actor())
        .await?;
    Ok(Json(request.into()))
}

/// `?format=` of an export download.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// Redirects (302) to an expiring download link of the access export.
#[utoipa::path(
    get, path = "/v1/requests/{id}/export", tag = "requests",
    description = "Minimum role: operator.",
    params(("id" = String, Path, description = "The request's id"), FormatQuery),
    responses(
        (status = 302, description = "Redirect to the expiring link", headers(("Location" = String, description = "The link"))),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn download_export(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<FormatQuery>,
) -> Result<Response, ApiError> {
    let format = query.format.as_deref().unwrap_or("json");
    let link = state.engine.export_link(auth.tenant(), &id, format).await?;
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, link),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response())
}

/// The request's signed erasure certificate.
#[utoipa::path(
    get, path = "/v1/requests/{id}/certificate", tag = "requests",
    description = "Minimum role: support.",
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The certificate", body = CertificateView),
        (status = "4XX", description = "Refused, or none issued yet", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn request_certificate(
    State(state): State<AppState>,
    auth: Auth<Support>,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    let request = state.engine.request(auth.tenant(), &id).await?;
    let certificate = request
        .certificate
        .ok_or_else(|| ApiError::not_found("certificate"))?;
    Ok(Json(CertificateView {
        certificate: serde_json::to_value(certificate).map_err(|_| ApiError::internal())?,
    }))
}
