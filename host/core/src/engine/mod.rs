//! The privacy engine: tenants, ingest, redaction, requests, jobs, exports,
//! nightly runs and audit, written against the [ports](crate::ports) only.
//!
//! # How the pieces fit
//!
//! ```text
//!  requests ──► request job ─┐
//!  bulk list ─► preview ─► confirm ─► chunks on the queue ─► worker ─► redact subjects
//!  nightly ──► auto-redact job ┘                                     ├─► datasets
//!          └─► retention sweep, deadline reminders, export expiry    └─► chunk result ─► job done ─► certificate
//! ```
//!
//! * [`Engine::ingest`] stores a customer's items, keeps its head record
//!   (activity, identifier hashes) and the indexes, and refuses or strips
//!   data about an erased subject (suppression).
//! * Redaction works on a chunk of customers at once: the field map
//!   classifies every item of a kind in one call, the scrubber scans each
//!   customer's free text knowing that customer's own values, the tenant's
//!   policy decides, and every changed item is written under a condition on
//!   the version it was read at.
//! * Every step can run twice. A chunk's result is written once (condition
//!   `Absent`); an item redacted by a job carries the job's id, so a chunk
//!   redelivered after a crash skips what is done and counts it once; job
//!   and request transitions are conditional writes.
//!
//! Nothing here logs or returns personal data: customers are named by
//! [`SubjectRef`](crate::lookup::SubjectRef), input rows by position.

mod access;
pub mod api_keys;
pub mod customer_read;
mod customers;
mod datasets;
mod downloads;
mod error;
mod ingest;
mod jobs;
mod link_token;
pub mod model;
mod nightly;
pub mod plugin_registry;
mod records;
mod redaction;
mod requests;
mod tenants;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use self::api_keys::{ApiKeyRecord, IssuedKey, Principal, Role};
pub use self::customer_read::{CustomerItem, CustomerView, ReadView};
pub use self::downloads::DIRECT_LINK_TTL;
pub use self::error::EngineError;
pub use self::ingest::{IngestItem, IngestOutcome};
pub use self::jobs::ChunkMessage;
pub use self::nightly::{NightKind, NightReport};
pub use self::plugin_registry::{PluginEntry, PluginListing, PluginVersion};
pub use self::requests::{NewRequest, REQUEST_DEADLINE_DAYS, VerificationLink};
pub use self::worker::WorkReport;
use crate::ports::{
    BlobStore, Clock, Condition, ItemStore, JobQueue, Notifier, PluginRuntime, Record, RecordKey,
};

/// Everything the engine talks to.
#[derive(Clone)]
pub struct Ports {
    /// Customer items and their indexes.
    pub data: Arc<dyn ItemStore>,
    /// Tenants, requests, jobs, audit, suppression.
    pub control: Arc<dyn ItemStore>,
    /// Exports, uploads, datasets.
    pub blobs: Arc<dyn BlobStore>,
    /// Job chunks.
    pub queue: Arc<dyn JobQueue>,
    /// Outgoing e-mail.
    pub notifier: Arc<dyn Notifier>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Tenants' plugins.
    pub plugins: Arc<dyn PluginRuntime>,
}

/// Tunables, with defaults that suit both the embedded store and AWS.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Customers per queue message.
    pub chunk_size: usize,
    /// Base URL of the public verification endpoint (`{base}/v1/verify/...`).
    pub public_base_url: String,
    /// How long a verification link works.
    pub verify_link_ttl: jiff::SignedDuration,
    /// How long an access export is kept.
    pub export_ttl: jiff::SignedDuration,
    /// How long the export download link e-mailed to the subject works
    /// (never past the export's own expiry).
    pub download_link_ttl: jiff::SignedDuration,
    /// Days before a request's deadline when operators are reminded.
    pub reminder_days: Vec<u32>,
    /// How long a received chunk stays invisible to other workers.
    pub visibility: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            chunk_size: 500,
            public_base_url: "http://127.0.0.1:8080".into(),
            verify_link_ttl: jiff::SignedDuration::from_hours(72),
            export_ttl: jiff::SignedDuration::from_hours(30 * 24),
            download_link_ttl: jiff::SignedDuration::from_hours(24),
            reminder_days: vec![7, 1],
            visibility: Duration::from_secs(300),
        }
    }
}

/// The privacy engine. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Engine {
    ports: Ports,
    config: Arc<EngineConfig>,
}

impl Engine {
    /// An engine over these ports.
    pub fn new(ports: Ports, config: EngineConfig) -> Self {
        Engine {
            ports,
            config: Arc::new(config),
        }
    }

    /// The ports (for adapters that serve links, and for tests).
    pub fn ports(&self) -> &Ports {
        &self.ports
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    fn now(&self) -> Timestamp {
        self.ports.clock.now()
    }
}

/// A typed record: reads and writes a serde value as a record's body.
pub(crate) async fn get_typed<T: DeserializeOwned>(
    store: &dyn ItemStore,
    key: &RecordKey,
) -> Result<Option<(T, u64)>, EngineError> {
    match store.get(key).await? {
        None => Ok(None),
        Some(record) => Ok(Some((decode(&record)?, record.version))),
    }
}

/// Decodes a record body.
pub(crate) fn decode<T: DeserializeOwned>(record: &Record) -> Result<T, EngineError> {
    T::deserialize(&record.body).map_err(|e| EngineError::Corrupt {
        what: std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or("record"),
        reason: e.to_string(),
    })
}

/// Encodes a value as a record body.
pub(crate) fn encode<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("engine records serialize")
}

/// Writes a typed record under a condition.
pub(crate) async fn put_typed<T: Serialize>(
    store: &dyn ItemStore,
    key: RecordKey,
    value: &T,
    condition: Condition,
) -> Result<u64, EngineError> {
    Ok(store
        .put(Record::new(key, encode(value)), condition)
        .await?)
}

/// A new time-ordered id with a prefix (`job_…`, `req_…`).
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}
