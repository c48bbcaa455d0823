//! The tenant's plugins: upload (validated by the sandbox, then
//! precompiled into the artifact cache), list, activate, roll back.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lethe_core::engine::plugin_registry::check_plugin_name;
use lethe_sandbox::PluginCache;

use crate::AppState;
use crate::auth::{Admin, Auth};
use crate::extract::RawBody;
use crate::problem::{ApiError, Problem};
use crate::views::{PluginStateView, PluginVersionView, PluginView};

/// Uploads a component as a version of plugin `name`. The sandbox admits
/// it first (size, format, imports, compilation, exports, a self-check on
/// sample data); a refused component answers 422 with the one-line reason
/// and nothing is stored. The same bytes uploaded again answer 200 with
/// the existing version. Upload does not activate.
///
/// The artifact validation compiled is published to the shared tiers of
/// the plugin cache (the blob store, and its trust record in the control
/// table), so whichever process runs the plugin first loads it in
/// milliseconds instead of compiling it. A failure to publish is logged
/// and costs that process a compilation; it does not fail the upload.
#[utoipa::path(
    post, path = "/v1/plugins/{name}/versions", tag = "plugins",
    description = "Minimum role: admin. Body: the component (application/wasm), at most 16 MiB.",
    params(("name" = String, Path, description = "The plugin's name (a-z, 0-9, '-')")),
    request_body(content((Vec<u8> = "application/wasm"))),
    responses(
        (status = 201, description = "Stored as a new version", body = PluginVersionView),
        (status = 200, description = "Already uploaded", body = PluginVersionView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn upload_plugin(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path(name): Path<String>,
    body: RawBody,
) -> Result<(StatusCode, Json<PluginVersionView>), ApiError> {
    check_plugin_name(&name).map_err(|m| ApiError::unprocessable("invalid", m))?;
    if !matches!(
        body.media_type.as_deref(),
        Some("application/wasm" | "application/octet-stream")
    ) {
        return Err(ApiError::unsupported_media_type("application/wasm"));
    }
    let sandbox = state.sandbox.clone();
    let bytes = body.bytes.clone();
    let validated = tokio::task::spawn_blocking(move || sandbox.validate(&bytes))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|rejection| {
            ApiError::unprocessable(
                "plugin_rejected",
                format!("the component was refused: {rejection}"),
            )
        })?;
    let worlds = validated.plugin.worlds();
    let (version, created) = state
        .engine
        .register_plugin_version(
            auth.tenant(),
            &name,
            body.bytes,
            worlds.field_map,
            worlds.scrubber,
            auth.actor(),
        )
        .await?;
    let ports = state.engine.ports();
    let cache = PluginCache::builder(state.sandbox.clone())
        .memory(0)
        .shared(ports.blobs.clone(), ports.control.clone())
        .build();
    if let Err(e) = cache.publish(&validated.plugin, &validated.artifact).await {
        tracing::warn!(error = %e, "an uploaded plugin's artifact was not published");
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(version.into())))
}

/// The tenant's plugins with their versions and active version.
#[utoipa::path(
    get, path = "/v1/plugins", tag = "plugins",
    description = "Minimum role: admin.",
    responses(
        (status = 200, description = "The plugins", body = Vec<PluginView>),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn list_plugins(
    State(state): State<AppState>,
    auth: Auth<Admin>,
) -> Result<Json<Vec<PluginView>>, ApiError> {
    let listing = state.engine.plugin_listing(auth.tenant()).await?;
    Ok(Json(listing.into_iter().map(Into::into).collect()))
}

/// Activates an uploaded version; the tenant's next batch runs it.
#[utoipa::path(
    post, path = "/v1/plugins/{name}/versions/{sha256}/activate", tag = "plugins",
    description = "Minimum role: admin.",
    params(
        ("name" = String, Path, description = "The plugin's name"),
        ("sha256" = String, Path, description = "The version's SHA-256"),
    ),
    responses(
        (status = 200, description = "Active", body = PluginStateView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn activate_plugin(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path((name, sha256)): Path<(String, String)>,
) -> Result<Json<PluginStateView>, ApiError> {
    let entry = state
        .engine
        .activate_plugin(auth.tenant(), &name, &sha256, auth.actor())
        .await?;
    Ok(Json(entry.into()))
}

/// Makes the previously active version active again (with none left, the
/// standard plugins serve).
#[utoipa::path(
    post, path = "/v1/plugins/{name}/rollback", tag = "plugins",
    description = "Minimum role: admin.",
    params(("name" = String, Path, description = "The plugin's name")),
    responses(
        (status = 200, description = "Rolled back", body = PluginStateView),
        (status = "4XX", description = "Refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub(crate) async fn rollback_plugin(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path(name): Path<String>,
) -> Result<Json<PluginStateView>, ApiError> {
    let entry = state
        .engine
        .rollback_plugin(auth.tenant(), &name, auth.actor())
        .await?;
    Ok(Json(entry.into()))
}
