//! Write ids: telling a retry that meets its own write from a conflict.
//!
//! The SDK retries a call whose answer was lost — a 500 or a dropped
//! connection *after* the service applied the write. The retry is the
//! same request, so it meets the write it just made: a conditional write
//! (`Condition::Absent`, `Version(v)`, S3 `If-Match`, `If-None-Match`)
//! fails its own condition, and an unconditional DynamoDB put would bump
//! the version twice. Reported as `ConditionFailed`, that is a lie the
//! engine acts on: it takes "someone else wrote" to mean the step was
//! done by another worker and skips what follows (a job's completion,
//! an audit event, a tenant's creation reported as "already exists").
//!
//! So every write carries a fresh random id — DynamoDB attribute `wid`,
//! S3 user metadata `lethe-write-id` — and the retried request carries
//! the same one:
//!
//! - DynamoDB: each `UpdateItem` adds `attribute_not_exists(wid) OR wid <>
//!   :wid` to its condition and asks for the item on failure
//!   (`ReturnValuesOnConditionCheckFailure: ALL_OLD`). A failure whose
//!   item holds this call's id is the call's own earlier attempt: the
//!   answer is success, with that item's version. No extra call.
//! - S3: on a condition failure (412, 409, or 404 / `NoSuchUpload` on a
//!   retried multipart completion) the adapter reads the object's
//!   metadata (`HeadObject`); this call's id there means the write
//!   landed: success, with the object's ETag.
//!
//! What stays ambiguous: a conditional *delete* whose answer was lost. The
//! retry finds nothing, and an absent record names no deleter, so the
//! answer stays `ConditionFailed` (the record is gone, as asked). And a
//! port call that fails as `Unavailable` may still have happened; a later
//! call from the engine is a new write with a new id.

/// A fresh random write id: 16 bytes.
pub(crate) fn new() -> [u8; 16] {
    let mut id = [0u8; 16];
    if getrandom::fill(&mut id).is_err() {
        // No randomness: fall back on the clock and a counter, still
        // unique within the process, which is what a retry needs.
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        id[..8].copy_from_slice(&nanos.to_le_bytes());
        id[8..].copy_from_slice(&NEXT.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    }
    id
}

/// A fresh write id as lowercase hex (S3 metadata).
pub(crate) fn new_hex() -> String {
    hex::encode(new())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_differ() {
        assert_ne!(super::new(), super::new());
        assert_eq!(super::new_hex().len(), 32);
    }
}
