//! The `worker` function: SQS delivers batches of chunk messages; each
//! record is one chunk, handled by the engine ([`Engine::handle_chunk`]).
//!
//! The answer lists the records that failed (`batchItemFailures`, with the
//! event source mapping's `ReportBatchItemFailures`), so only those come
//! back after the visibility timeout; the rest are deleted by Lambda. A
//! chunk is idempotent: a record delivered again, or a batch cut short by a
//! crash or a timeout, redoes nothing that was done.
//!
//! Records of a batch run a few at a time (`LETHE_WORKER_CONCURRENCY`): a
//! chunk spends most of its time waiting on DynamoDB and S3, so some overlap
//! pays, while a bound keeps the table's write rate and the work lost to a
//! timeout small.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::{StreamExt, stream};
use lethe_core::engine::Engine;

/// What happened to one record.
#[derive(Debug)]
enum Outcome {
    Done,
    /// Will come back: a transient failure is retried; one that can never
    /// succeed (not a chunk message) ends in the dead-letter queue after the
    /// queue's maximum receives, where operators see it.
    Failed,
}

async fn handle(engine: &Engine, message: &SqsMessage) -> Outcome {
    let Some(body) = message.body.as_deref() else {
        tracing::warn!(
            message_id = message.message_id.as_deref().unwrap_or("-"),
            "record without a body; it will go to the dead-letter queue"
        );
        return Outcome::Failed;
    };
    match engine.handle_chunk(body).await {
        Ok(()) => Outcome::Done,
        Err(e) => {
            let transient = e.is_transient();
            // Engine errors name ids and kinds, never customer data.
            tracing::warn!(
                message_id = message.message_id.as_deref().unwrap_or("-"),
                transient,
                error = %e,
                "chunk failed; it will be delivered again"
            );
            Outcome::Failed
        }
    }
}

/// Handles a batch, at most `concurrency` records at once (at least one);
/// the response names every record to deliver again.
pub async fn handle_batch(
    engine: &Engine,
    event: SqsEvent,
    concurrency: usize,
) -> SqsBatchResponse {
    let outcomes: Vec<Outcome> = stream::iter(event.records.iter().map(|m| handle(engine, m)))
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    let (mut done, mut failed) = (0u32, 0u32);
    for (message, outcome) in event.records.iter().zip(outcomes) {
        match outcome {
            Outcome::Done => done += 1,
            Outcome::Failed => {
                failed += 1;
                // A record without an id cannot be named: failing the whole
                // batch is the only way to have it delivered again.
                let id = message.message_id.clone().unwrap_or_default();
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                response.batch_item_failures.push(failure);
            }
        }
    }
    tracing::info!(records = event.records.len(), done, failed, "batch handled");
    response
}
