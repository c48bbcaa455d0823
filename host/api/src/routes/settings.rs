//! The tenant's settings.

use axum::Json;
use axum::extract::State;
use lethe_core::tenant::Settings;

use crate::AppState;
use crate::auth::{Admin, Auth};
use crate::extract::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::views::SettingsSchema;

/// The tenant's settings.
#[utoipa::path(
    get, path = "/v1/settings", tag = "settings",
    description = "Minimum role: admin.",
    responses(
        (status = 200, description = "The settings", body = SettingsSchema),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn get_settings(
    State(state): State<AppState>,
    auth: Auth<Admin>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(state.engine.tenant(auth.tenant()).await?.settings))
}

/// Replaces the tenant's settings (a field left out takes its default;
/// unknown fields are refused): auto-redact (`"off"`, 30, 60, 90), region
/// (`eu`, `us`), handling (`automatic`, `manual`), retention per kind,
/// category policy, suppression mode (`refuse`, `strip`).
#[utoipa::path(
    put, path = "/v1/settings", tag = "settings",
    description = "Minimum role: admin.",
    request_body = SettingsSchema,
    responses(
        (status = 200, description = "The new settings", body = SettingsSchema),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    ApiJson(settings): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    let tenant = state
        .engine
        .update_settings(auth.tenant(), settings, auth.actor())
        .await?;
    Ok(Json(tenant.settings))
}
