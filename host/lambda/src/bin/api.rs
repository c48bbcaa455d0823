//! The `api` Lambda: HTTP API requests through `lethe_api`'s Router.

use lethe_lambda::{Stack, api, init_logging};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging();
    let stack = Stack::from_env().await?;
    lambda_http::run(api::router(&stack))
        .await
        .map_err(anyhow::Error::from_boxed)
}
