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
//!
//! # The deadline
//!
//! Lambda ends an invocation at its deadline without an answer, and then
//! every record of the batch comes back, the finished ones too, and only
//! after the queue's visibility timeout (half an hour with the template's
//! defaults). So the worker stops itself first, at the deadline less a
//! reserve (`LETHE_WORKER_RESERVE_MS`, [`Window`]):
//!
//! ```text
//!  taken ───── records run, `concurrency` at a time ───── stop ── reserve ── deadline
//!                                                          │
//!        finished: done or failed, as usual                │
//!        still running: cancelled ─┐                       │
//!        not started ──────────────┴─ handed back: released to the queue
//!                                     at once, and listed as failures
//! ```
//!
//! Cancelling a chunk mid-way is safe for the same reason a crash is: the
//! next delivery skips what is done. The two kinds of unfinished record
//! are handed back differently:
//!
//! - **Cancelled** (started, not finished): made visible again at once
//!   (`ChangeMessageVisibility` to 0) and listed as a failure, so another
//!   invocation continues it now rather than after the visibility timeout.
//!   This delivery counts towards the queue's maximum receives, like any
//!   other: a chunk that overruns every time ends in the dead-letter queue.
//! - **Never started**: sent again as a new message and not listed, so
//!   Lambda deletes the original. It did not run, so it must not use up a
//!   receive: on a slow day the tail of every batch is handed back, and
//!   counting those would dead-letter chunks that never failed. If the
//!   send fails, it is released and listed like a cancelled one.
//!
//! If a release fails, the record still comes back, later. A new copy
//! whose original is delivered again anyway (say the answer was lost) is
//! one more delivery of idempotent work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::future::join_all;
use futures_util::{StreamExt, stream};
use lethe_core::engine::Engine;
use lethe_core::ports::JobQueue;
use tokio::time::Instant;

/// What happened to one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    /// Will come back: a transient failure is retried; one that can never
    /// succeed (not a chunk message) ends in the dead-letter queue after the
    /// queue's maximum receives, where operators see it.
    Failed,
    /// Started, and not finished when the batch's time was up: cancelled,
    /// released to the queue and named as a failure.
    Cancelled,
    /// Not started when the batch's time was up: sent again as a new
    /// message (see the module docs).
    NotStarted,
    /// Not started, and sent again: the original is done with.
    Requeued,
}

impl Outcome {
    /// Whether the record is still to be handed back.
    fn unfinished(self) -> bool {
        matches!(self, Outcome::Cancelled | Outcome::NotStarted)
    }
}

/// The time a batch has: when it stops taking and running records, and by
/// when the unfinished ones must be released.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Records still running are cancelled, and no more are started.
    pub stop: Instant,
    /// Releasing the handed-back records gives up (half the reserve after
    /// `stop`, leaving the rest for the answer).
    pub release_by: Instant,
}

