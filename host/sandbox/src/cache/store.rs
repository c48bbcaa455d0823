//! The shared tiers: artifacts in the blob store, and the trust records
//! that say which bytes an artifact must have.
//!
//! A record is `{module, engine, artifact, size}` (the
//! [`ArtifactRecord`] and the artifact's length), written by the host that
//! compiled the artifact, in the host's own state: the control table
//! (DynamoDB on AWS, redb locally) under
//! [`keys::artifact_record`]. An
//! artifact file or object is loaded only when its size and SHA-256 match
//! the record, so whoever can write `/tmp` or the bucket, but not the
//! table, cannot make the host run their code.
//!
//! A record in the control table carries a TTL ([`RECORD_TTL`], longer
//! than the bucket's 90-day age limit on `artifacts/`): the records of an
//! engine no host runs any more go away by themselves, like its artifacts.
//! A current record that expires only costs one compilation, which writes
//! it again.
//!
//! Without a control table (the CLI, memory and disk only), records are
//! files under the disk directory ([`DiskDir::record_path`]): there the
//! digest check catches corruption and torn writes, not someone who can
//! write the directory, who could rewrite both. Such a directory must be
//! writable only by the host's own user.

use std::sync::Arc;

use bytes::Bytes;
use lethe_core::keys;
use lethe_core::ports::{BlobStore, Condition, ItemStore, PortError, PutCondition, Record};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt as _;

use super::disk::{self, DiskDir, Read};
use crate::artifact::ArtifactRecord;
use crate::digest::{Digest, EngineHash};

/// How long a record in the control table lives before the table's TTL
/// may delete it: 120 days.
pub(crate) const RECORD_TTL: std::time::Duration = std::time::Duration::from_secs(120 * 86_400);

/// The largest record file read from disk (a record is about 250 bytes).
const MAX_RECORD_FILE: u64 = 4096;

/// A record the host made, with the artifact's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Trusted {
    pub(crate) record: ArtifactRecord,
    pub(crate) size: u64,
}

/// What looking a record up found.
pub(crate) enum Lookup {
    /// A usable record for this module and engine.
    Found(Trusted),
    /// No record: no artifact is trusted for the module yet.
    Missing,
    /// A record that cannot be used (the kind, for the log).
    Refused(&'static str),
    /// The record store did not answer.
    Unavailable,
}

/// Where records live.
pub(crate) enum Records {
    /// Nowhere: nothing outside memory is trusted.
    None,
    /// The control table.
    Control(Arc<dyn ItemStore>),
    /// Files under the disk directory.
    Files(DiskDir),
}

impl Records {
    /// Whether records are kept at all (else no artifact tier is used).
    pub(crate) fn enabled(&self) -> bool {
        !matches!(self, Records::None)
    }

    /// The record of `module` under `engine`.
    pub(crate) async fn get(&self, engine: &EngineHash, module: &Digest) -> Lookup {
        let body = match self {
            Records::None => return Lookup::Missing,
            Records::Control(control) => {
                let key = keys::artifact_record(&engine.to_string(), &module.to_hex());
                match control.get(&key).await {
                    Ok(Some(record)) => record.body,
                    Ok(None) => return Lookup::Missing,
                    Err(e) => {
                        tracing::warn!(
                            error = %e,
                            "artifact record store unavailable; compiling instead"
                        );
                        return Lookup::Unavailable;
                    }
                }
            }
            Records::Files(dir) => {
                match disk::read_small(&dir.record_path(engine, module), MAX_RECORD_FILE) {
                    Ok(Some(bytes)) => match serde_json::from_slice(&bytes) {
                        Ok(body) => body,
                        Err(_) => return Lookup::Refused("unreadable-record"),
                    },
                    Ok(None) => return Lookup::Missing,
                    Err(_) => return Lookup::Refused("unreadable-record"),
                }
            }
        };
        match parse(&body, module) {
            Ok(t) if t.record.engine == *engine => Lookup::Found(t),
            Ok(_) => Lookup::Refused("other-engine"),
            Err(kind) => Lookup::Refused(kind),
        }
    }

    /// Writes (or overwrites) the record; whether it was written.
    pub(crate) async fn put(&self, trusted: &Trusted) -> bool {
        let body = to_json(trusted);
        let (engine, module) = (&trusted.record.engine, &trusted.record.module);
        match self {
            Records::None => false,
            Records::Control(control) => {
                let key = keys::artifact_record(&engine.to_string(), &module.to_hex());
                let record = Record::new(key, body).expiring(expiry_from_now());
                match control.put(record, Condition::None).await {
                    Ok(_) => true,
                    Err(e) => {
                        tracing::warn!(error = %e, "artifact record not written");
                        false
                    }
                }
            }
            Records::Files(dir) => {
                let path = dir.record_path(engine, module);
                let bytes = body.to_string().into_bytes();
                match disk::write_atomic(&path, &bytes) {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!(kind = ?e.kind(), "artifact record file not written");
                        false
                    }
                }
            }
        }
    }
}

/// Unix seconds [`RECORD_TTL`] from now.
fn expiry_from_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from((now + RECORD_TTL).as_secs()).unwrap_or(i64::MAX)
}

fn to_json(t: &Trusted) -> Value {
    json!({
        "module": t.record.module.to_hex(),
        "engine": t.record.engine.to_string(),
        "artifact": t.record.artifact.to_hex(),
        "size": t.size,
    })
}

fn parse(body: &Value, module: &Digest) -> Result<Trusted, &'static str> {
    let digest = |field: &str| {
        body.get(field)
            .and_then(Value::as_str)
            .and_then(Digest::from_hex)
            .ok_or("unreadable-record")
    };
    let record = ArtifactRecord {
        module: digest("module")?,
        engine: EngineHash(digest("engine")?),
        artifact: digest("artifact")?,
    };
    if record.module != *module {
        return Err("record-for-another-module");
    }
    let size = body
        .get("size")
        .and_then(Value::as_u64)
        .ok_or("unreadable-record")?;
    Ok(Trusted { record, size })
}

/// Reads the artifact at `key` if the object is exactly `size` bytes.
pub(crate) async fn read_blob(
    blobs: &dyn BlobStore,
    key: &str,
    size: u64,
) -> Result<Read, PortError> {
    let (meta, reader) = match blobs.get(key).await {
        Ok(found) => found,
        Err(PortError::NotFound { .. }) => return Ok(Read::Missing),
        Err(e) => return Err(e),
    };
    if meta.size != size {
        return Ok(Read::WrongSize);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    reader
        .take(size.saturating_add(1))
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| PortError::unavailable("blob store", e))?;
    if bytes.len() as u64 != size {
        return Ok(Read::WrongSize);
    }
    Ok(Read::Bytes(bytes))
}

/// Stores the artifact at `key`, replacing whatever is there.
pub(crate) async fn write_blob(blobs: &dyn BlobStore, key: &str, bytes: Bytes) -> bool {
    match blobs
        .put(key, bytes, "application/octet-stream", PutCondition::Any)
        .await
    {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, "precompiled artifact not stored");
            false
        }
    }
}
