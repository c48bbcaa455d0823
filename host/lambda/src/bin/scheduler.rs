//! The `scheduler` Lambda: EventBridge Scheduler input -> a region's nightly runs.

use lambda_runtime::{LambdaEvent, service_fn};
use lethe_lambda::{ScheduleInput, Stack, init_logging, scheduler};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging();
    let stack = Stack::from_env().await?;
    let engine = &stack.engine;
    lambda_runtime::run(service_fn(|event: LambdaEvent<ScheduleInput>| async move {
        scheduler::run(engine, &event.payload)
            .await
            .map_err(|e| format!("{e:#}"))
    }))
    .await
    .map_err(anyhow::Error::from_boxed)
}
