//! Lethe's HTTP API: one axum [`Router`] for API Gateway (through
//! `lambda_http`) and for `lethe serve`, and its OpenAPI 3.1 document.
//!
//! # Brief overview
//!
//! - [`router`] builds the Router over an [`AppState`]: the
//!   [`Engine`], the plugin [`Sandbox`] that admits
//!   uploads, and the [`ApiConfig`] (body limits).
//! - **Who is calling**: every route but `/healthz`, `/openapi.json` and
//!   the subject's verification link takes an API key
//!   (`Authorization: Bearer lth_...`). The key names its tenant and role;
//!   the handler's [`Auth<R>`](auth::Auth) extractor checks the role
//!   (`intake < support < operator < admin`) before the body is read.
//! - **Tenancy by construction**: no route carries a tenant id. Every call
//!   works in the key's tenant, so another tenant's ids are simply not
//!   found (404) and nothing of theirs can change.
//! - **Errors** are [`Problem`]s
//!   (`application/problem+json`) with a stable `code` and a `detail` that
//!   says how to fix the request, and never an echo of the body or of an
//!   identifier that may be personal data. Engine errors map as:
//!   not found 404, invalid 422, wrong state 409, bad link 400/410,
//!   suppressed 409, contention or a store down 503 (`Retry-After`),
//!   anything internal a generic 500 that is logged.
//! - **Bodies**: JSON only as `application/json`, at most
//!   [`ApiConfig::json_limit`] (1 MiB by default), unknown fields refused;
//!   CSV and WebAssembly uploads at most [`ApiConfig::upload_limit`]
//!   (16 MiB). Lists page with `?cursor=&limit=`.
//! - [`ROUTES`] lists every route with its minimum role; [`openapi()`] is the
//!   document, with each operation's role as `x-min-role`.
//!
//! # Example
//!
//! ```no_run
//! # async fn example(engine: lethe_core::Engine, sandbox: lethe_sandbox::Sandbox) {
//! use lethe_api::{ApiConfig, AppState, router};
//!
//! let app = router(AppState::new(engine, sandbox, ApiConfig::default()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! # let _ = (app, listener);
//! // axum::serve(listener, app).await (in `lethe serve`), or
//! // lambda_http::run(app) (in the Lambda).
//! # }
//! ```
//!
//! # Layout
//!
//! | module | what |
//! |--------|------|
//! | [`auth`] | the `Auth<R>` extractor and the role markers |
//! | [`extract`] | JSON, raw and query extractors; pagination |
//! | [`problem`] | `ApiError`, `Problem`, the engine-error mapping |
//! | [`views`] | request bodies and response views |
//! | `routes` | the handlers, by area, and [`ROUTES`] |
//! | `openapi` | the document's skeleton and `x-min-role` |

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod auth;
pub mod extract;
mod openapi;
pub mod problem;
mod routes;
pub mod views;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use lethe_core::Engine;
use lethe_sandbox::Sandbox;

pub use crate::problem::{ApiError, Problem};
pub use crate::routes::{MAX_INGEST_ITEMS, ROUTES, RouteSpec};

/// Largest JSON body accepted, by default (1 MiB).
pub const DEFAULT_JSON_LIMIT: usize = 1 << 20;
/// Largest CSV or WebAssembly upload accepted, by default (16 MiB).
pub const DEFAULT_UPLOAD_LIMIT: usize = 16 << 20;

/// The API's tunables.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Largest JSON body, in bytes. Defaults to [`DEFAULT_JSON_LIMIT`].
    pub json_limit: usize,
    /// Largest CSV (bulk id list) or component upload, in bytes. Defaults
    /// to [`DEFAULT_UPLOAD_LIMIT`].
    pub upload_limit: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            json_limit: DEFAULT_JSON_LIMIT,
            upload_limit: DEFAULT_UPLOAD_LIMIT,
        }
    }
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The engine (its ports include the plugin registry's runtime).
    pub engine: Engine,
    /// The sandbox that admits uploaded plugins.
    pub sandbox: Sandbox,
    /// The tunables.
    pub config: Arc<ApiConfig>,
}

impl AppState {
    /// State over an engine and the sandbox its plugins run in.
    pub fn new(engine: Engine, sandbox: Sandbox, config: ApiConfig) -> Self {
        AppState {
            engine,
            sandbox,
            config: Arc::new(config),
        }
    }
}

/// The Router: every route of [`ROUTES`], problem+json for unknown routes
/// and methods.
pub fn router(state: AppState) -> Router {
    let (router, _) = routes::api_router().split_for_parts();
    router
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "route_not_found",
                "no such route; see /openapi.json for the routes",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take this method; see /openapi.json",
            )
        })
        .with_state(state)
}

/// The OpenAPI 3.1 document of [`router`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = routes::api_router().split_for_parts();
    openapi::finish(doc)
}
