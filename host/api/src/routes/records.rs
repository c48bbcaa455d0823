//! Customers and records: ingest, read (masked for support), targeted
//! deletions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lethe_core::engine::{ReadView, Role};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::{Auth, Operator, Support};
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::views::{CustomerItemsView, DeletedCount, IngestBody, IngestResult, IpDeletionBody};

/// Most items one ingest call takes.
pub const MAX_INGEST_ITEMS: usize = 1000;

/// Stores customer items. Items about an erased subject are refused or
/// stored stripped of personal data, per the suppression setting; when
/// every item is refused the answer is 409 `suppressed`.
#[utoipa::path(
    post, path = "/v1/items", tag = "records",
    description = "Minimum role: operator. 1 to 1,000 items.",
    request_body = IngestBody,
    responses(
        (status = 200, description = "What was stored", body = IngestResult),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn ingest(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    ApiJson(body): ApiJson<IngestBody>,
) -> Result<Json<IngestResult>, ApiError> {
    if body.items.is_empty() || body.items.len() > MAX_INGEST_ITEMS {
        return Err(ApiError::unprocessable(
            "invalid",
            format!("send 1 to {MAX_INGEST_ITEMS} items per call"),
        ));
    }
    let count = body.items.len();
    let outcome = state.engine.ingest(auth.tenant(), body.items).await?;
    if outcome.refused.len() == count {
        return Err(lethe_core::EngineError::Suppressed.into());
    }
    Ok(Json(IngestResult {
        stored: outcome.stored,
        stripped: outcome.stripped,
        refused: outcome.refused,
    }))
}

/// A customer's items, each labelled with the categories the tenant's
/// field map gives its attributes. For the support role, personal data is
/// masked (all but the last 2 characters; free text scrubbed).
#[utoipa::path(
    get, path = "/v1/customers/{customer}/items", tag = "records",
    description = "Minimum role: support (masked); operator and admin see everything.",
    params(("customer" = String, Path, description = "The tenant's customer id")),
    responses(
        (status = 200, description = "The customer's items", body = CustomerItemsView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn read_customer(
    State(state): State<AppState>,
    auth: Auth<Support>,
    Path(customer): Path<String>,
) -> Result<Json<CustomerItemsView>, ApiError> {
    let view = if auth.role().allows(Role::Operator) {
        ReadView::Full
    } else {
        ReadView::Masked
    };
    let read = state
        .engine
        .read_customer(auth.tenant(), &customer, view)
        .await?;
    Ok(Json(read.into()))
}

/// Deletes one item (a conversation, say) of a customer.
#[utoipa::path(
    delete, path = "/v1/customers/{customer}/items/{kind}/{id}", tag = "records",
    description = "Minimum role: operator.",
    params(
        ("customer" = String, Path, description = "The tenant's customer id"),
        ("kind" = String, Path, description = "The entity kind"),
        ("id" = String, Path, description = "The item's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn delete_item(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    Path((customer, kind, id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .delete_item(auth.tenant(), &customer, &kind, &id, auth.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?path=` of an attribute.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AttributeQuery {
    /// The attribute's path, such as `address.street` or `tags[1]`.
    path: String,
}

/// Deletes one attribute of an item.
#[utoipa::path(
    delete, path = "/v1/customers/{customer}/items/{kind}/{id}/attribute", tag = "records",
    description = "Minimum role: operator.",
    params(
        ("customer" = String, Path, description = "The tenant's customer id"),
        ("kind" = String, Path, description = "The entity kind"),
        ("id" = String, Path, description = "The item's id"),
        AttributeQuery,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn delete_attribute(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    Path((customer, kind, id)): Path<(String, String, String)>,
    ApiQuery(query): ApiQuery<AttributeQuery>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .delete_attribute(
            auth.tenant(),
            &customer,
            &kind,
            &id,
            &query.path,
            auth.actor(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes every log item tied to an IP address.
#[utoipa::path(
    post, path = "/v1/ip-deletions", tag = "records",
    description = "Minimum role: operator.",
    request_body = IpDeletionBody,
    responses(
        (status = 200, description = "How many items were deleted", body = DeletedCount),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn delete_by_ip(
    State(state): State<AppState>,
    auth: Auth<Operator>,
    ApiJson(body): ApiJson<IpDeletionBody>,
) -> Result<Json<DeletedCount>, ApiError> {
    let deleted = state
        .engine
        .delete_by_ip(auth.tenant(), &body.ip, auth.actor())
        .await?;
    Ok(Json(DeletedCount { deleted }))
}
