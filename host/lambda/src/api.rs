//! The `api` function: API Gateway HTTP API (payload format 2.0) requests,
//! answered by the same axum Router `lethe serve` uses (`lethe_api`), through
//! `lambda_http`.
//!
//! Authentication is the API's own (bearer API keys, roles, tenant
//! scoping); API Gateway only forwards. Export downloads are S3 presigned
//! GET URLs (the engine asks the blob store for a link).

use lethe_api::{ApiConfig, AppState};

use crate::Stack;

/// The Router the function serves.
pub fn router(stack: &Stack) -> axum::Router {
    lethe_api::router(AppState::new(
        stack.engine.clone(),
        stack.sandbox.clone(),
        ApiConfig::default(),
    ))
}
