//! Helpers shared by the cases: unique prefixes, bounded retries, a query
//! read to its last page.

use std::time::Duration;

use lethe_core::ports::{Delivery, ItemStore, KeyRange, PortError, Record};

use crate::Backend;

/// A prefix no other case or run uses: `cf-{tag}-{16 random hex}`.
pub fn unique(tag: &str) -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no randomness: {e}"));
    format!("cf-{tag}-{}", hex::encode(bytes))
}

/// Asserts `result` is [`PortError::ConditionFailed`].
pub(crate) fn assert_condition_failed<T: std::fmt::Debug>(
    result: Result<T, PortError>,
    what: &str,
) {
    match result {
        Err(PortError::ConditionFailed { .. }) => {}
        other => panic!("{what}: expected ConditionFailed, got {other:?}"),
    }
}

/// Asserts `result` is [`PortError::Invalid`].
pub(crate) fn assert_invalid<T: std::fmt::Debug>(result: Result<T, PortError>, what: &str) {
    match result {
        Err(PortError::Invalid { .. }) => {}
        other => panic!("{what}: expected Invalid, got {other:?}"),
    }
}

/// Retries `check` (which answers whether it saw what it expected) a
/// bounded number of times, letting a little time pass between tries: for
/// what a backend may show late (a DynamoDB index, an SQS dead-letter
/// move). Panics with `what` if it never does.
pub(crate) async fn eventually<F, Fut>(b: &Backend, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..20 {
        if check().await {
            return;
        }
        b.wait(Duration::from_millis(250)).await;
    }
    panic!("{what}: not seen after 20 tries");
}

/// Receives until `n` deliveries have arrived (or a bounded number of
/// tries pass: short polls may answer empty while messages wait).
pub(crate) async fn receive_n(b: &Backend, n: usize, visibility: Duration) -> Vec<Delivery> {
    let mut out = Vec::new();
    let mut empty = 0;
    while out.len() < n && empty < 10 {
        let got = b
            .queue
            .receive((n - out.len()).min(10), visibility)
            .await
            .unwrap_or_else(|e| panic!("receive: {e}"));
        if got.is_empty() {
            empty += 1;
            b.wait(Duration::from_millis(50)).await;
        }
        out.extend(got);
    }
    out
}

/// Every record a query answers, read page by page with `limit` per page:
/// the base table's `pk`, or with `index` the sparse index's. Panics if a
/// query fails, a page holds more than `limit` records, or the pages do
/// not end within 1,000.
pub async fn read_pages(
    items: &dyn ItemStore,
    pk: &str,
    range: &KeyRange,
    limit: usize,
    index: bool,
) -> Vec<Record> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1_000 {
        let page = if index {
            items.query_index(pk, range, cursor.as_deref(), limit).await
        } else {
            items.query(pk, range, cursor.as_deref(), limit).await
        }
        .unwrap_or_else(|e| panic!("query: {e}"));
        assert!(
            page.records.len() <= limit,
            "a page of {} for limit {limit}",
            page.records.len()
        );
        out.extend(page.records);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return out,
        }
    }
    panic!("query did not finish within 1,000 pages");
}
