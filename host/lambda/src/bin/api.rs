//! The `api` Lambda: HTTP API requests through `lethe_api`'s Router.

use lethe_lambda::{Stack, api, init_logging};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_logging();
    let stack = Stack::from_env().await.map_err(|e| format!("{e:#}"))?;
    lambda_http::run(api::router(&stack)).await
}
