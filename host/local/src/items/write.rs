//! One conditional write, applied inside a redb write transaction, keeping
//! the record and its index entry consistent.

use lethe_core::ports::{Condition, PortError, Write};
use redb::{ReadableTable, Table};

use super::codec::{StoredHead, StoredRef, check_key, check_record};
use super::{IndexKey, ItemKey};
use crate::error::DbError;

/// Whether `condition` holds for a record of version `current` (`None`:
/// absent).
fn holds(condition: Condition, current: Option<u64>) -> bool {
    match condition {
        Condition::None => true,
        Condition::Absent => current.is_none(),
        Condition::Exists => current.is_some(),
        Condition::Version(v) => current == Some(v),
    }
}

/// Applies one write. The outer error is a storage failure (abort the
/// transaction); the inner one is this write's answer (invalid, or its
/// condition failed), which changes nothing.
pub(super) fn apply(
    items: &mut Table<'_, ItemKey, &'static [u8]>,
    index: &mut Table<'_, IndexKey, ()>,
    write: &Write,
) -> Result<Result<u64, PortError>, DbError> {
    let key = match write {
        Write::Put { record, .. } => &record.key,
        Write::Delete { key, .. } => key,
    };
    let checked = match write {
        Write::Put { record, .. } => check_record(record),
        Write::Delete { key, .. } => check_key(key, "record key"),
    };
    if let Err(e) = checked {
        return Ok(Err(e));
    }
    let k = (key.pk.as_str(), key.sk.as_str());
    let old = match items.get(k)? {
        Some(v) => Some(StoredHead::decode(v.value())?),
        None => None,
    };
    let condition = match write {
        Write::Put { condition, .. } | Write::Delete { condition, .. } => *condition,
    };
    if !holds(condition, old.as_ref().map(|s| s.version)) {
        return Ok(Err(PortError::ConditionFailed { what: "record" }));
    }
    let new = match write {
        Write::Put { record, .. } => {
            let stored = StoredRef {
                version: old.as_ref().map_or(1, |s| s.version + 1),
                index: record
                    .index
                    .as_ref()
                    .map(|i| (i.pk.as_str(), i.sk.as_str())),
                expires_at: record.expires_at,
                body: &record.body,
            };
            match stored.encode(key) {
                Ok(bytes) => Some((stored.version, stored.index, bytes)),
                Err(e) => return Ok(Err(e)),
            }
        }
        Write::Delete { .. } => None,
    };
    if let Some((ipk, isk)) = old.as_ref().and_then(|s| s.index.as_ref()) {
        index.remove((ipk.as_str(), isk.as_str(), k.0, k.1))?;
    }
    match new {
        Some((version, new_index, bytes)) => {
            items.insert(k, bytes.as_slice())?;
            if let Some((ipk, isk)) = new_index {
                index.insert((ipk, isk, k.0, k.1), ())?;
            }
            Ok(Ok(version))
        }
        None => {
            if old.is_some() {
                items.remove(k)?;
            }
            Ok(Ok(0))
        }
    }
}
