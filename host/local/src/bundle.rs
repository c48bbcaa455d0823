//! [`Local`]: every embedded adapter over one data directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lethe_core::ports::Clock;

use crate::blobs::BlobDir;
use crate::error::LocalError;
use crate::items::LocalTable;
use crate::mailbox::Mailbox;
use crate::queue::LocalQueue;
use crate::store::{Durability, LocalStore};

/// Name, in the database's meta table, of the download-link key.
const LINK_KEY: &str = "blob-link-key";

/// How [`Local::open`] sets the adapters up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalOptions {
    /// Receives a queue message gets before it is dead-lettered (default 5).
    pub max_receives: u32,
    /// Where download links point: the local server's address (default
    /// `http://127.0.0.1:8080`).
    pub link_base: String,
    /// How commits reach the disk (default [`Durability::Immediate`]).
    pub durability: Durability,
    /// The mailbox's `From:` (default [`crate::DEFAULT_SENDER`]).
    pub sender: String,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            max_receives: 5,
            link_base: "http://127.0.0.1:8080".to_owned(),
            durability: Durability::Immediate,
            sender: crate::mailbox::DEFAULT_SENDER.to_owned(),
        }
    }
}

/// The embedded backend: the ports the engine needs, over one data
/// directory.
///
/// | field | port | on disk |
/// |-------|------|---------|
/// | `data`, `control` | `ItemStore` | tables in `lethe.redb` |
/// | `queue` | `JobQueue` | tables in `lethe.redb` |
/// | `blobs` | `BlobStore` | `blobs/` |
/// | `mailbox` | `Notifier` | `mailbox/*.eml` |
#[derive(Clone, Debug)]
pub struct Local {
    /// The data directory.
    pub dir: PathBuf,
    /// The database holding the tables and the queue.
    pub store: LocalStore,
    /// The data table: customers' items, lookups and the indexes over them.
    pub data: Arc<LocalTable>,
    /// The control table: tenants, requests, jobs, audit events.
    pub control: Arc<LocalTable>,
    /// The job queue.
    pub queue: Arc<LocalQueue>,
    /// The blob store, under `dir/blobs`.
    pub blobs: Arc<BlobDir>,
    /// The outgoing mail, under `dir/mailbox`.
    pub mailbox: Arc<Mailbox>,
}

impl Local {
    /// Opens (or creates) the data directory `dir`, timing the queue and
    /// dating mail with `clock`. The download-link key is generated on the
    /// first open and kept in the database, so links survive restarts.
    ///
    /// # Errors
    /// [`LocalError::Locked`] if another process has `dir` open, or why
    /// `dir` cannot be used.
    pub fn open(
        dir: &Path,
        clock: Arc<dyn Clock>,
        options: LocalOptions,
    ) -> Result<Local, LocalError> {
        let store = LocalStore::open(dir, options.durability)?;
        let db_path = dir.join(crate::store::DATABASE_FILE);
        let link_key = store.secret(LINK_KEY).map_err(|e| LocalError::Database {
            path: db_path,
            reason: e.to_string(),
        })?;
        let blobs = BlobDir::new(&dir.join("blobs"), options.link_base, link_key)?;
        let mailbox = Mailbox::new(&dir.join("mailbox"))?
            .with_sender(options.sender)
            .with_clock(Arc::clone(&clock));
        Ok(Local {
            dir: dir.to_path_buf(),
            data: Arc::new(store.table("data")),
            control: Arc::new(store.table("control")),
            queue: Arc::new(LocalQueue::new(&store, "jobs", clock, options.max_receives)),
            blobs: Arc::new(blobs),
            mailbox: Arc::new(mailbox),
            store,
        })
    }
}
