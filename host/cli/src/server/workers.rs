//! In-process workers: what SQS and the worker Lambda do on AWS. Each one
//! takes a chunk from the queue, runs it, and takes the next; an empty
//! queue is polled every [`IDLE_POLL`]. They stop between chunks when the
//! server shuts down.

use std::time::Duration;

use lethe_core::Engine;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often an idle worker looks at the queue again.
pub(crate) const IDLE_POLL: Duration = Duration::from_millis(50);

/// How long a chunk that failed waits before it is handed out again.
const RETRY_DELAY: Duration = Duration::from_millis(500);

/// Starts `n` workers; each returns when `stop` is cancelled, after the
/// chunk it holds.
pub(crate) fn spawn(engine: &Engine, n: usize, stop: &CancellationToken) -> Vec<JoinHandle<()>> {
    (0..n.max(1))
        .map(|i| tokio::spawn(work(engine.clone(), i, stop.clone())))
        .collect()
}

/// One worker: chunks until `stop`, pausing when the queue is empty or
/// failing.
async fn work(engine: Engine, worker: usize, stop: CancellationToken) {
    let mut backoff = Duration::from_millis(100);
    while !stop.is_cancelled() {
        let pause = match engine.work_once(1, RETRY_DELAY).await {
            Ok(report) if report.received > 0 => {
                backoff = Duration::from_millis(100);
                continue;
            }
            Ok(_) => IDLE_POLL,
            Err(e) => {
                // Only the queue itself fails here (chunk failures are
                // retried by the engine); engine errors carry no values.
                tracing::warn!(worker, error = %e, "the queue failed; retrying");
                backoff = (backoff * 2).min(Duration::from_secs(5));
                backoff
            }
        };
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
}
