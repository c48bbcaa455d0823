//! The handlers, by area, and [`ROUTES`]: every route with its minimum role.

use lethe_core::engine::Role;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod admin;
mod downloads;
mod jobs;
mod meta;
mod plugins;
mod records;
mod requests;
mod settings;

pub use records::MAX_INGEST_ITEMS;

/// One route of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path, with `{param}` placeholders.
    pub path: &'static str,
    /// The least role that may call it; `None` for public routes.
    pub min_role: Option<Role>,
}

const fn route(method: &'static str, path: &'static str, min_role: Option<Role>) -> RouteSpec {
    RouteSpec {
        method,
        path,
        min_role,
    }
}

use Role::{Admin, Intake, Operator, Support};

/// Every route, with its minimum role. The OpenAPI document carries the
/// role as `x-min-role`; the tests check this table against both the
/// document and the handlers.
pub const ROUTES: &[RouteSpec] = &[
    route("POST", "/v1/requests", Some(Intake)),
    route("GET", "/v1/requests", Some(Support)),
    route("GET", "/v1/requests/{id}", Some(Support)),
    route("POST", "/v1/requests/{id}/approve", Some(Operator)),
    route("POST", "/v1/requests/{id}/reject", Some(Operator)),
    route("GET", "/v1/requests/{id}/export", Some(Operator)),
    route("GET", "/v1/requests/{id}/certificate", Some(Support)),
    route("GET", "/v1/verify/{tenant}/{request}", None),
    route("GET", "/v1/downloads/{tenant}/{request}", None),
    route("POST", "/v1/redactions", Some(Operator)),
    route("GET", "/v1/jobs", Some(Support)),
    route("GET", "/v1/jobs/{id}", Some(Support)),
    route("GET", "/v1/jobs/{id}/failures", Some(Support)),
    route("POST", "/v1/jobs/{id}/confirm", Some(Admin)),
    route("POST", "/v1/jobs/{id}/cancel", Some(Operator)),
    route("GET", "/v1/settings", Some(Admin)),
    route("PUT", "/v1/settings", Some(Admin)),
    route("POST", "/v1/items", Some(Operator)),
    route("GET", "/v1/customers/{customer}/items", Some(Support)),
    route(
        "DELETE",
        "/v1/customers/{customer}/items/{kind}/{id}",
        Some(Operator),
    ),
    route(
        "DELETE",
        "/v1/customers/{customer}/items/{kind}/{id}/attribute",
        Some(Operator),
    ),
    route("POST", "/v1/ip-deletions", Some(Operator)),
    route("POST", "/v1/plugins/{name}/versions", Some(Admin)),
    route("GET", "/v1/plugins", Some(Admin)),
    route(
        "POST",
        "/v1/plugins/{name}/versions/{sha256}/activate",
        Some(Admin),
    ),
    route("POST", "/v1/plugins/{name}/rollback", Some(Admin)),
    route("POST", "/v1/api-keys", Some(Admin)),
    route("GET", "/v1/api-keys", Some(Admin)),
    route("DELETE", "/v1/api-keys/{id}", Some(Admin)),
    route("GET", "/v1/audit-events", Some(Admin)),
    route("GET", "/healthz", None),
    route("GET", "/openapi.json", None),
];

/// The routes with their OpenAPI operations, before state and limits.
pub(crate) fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(requests::create_request, requests::list_requests))
        .routes(routes!(requests::get_request))
        .routes(routes!(requests::approve_request))
        .routes(routes!(requests::reject_request))
        .routes(routes!(requests::download_export))
        .routes(routes!(requests::request_certificate))
        .routes(routes!(requests::verify_request))
        .routes(routes!(downloads::open_download))
        .routes(routes!(jobs::create_redaction))
        .routes(routes!(jobs::list_jobs))
        .routes(routes!(jobs::get_job))
        .routes(routes!(jobs::job_failures))
        .routes(routes!(jobs::confirm_job))
        .routes(routes!(jobs::cancel_job))
        .routes(routes!(settings::get_settings, settings::put_settings))
        .routes(routes!(records::ingest))
        .routes(routes!(records::read_customer))
        .routes(routes!(records::delete_item))
        .routes(routes!(records::delete_attribute))
        .routes(routes!(records::delete_by_ip))
        .routes(routes!(plugins::upload_plugin))
        .routes(routes!(plugins::list_plugins))
        .routes(routes!(plugins::activate_plugin))
        .routes(routes!(plugins::rollback_plugin))
        .routes(routes!(admin::create_key, admin::list_keys))
        .routes(routes!(admin::revoke_key))
        .routes(routes!(admin::list_audit))
        .routes(routes!(meta::healthz))
        .routes(routes!(meta::openapi_json))
}
