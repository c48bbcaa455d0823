//! Exponential backoff with full jitter, for the retries the SDK cannot do
//! itself: the unprocessed part of a successful batch call (DynamoDB's
//! `UnprocessedItems`, SQS's failed batch entries).
//!
//! Every AWS call is already retried by the SDK's standard retry strategy
//! (throttling, 5xx, timeouts; see [`AwsConfig`](crate::AwsConfig)); a
//! batch call that *succeeds* but leaves entries undone is not an error to
//! the SDK, so the adapters retry those entries here, a bounded number of
//! times.

use std::time::Duration;

/// How many times unprocessed batch entries are retried before the
/// adapter gives up and answers `Unavailable` for them.
pub(crate) const MAX_BATCH_RETRIES: u32 = 8;

const BASE: Duration = Duration::from_millis(50);
const CAP: Duration = Duration::from_secs(5);

/// A uniformly random fraction in `[0, 1)`.
fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// The delay before retry number `attempt` (0-based): a random duration
/// up to `min(CAP, BASE * 2^attempt)` ("full jitter").
pub(crate) fn delay(attempt: u32) -> Duration {
    let ceiling = BASE.saturating_mul(1u32 << attempt.min(16)).min(CAP);
    ceiling.mul_f64(jitter())
}

/// Sleeps for [`delay`]`(attempt)`.
pub(crate) async fn sleep(attempt: u32) {
    tokio::time::sleep(delay(attempt)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_capped() {
        for attempt in 0..40 {
            let d = delay(attempt);
            assert!(d <= CAP, "{d:?}");
            assert!(d <= BASE.saturating_mul(1 << attempt.min(16)));
        }
    }
}
