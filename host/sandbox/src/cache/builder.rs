//! [`PluginCacheBuilder`]: which tiers a [`PluginCache`] has, and their
//! sizes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lethe_core::ports::{BlobStore, ItemStore};

use super::disk::DiskDir;
use super::memory::Memory;
use super::stats::Counters;
use super::store::Records;
use super::{Inner, PluginCache};
use crate::engine::Sandbox;

/// How many compiled plugins the memory tier keeps, by default.
pub const DEFAULT_MEMORY_PLUGINS: usize = 64;

/// Most bytes of artifacts the disk tier keeps unless
/// [`disk_budget`](PluginCacheBuilder::disk_budget) says otherwise: a few
/// dozen compiled plugins, and half of a Lambda's default 512 MiB `/tmp`.
pub const DEFAULT_DISK_BUDGET: u64 = 256 << 20;

/// Sets up a [`PluginCache`]; start with [`PluginCache::builder`].
#[must_use]
pub struct PluginCacheBuilder {
    sandbox: Sandbox,
    memory: usize,
    disk: Option<PathBuf>,
    disk_budget: Option<u64>,
    shared: Option<(Arc<dyn BlobStore>, Arc<dyn ItemStore>)>,
}

impl PluginCacheBuilder {
    /// Most compiled plugins kept in memory (least recently used dropped
    /// first). Defaults to [`DEFAULT_MEMORY_PLUGINS`]; 0 keeps none.
    pub fn memory(mut self, plugins: usize) -> Self {
        self.memory = plugins;
        self
    }

    /// Keeps artifacts as files under `dir` (created when first written).
    /// Without it there is no disk tier.
    pub fn disk(mut self, dir: impl Into<PathBuf>) -> Self {
        self.disk = Some(dir.into());
        self
    }

    /// Most bytes of artifacts kept in the disk directory for this engine
    /// ([`DEFAULT_DISK_BUDGET`] unless set); the least recently used are
    /// deleted after a write to stay under it.
    pub fn disk_budget(mut self, bytes: u64) -> Self {
        self.disk_budget = Some(bytes);
        self
    }

    /// Shares artifacts through `blobs` (under
    /// [`keys::artifact_blob`](lethe_core::keys::artifact_blob)) and keeps
    /// the records that say which artifacts to trust in `control` (under
    /// [`keys::artifact_record`](lethe_core::keys::artifact_record)):
    /// every process with the same engine configuration then compiles a
    /// plugin at most once between them.
    pub fn shared(mut self, blobs: Arc<dyn BlobStore>, control: Arc<dyn ItemStore>) -> Self {
        self.shared = Some((blobs, control));
        self
    }

    /// The cache. Nothing is read or written yet.
    pub fn build(self) -> PluginCache {
        let disk = self.disk.map(|root| DiskDir::new(root, self.disk_budget));
        let (blobs, records) = match (self.shared, &disk) {
            (Some((blobs, control)), _) => (Some(blobs), Records::Control(control)),
            (None, Some(dir)) => (None, Records::Files(dir.clone())),
            (None, None) => (None, Records::None),
        };
        PluginCache {
            inner: Arc::new(Inner {
                sandbox: self.sandbox,
                memory: Mutex::new(Memory::new(self.memory)),
                disk,
                blobs,
                records,
                counters: Counters::default(),
                loading: Mutex::new(HashMap::new()),
            }),
        }
    }
}

impl PluginCache {
    /// A builder for a cache over `sandbox`: memory only until
    /// [`disk`](PluginCacheBuilder::disk) and
    /// [`shared`](PluginCacheBuilder::shared) add tiers.
    pub fn builder(sandbox: Sandbox) -> PluginCacheBuilder {
        PluginCacheBuilder {
            sandbox,
            memory: DEFAULT_MEMORY_PLUGINS,
            disk: None,
            disk_budget: Some(DEFAULT_DISK_BUDGET),
            shared: None,
        }
    }
}
