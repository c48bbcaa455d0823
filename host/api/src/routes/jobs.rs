//! Bulk redaction (preview, confirm, cancel) and the job history.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lethe_core::bulk_input::{BulkInputError, IdList, from_csv, from_ids};

use crate::AppState;
use crate::auth::{Admin, Auth, Operator, Support};
use crate::extract::{ApiQuery, PageParams, Paged, RawBody, page_by_key, parse_json};
use crate::problem::{ApiError, Problem};
use crate::views::{BulkIdsBody, FailureView, JobView};

/// Starts a bulk redaction from a JSON id list (`{"ids": [...]}`) or a CSV
/// file (`text/csv`, ids in a `customer_id` column or as the only column).
/// Nothing is redacted yet: the answer is the job's preview (matched,
/// unknown rows, duplicate groups); an admin confirms it.
#[utoipa::path(
    post, path = "/v1/redactions", tag = "jobs",
    description = "Minimum role: operator. At most 50,000 distinct ids; CSV up to 16 MiB.",
    request_body(content(
        (BulkIdsBody = "application/json"),
        (String = "text/csv"),
    )),
    responses(
        (status = 201, description = "The job, awaiting confirmation, with its preview", body = JobView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn create_redaction(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    body: RawBody,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let list: IdList = match body.media_type.as_deref() {
        Some("application/json") => {
            let BulkIdsBody { ids } = parse_json(&body.bytes)?;
            from_ids(ids).map_err(bulk_error)?
        }
        Some("text/csv") => from_csv(&body.bytes).map_err(bulk_error)?,
        _ => {
            return Err(ApiError::unsupported_media_type(
                "application/json or text/csv",
            ));
        }
    };
    let job = state
        .engine
        .create_bulk_job(auth.tenant(), &list, auth.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(job.into())))
}

fn bulk_error(e: BulkInputError) -> ApiError {
    let code = match &e {
        BulkInputError::Empty => "empty_list",
        BulkInputError::TooMany { .. } => "too_many_ids",
        BulkInputError::TooLarge { .. } => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                e.to_string(),
            );
        }
        BulkInputError::InvalidUtf8 { .. } | BulkInputError::MalformedCsv { .. } => {
            return ApiError::bad_request("malformed_csv", e.to_string());
        }
        BulkInputError::NoIdColumn { .. } => "no_id_column",
        _ => "invalid_list",
    };
    ApiError::unprocessable(code, e.to_string())
}

/// Confirms a bulk job: its subjects go on the queue.
#[utoipa::path(
    post, path = "/v1/jobs/{id}/confirm", tag = "jobs",
    description = "Minimum role: admin.",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "Queued", body = JobView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn confirm_job(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let job = state
        .engine
        .confirm_job(auth.tenant(), &id, auth.actor())
        .await?;
    Ok(Json(job.into()))
}

/// Cancels a bulk job that has not been confirmed.
#[utoipa::path(
    post, path = "/v1/jobs/{id}/cancel", tag = "jobs",
    description = "Minimum role: operator.",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "Cancelled", body = JobView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn cancel_job(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let job = state
        .engine
        .cancel_job(auth.tenant(), &id, auth.actor())
        .await?;
    Ok(Json(job.into()))
}

/// The job history, oldest first: kind, created_by, times, status, counts.
#[utoipa::path(
    get, path = "/v1/jobs", tag = "jobs",
    description = "Minimum role: support.",
    params(PageParams),
    responses(
        (status = 200, description = "A page of jobs", body = Paged<JobView>),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn list_jobs(
    State(state): State<AppState>,
    auth: Auth<Support>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<JobView>>, ApiError> {
    let limit = page.limit()?;
    let (jobs, next) = state
        .engine
        .list_jobs(auth.tenant(), page.cursor.as_deref(), limit)
        .await?;
    Ok(Json(Paged {
        items: jobs.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
}

/// One job.
#[utoipa::path(
    get, path = "/v1/jobs/{id}", tag = "jobs",
    description = "Minimum role: support.",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn get_job(
    State(state): State<AppState>,
    auth: Auth<Support>,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(state.engine.job(auth.tenant(), &id).await?.into()))
}

/// The subjects a job could not redact, by row.
#[utoipa::path(
    get, path = "/v1/jobs/{id}/failures", tag = "jobs",
    description = "Minimum role: support.",
    params(("id" = String, Path, description = "The job's id"), PageParams),
    responses(
        (status = 200, description = "A page of failures", body = Paged<FailureView>),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn job_failures(
    State(state): State<AppState>,
    auth: Auth<Support>,
    Path(id): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<FailureView>>, ApiError> {
    page.limit()?;
    let failures: Vec<FailureView> = state
        .engine
        .job_failures(auth.tenant(), &id)
        .await?
        .into_iter()
        .map(|f| FailureView {
            row: f.row,
            subject: f.subject.0,
            reason: f.reason,
        })
        .collect();
    Ok(Json(page_by_key(
        failures,
        |f| format!("{:09}", f.row),
        &page,
    )?))
}
