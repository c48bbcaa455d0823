//! The item store: a DynamoDB-shaped table of versioned JSON records.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::PortError;

/// Where a record lives: partition key and sort key.
///
/// Keys are built by the engine (see `crate::keys`) and may contain a
/// tenant's customer id, so adapters never put them in error messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordKey {
    /// Partition key, such as `T#acme#C#cust-1`.
    pub pk: String,
    /// Sort key within the partition, such as `order#o-17`.
    pub sk: String,
}

impl RecordKey {
    /// A key from its two parts.
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        RecordKey {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// One record: a JSON body plus the few attributes the store itself reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Where it lives.
    pub key: RecordKey,
    /// Bumped by the store on every write, starting at 1; what
    /// [`Condition::Version`] compares. Ignored on input.
    pub version: u64,
    /// The record's attributes (a JSON object).
    pub body: Value,
    /// Its key in the sparse secondary index, if it belongs there. Records
    /// without one are invisible to [`ItemStore::query_index`].
    pub index: Option<RecordKey>,
    /// Unix seconds after which the backend may delete it by itself (a TTL
    /// backstop; the engine deletes on time and never relies on this).
    pub expires_at: Option<i64>,
}

impl Record {
    /// A record with this key and body, no index entry and no expiry.
    pub fn new(key: RecordKey, body: Value) -> Self {
        Record {
            key,
            version: 0,
            body,
            index: None,
            expires_at: None,
        }
    }

    /// The same record with a secondary-index key.
    #[must_use]
    pub fn indexed(mut self, index: RecordKey) -> Self {
        self.index = Some(index);
        self
    }

    /// The same record with a TTL backstop.
    #[must_use]
    pub fn expiring(mut self, at_unix_seconds: i64) -> Self {
        self.expires_at = Some(at_unix_seconds);
        self
    }
}

/// What must be true of the stored record for a write to happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Nothing: write whatever is there.
    None,
    /// No record exists under the key (create once).
    Absent,
    /// A record exists under the key.
    Exists,
    /// A record exists with exactly this version (optimistic concurrency).
    Version(u64),
}

/// Which sort keys a query reads, in ascending order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRange {
    /// Every sort key of the partition.
    All,
    /// Sort keys starting with this prefix.
    Prefix(String),
    /// Sort keys `>= from` and `<= to`.
    Between(String, String),
    /// Sort keys `<= to`.
    AtMost(String),
}

impl KeyRange {
    /// Whether `sk` falls in this range.
    pub fn contains(&self, sk: &str) -> bool {
        match self {
            KeyRange::All => true,
            KeyRange::Prefix(p) => sk.starts_with(p.as_str()),
            KeyRange::Between(from, to) => sk >= from.as_str() && sk <= to.as_str(),
            KeyRange::AtMost(to) => sk <= to.as_str(),
        }
    }
}

/// One page of a query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Records in sort-key order (index sort key for index queries).
    pub records: Vec<Record>,
    /// Pass back to read the next page; `None` when this was the last.
    pub next: Option<String>,
}

/// One write of a batch.
#[derive(Clone, Debug, PartialEq)]
pub enum Write {
    /// Create or replace a record.
    Put {
        /// The new record.
        record: Record,
        /// When it may be written.
        condition: Condition,
    },
    /// Delete a record (deleting nothing is not an error under
    /// [`Condition::None`]).
    Delete {
        /// Which record.
        key: RecordKey,
        /// When it may be deleted.
        condition: Condition,
    },
}

/// A DynamoDB-shaped table. One instance is one table.
///
/// Every write bumps the record's version; a write whose [`Condition`] does
/// not hold changes nothing and answers [`PortError::ConditionFailed`].
#[async_trait]
pub trait ItemStore: Send + Sync {
    /// The record under `key`, if any.
    async fn get(&self, key: &RecordKey) -> Result<Option<Record>, PortError>;

    /// Writes `record` if `condition` holds; returns its new version.
    async fn put(&self, record: Record, condition: Condition) -> Result<u64, PortError>;

    /// Deletes the record under `key` if `condition` holds.
    async fn delete(&self, key: &RecordKey, condition: Condition) -> Result<(), PortError>;

    /// Records of partition `pk` whose sort key is in `range`, ascending,
    /// at most `limit` (the backend may return fewer; follow `next`).
    async fn query(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError>;

    /// Like [`query`](Self::query), over the sparse secondary index: records
    /// whose `index` partition is `pk` and index sort key is in `range`.
    /// The index may lag writes briefly on some backends (DynamoDB GSIs are
    /// eventually consistent); callers re-check what they read.
    async fn query_index(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError>;

    /// Applies many writes, each under its own condition; not atomic as a
    /// whole. Returns one result per write, in order: the new version for a
    /// put, 0 for a delete, or why that write did not happen.
    ///
    /// The outer error means the batch could not be attempted at all.
    async fn write_batch(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<u64, PortError>>, PortError>;
}

/// Reads every page of a query. For partitions the engine knows are small
/// (one customer's items, one tenant's settings).
///
/// # Errors
/// The first [`PortError`] of any page.
pub async fn query_all(
    store: &dyn ItemStore,
    pk: &str,
    range: &KeyRange,
) -> Result<Vec<Record>, PortError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.query(pk, range, cursor.as_deref(), 1000).await?;
        out.extend(page.records);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}
