//! API keys and the audit trail.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::AppState;
use crate::auth::{Admin, Auth};
use crate::extract::{ApiJson, ApiQuery, PageParams, Paged};
use crate::problem::{ApiError, Problem};
use crate::views::{AuditEventView, CreateKeyBody, IssuedKeyView, KeyView};

/// Makes an API key for the tenant. The answer holds the key's text, once.
#[utoipa::path(
    post, path = "/v1/api-keys", tag = "admin",
    description = "Minimum role: admin.",
    request_body = CreateKeyBody,
    responses(
        (status = 201, description = "The key (its text shown once)", body = IssuedKeyView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    ApiJson(body): ApiJson<CreateKeyBody>,
) -> Result<(StatusCode, Json<IssuedKeyView>), ApiError> {
    let issued = state
        .engine
        .create_api_key(auth.tenant(), &body.label, body.role, auth.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// The tenant's keys, without their secrets.
#[utoipa::path(
    get, path = "/v1/api-keys", tag = "admin",
    description = "Minimum role: admin.",
    responses(
        (status = 200, description = "The keys", body = Vec<KeyView>),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn list_keys(
    State(state): State<AppState>,
    auth: Auth<Admin>,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    let keys = state.engine.list_api_keys(auth.tenant()).await?;
    Ok(Json(keys.into_iter().map(Into::into).collect()))
}

/// Revokes a key: it stops working at once.
#[utoipa::path(
    delete, path = "/v1/api-keys/{id}", tag = "admin",
    description = "Minimum role: admin.",
    params(("id" = String, Path, description = "The key's id (`key_...`)")),
    responses(
        (status = 200, description = "Revoked", body = KeyView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path(id): Path<String>,
) -> Result<Json<KeyView>, ApiError> {
    let record = state
        .engine
        .revoke_api_key(auth.tenant(), &id, auth.actor())
        .await?;
    Ok(Json(record.into()))
}

/// The tenant's audit events, oldest first (the hash chain). The cursor is
/// the last sequence number read.
#[utoipa::path(
    get, path = "/v1/audit-events", tag = "admin",
    description = "Minimum role: admin.",
    params(PageParams),
    responses(
        (status = 200, description = "A page of events", body = Paged<AuditEventView>),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn list_audit(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<AuditEventView>>, ApiError> {
    let limit = page.limit()?;
    let after: u64 = match &page.cursor {
        None => 0,
        Some(c) => c.parse().map_err(|_| {
            ApiError::bad_request(
                "invalid_query",
                "cursor must be the next_cursor of the previous page",
            )
        })?,
    };
    let mut events = lethe_core::audit::list(
        state.engine.ports().control.as_ref(),
        auth.tenant(),
        after,
        limit + 1,
    )
    .await
    .map_err(lethe_core::EngineError::from)?;
    let more = events.len() > limit;
    events.truncate(limit);
    let next_cursor = if more {
        events.last().map(|e| e.seq.to_string())
    } else {
        None
    };
    Ok(Json(Paged {
        items: events.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}
