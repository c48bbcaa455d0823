//! The `api` function: API Gateway HTTP API (payload format 2.0) requests,
//! answered by the same axum Router `lethe serve` uses (`lethe_api`), through
//! `lambda_http`.
//!
//! Authentication is the API's own (bearer API keys, roles, tenant
//! scoping); API Gateway only forwards. An export is downloaded through a
//! redirect to an S3 presigned GET URL made when the link is opened and
//! good for minutes; the link mailed to the subject points at the API
//! (`/v1/downloads/...`), since a URL presigned with this function's
//! temporary credentials stops working when they expire.

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
