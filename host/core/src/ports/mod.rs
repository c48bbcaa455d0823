//! Ports: the small traits through which the engine reaches the world.
//!
//! The engine ([`crate::engine`]) is written against these traits only.
//! `lethe-local` implements them over redb, a blob directory and a mailbox
//! directory; `lethe-aws` over DynamoDB, S3, SQS and SESv2. One conformance
//! suite (`lethe-conformance`) runs against every implementation, so a
//! behaviour is defined once, here, and checked everywhere.
//!
//! | port | what it is | semantics every backend must keep |
//! |------|------------|-----------------------------------|
//! | [`ItemStore`] | a DynamoDB-shaped table | records under a partition and sort key; a `version` bumped on every write and checked by [`Condition::Version`]; a sparse secondary index; paged queries in sort-key order |
//! | [`BlobStore`] | an S3-shaped object store | SHA-256 on every object; streaming reads; `If-Match` replace; expiring download links |
//! | [`JobQueue`] | an SQS-shaped queue | at-least-once delivery, a visibility timeout, dead-lettering after N receives |
//! | [`Notifier`] | outgoing e-mail | verification, reminder and completion messages |
//! | [`Clock`] | the time | the system clock in production, a settable clock in tests |
//! | [`PluginRuntime`] | the tenant's plugins | a field map and a scrubber per tenant, from the sandbox |
//!
//! Errors are [`PortError`]: a condition that failed is an answer
//! ([`PortError::ConditionFailed`]), not a fault, and the engine builds its
//! idempotency on it.

mod blobs;
mod clock;
mod error;
mod items;
mod notify;
mod plugins;
mod queue;

pub use blobs::{BlobMeta, BlobReader, BlobStore, PutCondition, read_all};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::PortError;
pub use items::{Condition, ItemStore, KeyRange, Page, Record, RecordKey, Write, query_all};
pub use notify::{Notification, NotificationKind, Notifier};
pub use plugins::{PluginRuntime, TenantPlugins};
pub use queue::{Delivery, JobQueue, QueueMessage};
