//! Opening the embedded node over a data directory: the one place the
//! engine commands (`demo`, `redact`, `work`, `jobs`, `job`, `seed`) get
//! their [`Node`] and their async runtime from.

use std::path::Path;

use anyhow::Context;
use lethe_core::engine::EngineError;
use lethe_core::tenant::Tenant;
use lethe_embedded::{Node, NodeOptions};
use lethe_local::Durability;

/// A multi-threaded tokio runtime for one command.
///
/// # Errors
/// If the operating system refuses the threads.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Opens (or creates) the data directory `dir` with every commit flushed
/// to disk. Messages a crashed process had taken from the queue become
/// visible again at once.
///
/// # Errors
/// Why the directory cannot be used (locked by another `lethe`, not
/// writable, damaged), saying what to do.
pub(crate) fn open(dir: &Path) -> anyhow::Result<Node> {
    open_with(dir, Durability::Immediate)
}

/// Like [`open`], with a chosen durability (benchmarks and throw-away data).
///
/// # Errors
/// As [`open`].
pub(crate) fn open_with(dir: &Path, durability: Durability) -> anyhow::Result<Node> {
    let options = NodeOptions {
        durability,
        ..NodeOptions::default()
    };
    Node::open(dir, options).map_err(anyhow::Error::new)
}

/// Opens a data directory that must already exist (commands that only read
/// or resume: `work`, `jobs`, `job`, `redact`), so a mistyped path is not
/// silently created empty.
///
/// # Errors
/// If `dir` holds no Lethe database, or as [`open`].
pub(crate) fn open_existing(dir: &Path) -> anyhow::Result<Node> {
    if !dir.join(lethe_local::DATABASE_FILE).is_file() {
        anyhow::bail!(
            "{} is not a Lethe data directory (it has no {}); check --data-dir (or LETHE_DATA_DIR), \
             or create one with `lethe seed` or `lethe demo --data-dir`",
            dir.display(),
            lethe_local::DATABASE_FILE
        );
    }
    open(dir)
}

/// The tenant `id`, or an error saying how to create it.
///
/// # Errors
/// If the tenant does not exist in this data directory, or the store fails.
pub(crate) async fn tenant(node: &Node, dir: &Path, id: &str) -> anyhow::Result<Tenant> {
    match node.engine.tenant(id).await {
        Ok(t) => Ok(t),
        Err(EngineError::NotFound { .. }) => anyhow::bail!(
            "there is no tenant {id:?} in {}; check --tenant, or create it with \
             `lethe seed --data-dir {} --tenant {id} --customers N`",
            dir.display(),
            dir.display()
        ),
        Err(e) => Err(e).context("cannot read the tenant"),
    }
}
