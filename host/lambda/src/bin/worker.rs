//! The `worker` Lambda: SQS batches of chunk messages, with partial batch failures.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use lethe_lambda::worker::{self, Window};
use lethe_lambda::{Stack, init_logging};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging();
    let stack = Stack::from_env().await?;
    let engine = &stack.engine;
    let queue = stack.aws.queue.as_ref();
    let concurrency = stack.settings.worker_concurrency;
    let reserve = stack.settings.worker_reserve;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        let window = Window::new(event.context.deadline(), reserve);
        let response =
            worker::handle_batch(engine, queue, event.payload, concurrency, window).await;
        Ok::<_, lambda_runtime::Error>(response)
    }))
    .await
    .map_err(anyhow::Error::from_boxed)
}
