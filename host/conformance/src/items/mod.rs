//! Cases for `ItemStore`: versions, conditions, ranges, paging, the sparse
//! index, batches and limits, one module per area; every case is
//! re-exported here, where [`suite!`](crate::suite) names it
//! (`items::query_ranges`).

mod batches;
mod conditions;
mod index;
mod queries;
mod records;

pub use batches::*;
pub use conditions::*;
pub use index::*;
pub use queries::*;
pub use records::*;

use lethe_core::ports::{Condition, KeyRange, Record, RecordKey};
use serde_json::Value;

use crate::{Backend, read_pages};

fn key(pk: &str, sk: &str) -> RecordKey {
    RecordKey::new(pk, sk)
}

fn rec(pk: &str, sk: &str, body: Value) -> Record {
    Record::new(key(pk, sk), body)
}

async fn put(b: &Backend, record: Record, condition: Condition) -> u64 {
    b.items
        .put(record, condition)
        .await
        .unwrap_or_else(|e| panic!("put: {e}"))
}

async fn get(b: &Backend, pk: &str, sk: &str) -> Option<Record> {
    b.items
        .get(&key(pk, sk))
        .await
        .unwrap_or_else(|e| panic!("get: {e}"))
}

/// Every sort key of a query, following pages with `limit` (bounded).
async fn query_sks(b: &Backend, pk: &str, range: &KeyRange, limit: usize) -> Vec<String> {
    collect(b, pk, range, limit, false)
        .await
        .into_iter()
        .map(|r| r.key.sk)
        .collect()
}

/// Every record of a query, following pages with `limit` (bounded).
async fn collect(
    b: &Backend,
    pk: &str,
    range: &KeyRange,
    limit: usize,
    index: bool,
) -> Vec<Record> {
    read_pages(b.items.as_ref(), pk, range, limit, index).await
}