impl Window {
    /// The window of a batch taken now, with this `deadline`: it stops at
    /// the deadline less `reserve`, but reserves at most half of the time
    /// left, so that an invocation shorter than twice the reserve still
    /// makes progress. A deadline already past means now.
    pub fn new(deadline: SystemTime, reserve: Duration) -> Window {
        let left = deadline
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        let reserve = reserve.min(left / 2);
        let stop = Instant::now() + (left - reserve);
        Window {
            stop,
            release_by: stop + reserve / 2,
        }
    }
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

/// Handles a batch, at most `concurrency` records at once (at least one),
/// until `window.stop`; the response names every record to deliver again.
///
/// Records not finished by then are handed back on `queue` (see the module
/// docs): the cancelled ones are released and named in the response, the
/// ones never started are sent again. `queue` must be the queue the batch
/// came from, since a receipt handle only works there.
pub async fn handle_batch(
    engine: &Engine,
    queue: &dyn JobQueue,
    event: SqsEvent,
    concurrency: usize,
    window: Window,
) -> SqsBatchResponse {
    let records = &event.records;
    let started: Vec<AtomicBool> = records.iter().map(|_| AtomicBool::new(false)).collect();
    let mut outcomes = vec![Outcome::NotStarted; records.len()];
    let run = async {
        let mut finished = stream::iter(records.iter().enumerate())
            .map(|(i, m)| {
                let started = &started[i];
                async move {
                    started.store(true, Ordering::Relaxed);
                    (i, handle(engine, m).await)
                }
            })
            .buffer_unordered(concurrency.max(1));
        while let Some((i, outcome)) = finished.next().await {
            outcomes[i] = outcome;
        }
    };
    // At the stop, the records still running are dropped mid-way (cancelled)
    // and those not started never start.
    let _ = tokio::time::timeout_at(window.stop, run).await;
    for (outcome, started) in outcomes.iter_mut().zip(&started) {
        if *outcome == Outcome::NotStarted && started.load(Ordering::Relaxed) {
            *outcome = Outcome::Cancelled;
        }
    }
    hand_back(queue, records, &mut outcomes, window.release_by).await;

    let mut response = SqsBatchResponse::default();
    let count = |wanted: Outcome| outcomes.iter().filter(|o| **o == wanted).count();
    for (message, outcome) in records.iter().zip(&outcomes) {
        if !matches!(outcome, Outcome::Done | Outcome::Requeued) {
            // A record without an id cannot be named: failing the whole
            // batch is the only way to have it delivered again.
            let id = message.message_id.clone().unwrap_or_default();
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    tracing::info!(
        records = records.len(),
        done = count(Outcome::Done),
        failed = count(Outcome::Failed),
        cancelled = count(Outcome::Cancelled),
        requeued = count(Outcome::Requeued),
        not_started = count(Outcome::NotStarted),
        "batch handled"
    );
    response
}

/// Hands back the unfinished records, giving up at `by`: the ones never
/// started are sent again (and become [`Outcome::Requeued`]); the
/// cancelled ones, and those whose sending failed, are made visible again
/// at once. A record not released still comes back after its visibility
/// timeout. (How many ended which way is in the batch's summary line.)
async fn hand_back(
    queue: &dyn JobQueue,
    records: &[SqsMessage],
    outcomes: &mut [Outcome],
    by: Instant,
) {
    if !outcomes.iter().any(|o| o.unfinished()) {
        return;
    }
    let work = async {
        requeue(queue, records, outcomes).await;
        let to_release: Vec<&SqsMessage> = records
            .iter()
            .zip(outcomes.iter())
            .filter(|(_, o)| o.unfinished())
            .map(|(m, _)| m)
            .collect();
        (to_release.len(), release(queue, &to_release).await)
    };
    match tokio::time::timeout_at(by, work).await {
        Ok((to_release, released)) => tracing::warn!(
            to_release,
            released,
            "the batch's time is up: unfinished records handed back"
        ),
        Err(_) => tracing::warn!(
            "the batch's time is up: unfinished records handed back; that took too long, so \
             those not handed back yet come back after their visibility timeout"
        ),
    }
}

/// Sends the never-started records with a body again, as new messages, and
/// marks them [`Outcome::Requeued`]. If the send fails they stay
/// [`Outcome::NotStarted`], to be released.
async fn requeue(queue: &dyn JobQueue, records: &[SqsMessage], outcomes: &mut [Outcome]) {
    let fresh: Vec<usize> = (0..records.len())
        .filter(|&i| outcomes[i] == Outcome::NotStarted && records[i].body.is_some())
        .collect();
    if fresh.is_empty() {
        return;
    }
    let bodies = fresh
        .iter()
        .filter_map(|&i| records[i].body.clone())
        .collect();
    match queue.send(bodies).await {
        Ok(()) => {
            for &i in &fresh {
                outcomes[i] = Outcome::Requeued;
            }
        }
        Err(e) => tracing::warn!(
            records = fresh.len(),
            error = %e,
            "could not send the records never started again; releasing them instead"
        ),
    }
}

/// Makes `records` visible again at once, all together; returns how many
/// were released.
async fn release(queue: &dyn JobQueue, records: &[&SqsMessage]) -> usize {
    let releases = records.iter().filter_map(|m| {
        let receipt = m.receipt_handle.as_deref()?;
        Some(async move {
            let released = queue.release(receipt, Duration::ZERO).await;
            if let Err(e) = &released {
                tracing::warn!(
                    message_id = m.message_id.as_deref().unwrap_or("-"),
                    error = %e,
                    "could not release a record; it comes back after its visibility timeout"
                );
            }
            released.is_ok()
        })
    });
    join_all(releases)
        .await
        .into_iter()
        .filter(|ok| *ok)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `at` as an offset from now, to the millisecond (the clocks move on
    /// between the computation and the check).
    fn from_now(at: Instant) -> Duration {
        at.saturating_duration_since(Instant::now())
    }

    fn near(actual: Duration, expected: Duration) -> bool {
        actual <= expected && expected - actual < Duration::from_millis(250)
    }

    #[test]
    fn a_window_stops_at_the_deadline_less_the_reserve() {
        let deadline = SystemTime::now() + Duration::from_secs(60);
        let w = Window::new(deadline, Duration::from_secs(5));
        assert!(near(from_now(w.stop), Duration::from_secs(55)), "{w:?}");
        assert_eq!(w.release_by - w.stop, Duration::from_millis(2500));
    }

    #[test]
    fn a_short_invocation_reserves_at_most_half_its_time() {
        let deadline = SystemTime::now() + Duration::from_secs(4);
        let w = Window::new(deadline, Duration::from_secs(5));
        assert!(near(from_now(w.stop), Duration::from_secs(2)), "{w:?}");
        assert!(w.release_by - w.stop <= Duration::from_secs(1));
    }

    #[test]
    fn a_deadline_already_past_stops_now() {
        let deadline = SystemTime::now() - Duration::from_secs(1);
        let w = Window::new(deadline, Duration::from_secs(5));
        assert_eq!(from_now(w.stop), Duration::ZERO);
        assert_eq!(w.release_by, w.stop);
    }
}
