//! How records, keys and cursors are stored and checked: the storage
//! format of [`LocalTable`](super::LocalTable), and the limits it shares
//! with DynamoDB so that what works locally also works on AWS.

use lethe_core::ports::{PortError, Record, RecordKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::DbError;

const PORT: &str = "item store";

/// Longest partition key, in bytes (DynamoDB's limit).
pub(crate) const MAX_PK_BYTES: usize = 2048;
/// Longest sort key, in bytes (DynamoDB's limit).
pub(crate) const MAX_SK_BYTES: usize = 1024;
/// Largest stored record, in bytes (DynamoDB's item limit, 400 KB).
pub(crate) const MAX_RECORD_BYTES: usize = 400 * 1024;
/// Most records one query page returns, whatever the caller asks.
pub(crate) const MAX_PAGE: usize = 1000;

/// A record as stored under its (pk, sk) key: everything but the key.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored {
    /// Version, starting at 1.
    #[serde(rename = "v")]
    pub(crate) version: u64,
    /// Index key, if any.
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<(String, String)>,
    /// TTL backstop.
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<i64>,
    /// The body.
    #[serde(rename = "b")]
    pub(crate) body: Value,
}

/// What a write needs of the record it replaces: everything but the body,
/// whose bytes are skipped without being built (a write checks versions
/// and index keys far more often than it reads bodies).
#[derive(Deserialize)]
pub(crate) struct StoredHead {
    /// Version, starting at 1.
    #[serde(rename = "v")]
    pub(crate) version: u64,
    /// Index key, if any.
    #[serde(rename = "i", default)]
    pub(crate) index: Option<(String, String)>,
    #[serde(rename = "b")]
    _body: serde::de::IgnoredAny,
}

impl StoredHead {
    /// Decodes the head of stored bytes.
    pub(crate) fn decode(bytes: &[u8]) -> Result<StoredHead, DbError> {
        Ok(serde_json::from_slice(bytes)?)
    }
}

/// A record to store, borrowing its body: encoded without copying it.
#[derive(Serialize)]
pub(crate) struct StoredRef<'a> {
    #[serde(rename = "v")]
    pub(crate) version: u64,
    #[serde(rename = "i", skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<(&'a str, &'a str)>,
    #[serde(rename = "e", skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<i64>,
    #[serde(rename = "b")]
    pub(crate) body: &'a Value,
}

impl StoredRef<'_> {
    /// Encodes for storage; [`PortError::Invalid`] if too large.
    pub(crate) fn encode(&self, key: &RecordKey) -> Result<Vec<u8>, PortError> {
        let bytes = serde_json::to_vec(self)
            .map_err(|_| PortError::invalid(PORT, "the record body cannot be encoded"))?;
        if bytes.len() + key.pk.len() + key.sk.len() > MAX_RECORD_BYTES {
            return Err(PortError::invalid(
                PORT,
                format!("the record is larger than {MAX_RECORD_BYTES} bytes"),
            ));
        }
        Ok(bytes)
    }
}

impl Stored {
    /// Decodes stored bytes.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Stored, DbError> {
        Ok(serde_json::from_slice(bytes)?)
    }

    /// The record this is, under `key`.
    pub(crate) fn into_record(self, key: RecordKey) -> Record {
        Record {
            key,
            version: self.version,
            body: self.body,
            index: self.index.map(|(pk, sk)| RecordKey { pk, sk }),
            expires_at: self.expires_at,
        }
    }
}

/// Checks a key against the limits (non-empty parts, DynamoDB's lengths).
pub(crate) fn check_key(key: &RecordKey, what: &str) -> Result<(), PortError> {
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(PortError::invalid(
            PORT,
            format!("the {what} has an empty part"),
        ));
    }
    if key.pk.len() > MAX_PK_BYTES {
        return Err(PortError::invalid(
            PORT,
            format!("the {what}'s partition key is longer than {MAX_PK_BYTES} bytes"),
        ));
    }
    if key.sk.len() > MAX_SK_BYTES {
        return Err(PortError::invalid(
            PORT,
            format!("the {what}'s sort key is longer than {MAX_SK_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Checks a record before it is written: its keys, and a body that is a
/// JSON object.
pub(crate) fn check_record(record: &Record) -> Result<(), PortError> {
    check_key(&record.key, "record key")?;
    if let Some(index) = &record.index {
        check_key(index, "index key")?;
    }
    if !record.body.is_object() {
        return Err(PortError::invalid(
            PORT,
            "the record body is not a JSON object",
        ));
    }
    Ok(())
}

/// The page size to read: `limit` capped at [`MAX_PAGE`]; 0 is refused
/// (it would page forever).
pub(crate) fn page_size(limit: usize) -> Result<usize, PortError> {
    if limit == 0 {
        return Err(PortError::invalid(PORT, "a query limit must be at least 1"));
    }
    Ok(limit.min(MAX_PAGE))
}

/// Encodes the position after the last record of a page: the key parts
/// that order it, as hex of a JSON array (opaque to callers).
pub(crate) fn encode_cursor(parts: &[&str]) -> String {
    hex::encode(serde_json::to_vec(parts).unwrap_or_default())
}

/// Decodes a cursor of `expected` parts made by [`encode_cursor`].
pub(crate) fn decode_cursor(cursor: &str, expected: usize) -> Result<Vec<String>, PortError> {
    let bad = || PortError::invalid(PORT, "the cursor is not one this store returned");
    let bytes = hex::decode(cursor).map_err(|_| bad())?;
    let parts: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if parts.len() == expected {
        Ok(parts)
    } else {
        Err(bad())
    }
}
