//! Lethe's embedded backend: the engine's ports over one data directory,
//! for development, demos, tests and small installs (`lethe serve`).
//!
//! | port (`lethe_core::ports`) | adapter | where it lives |
//! |----------------------------|---------|----------------|
//! | `ItemStore` | [`LocalTable`] | tables `items/{name}` and `index/{name}` in `lethe.redb` |
//! | `JobQueue` | [`LocalQueue`] | tables `queue/{name}/…` in `lethe.redb` |
//! | `BlobStore` | [`BlobDir`] | files under `blobs/`, sidecars in `blobs/.lethe/` |
//! | `Notifier` | [`Mailbox`] | `.eml` files under `mailbox/` |
//! | `Clock` | injected | `SystemClock`, or `ManualClock` in tests |
//!
//! [`Local::open`] opens all of them at once. One redb database file holds
//! every table and the queue; redb takes a file lock, so a second process
//! opening the same directory gets [`LocalError::Locked`]. Every write is
//! one redb transaction committed before the call returns (with the
//! default [`Durability::Immediate`]), so a killed process loses nothing it
//! had acknowledged. Condition checks and the index update run in the
//! write's transaction, so they are exact, not eventually consistent.
//!
//! The adapters keep DynamoDB's, S3's and SQS's limits (key lengths, the
//! 400 KB record, the 256 KB message), so what works here also works on
//! AWS; the `lethe-conformance` suite checks both behave alike.
//!
//! No error message contains a record key or value, or a blob key: keys can
//! hold customer ids.

#![forbid(unsafe_code)]

mod blobs;
mod bundle;
mod error;
mod items;
mod mailbox;
mod queue;
mod store;

pub use blobs::{BlobDir, LinkError};
pub use bundle::{Local, LocalOptions};
pub use error::LocalError;
pub use items::LocalTable;
pub use mailbox::{DEFAULT_SENDER, Mailbox, StoredMessage};
pub use queue::{LocalQueue, MAX_MESSAGE_BYTES, QueueStats};
pub use store::{DATABASE_FILE, Durability, LocalStore};
