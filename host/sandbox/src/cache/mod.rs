//! [`PluginCache`]: compiled plugins kept in memory, on local disk and in
//! the blob store, so a plugin is compiled once per engine configuration,
//! not once per process.
//!
//! Compiling a component takes seconds; loading its precompiled artifact
//! takes milliseconds; a plugin already in memory takes nothing. A Lambda
//! cold start, a second `lethe` process, or the first batch after an
//! activation should pay the second price at most.
//!
//! # Tiers, in lookup order
//!
//! ```text
//!  load(module sha256)
//!   1. memory   LRU of compiled Plugins (bounded)             hit -> done
//!   2. record   control table: ARTIFACT#{engine} / {module}   none -> 5.
//!               = {module, engine, artifact sha256, size}, written by the host that compiled it
//!   3. disk     {dir}/{engine}/{module}.cwasm                 size + sha256 = record -> load
//!   4. blob     artifacts/{engine}/{module}.cwasm             size + sha256 = record -> load, write 3.
//!   5. compile  the component's bytes (fetched only now), full admission
//!               (Sandbox::validate, self-check included) -> write 4., 3., 2.
//! ```
//!
//! Everything outside memory is keyed by the sandbox's [`EngineHash`]
//! (wasmtime's compatibility hash, the target CPU features, the codegen
//! settings, and this crate's version): an artifact another engine
//! configuration or another host version made is never even looked up, so
//! a new host recompiles and writes its own artifacts beside the old
//! ones, which it leaves alone.
//!
//! # Trust
//!
//! Loading an artifact runs its bytes as native code, so an artifact is
//! loaded only when its size and SHA-256 match the **record** the compiling
//! host wrote in its own state (the control table — DynamoDB on AWS),
//! never a checksum stored beside it: whoever can write the Lambda's `/tmp`
//! or the bucket but not the table cannot make the host run their code.
//! A refused artifact (tampered, the wrong size, a record naming another
//! engine or another module, or one wasmtime itself refuses) is never
//! deserialized; it is logged by kind (`tampered`, `other-engine`, ...),
//! counted ([`CacheStats`]), and overwritten from the next tier or a fresh
//! compilation. A cache without a control table keeps its records as
//! files in the disk directory (see `store.rs` for what that protects
//! against).
//!
//! A tier that fails (a full disk, the bucket unreachable) only costs
//! time: the next tier answers, and the write is retried the next time.
//! Concurrent loads of the same plugin wait for the first, so one process
//! compiles a plugin once.
//!
//! # Building one
//!
//! ```no_run
//! # async fn f(control: std::sync::Arc<dyn lethe_core::ports::ItemStore>,
//! #            blobs: std::sync::Arc<dyn lethe_core::ports::BlobStore>,
//! #            scrubber_wasm: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! use lethe_sandbox::{PluginCache, Sandbox};
//!
//! // A Lambda: /tmp, S3 and DynamoDB. The CLI: `.disk(dir)` alone.
//! let cache = PluginCache::builder(Sandbox::new()?)
//!     .disk("/tmp/lethe-plugins") // at most DEFAULT_DISK_BUDGET bytes
//!     .shared(blobs, control)
//!     .build();
//! let scrubber = cache.load_standard("std-scrubber", scrubber_wasm).await?;
//! println!("{} {:?}", scrubber.version(), cache.stats().disk);
//! # Ok(()) }
//! ```
//!
//! [`SandboxRuntime::with_cached_registry`](crate::SandboxRuntime::with_cached_registry)
//! serves tenants' active plugins through a cache;
//! [`PluginCache::publish`] puts what an upload's validation compiled into
//! the tiers, so activation and the first batch find it warm.

mod builder;
mod disk;
mod error;
mod memory;
mod stats;
mod store;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use lethe_core::keys;
use lethe_core::ports::{BlobStore, PortError};

pub use self::builder::{DEFAULT_DISK_BUDGET, DEFAULT_MEMORY_PLUGINS, PluginCacheBuilder};
pub use self::error::CacheError;
pub use self::stats::{CacheStats, TierStats};

use self::disk::{DiskDir, Read};
use self::memory::Memory;
use self::stats::Counters;
use self::store::{Lookup, Records, Trusted};
use crate::artifact::Precompiled;
use crate::digest::{Digest, EngineHash};
use crate::engine::Sandbox;
use crate::error::ArtifactError;
use crate::plugin::Plugin;
use crate::runtime::NamedPlugin;

/// Which tier produced a plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// Already compiled in this process.
    Memory,
    /// Loaded from an artifact in the disk directory.
    Disk,
    /// Loaded from an artifact in the blob store.
    Blob,
    /// Compiled from the component's bytes (and admitted).
    Compiled,
}

/// A plugin and where it came from.
#[derive(Clone)]
pub struct Loaded {
    /// The plugin, ready to call.
    pub plugin: Plugin,
    /// The tier that produced it.
    pub tier: Tier,
}

/// Compiled plugins in memory, on disk and in the blob store; see the
/// [module documentation](self). Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct PluginCache {
    inner: Arc<Inner>,
}

struct Inner {
    sandbox: Sandbox,
    memory: Mutex<Memory>,
    disk: Option<DiskDir>,
    blobs: Option<Arc<dyn BlobStore>>,
    records: Records,
    counters: Counters,
    /// One gate per plugin being loaded, so concurrent loads compile once.
    loading: Mutex<HashMap<Digest, Arc<tokio::sync::Mutex<()>>>>,
}

impl PluginCache {
    /// The sandbox plugins are compiled and loaded by.
    pub fn sandbox(&self) -> &Sandbox {
        &self.inner.sandbox
    }

    /// Every counter so far.
    pub fn stats(&self) -> CacheStats {
        self.inner.counters.snapshot()
    }

    /// How many plugins the memory tier holds.
    pub fn in_memory(&self) -> usize {
        self.memory().len()
    }

    /// Whether the memory tier holds the plugin (without counting a lookup
    /// or marking it used).
    pub fn holds(&self, module: &Digest) -> bool {
        self.memory().contains(module)
    }

    /// The plugin if the memory tier holds it (counted as a memory hit);
    /// `None` costs nothing and counts nothing.
    pub fn get(&self, module: &Digest) -> Option<Plugin> {
        let found = self.memory().get(module);
        if found.is_some() {
            self.inner.counters.memory.hit();
        }
        found
    }

    /// The plugin of component `module` (its bytes), from the first tier
    /// that has it, compiling and admitting the bytes when none does.
    ///
    /// # Errors
    /// [`CacheError::Rejected`] when it had to be compiled and admission
    /// refused it.
    pub async fn load(&self, module: &[u8]) -> Result<Loaded, CacheError> {
        let digest = Digest::of(module);
        self.load_with(digest, || async { Ok(module.to_vec()) })
            .await
    }

    /// A standard plugin (bytes built into the binary) by name, through
    /// the cache: compiled and admitted on the first start of an engine
    /// configuration, loaded from its artifact on every later one.
    ///
    /// # Errors
    /// As [`load`](Self::load).
    pub async fn load_standard(
        &self,
        name: &str,
        module: &[u8],
    ) -> Result<NamedPlugin, CacheError> {
        let loaded = self.load(module).await?;
        Ok(NamedPlugin::new(name, loaded.plugin))
    }

    /// The plugin of the component whose SHA-256 is `module`; its bytes are
    /// fetched with `fetch` only when no tier has an artifact (a warm load
    /// never reads the component), and must hash to `module`.
    ///
    /// # Errors
    /// [`CacheError::Source`] when `fetch` fails,
    /// [`CacheError::ModuleMismatch`] when it returns other bytes,
    /// [`CacheError::Rejected`] when admission refuses them.
    pub async fn load_with<F, Fut>(&self, module: Digest, fetch: F) -> Result<Loaded, CacheError>
    where
        F: FnOnce() -> Fut + Send,
        Fut: Future<Output = Result<Vec<u8>, PortError>> + Send,
    {
        if let Some(plugin) = self.get(&module) {
            return Ok(Loaded {
                plugin,
                tier: Tier::Memory,
            });
        }
        self.inner.counters.memory.miss();
        let gate = Arc::clone(
            self.inner
                .loading
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(module)
                .or_default(),
        );
        let _turn = gate.lock().await;
        let _leave = Leave {
            cache: &self.inner,
            module,
            gate: &gate,
        };
        // Another load of the same plugin may have finished while we waited.
        if let Some(plugin) = self.memory().get(&module) {
            return Ok(Loaded {
                plugin,
                tier: Tier::Memory,
            });
        }
        let trusted = self.record(&module).await;
        if let Some(trusted) = &trusted {
            if let Some(plugin) = self.load_from_disk(trusted).await {
                return Ok(self.keep(module, plugin, Tier::Disk));
            }
            if let Some(plugin) = self.load_from_blob(trusted).await {
                return Ok(self.keep(module, plugin, Tier::Blob));
            }
        }
        let bytes = fetch().await.map_err(CacheError::Source)?;
        let actual = Digest::of(&bytes);
        if actual != module {
            return Err(CacheError::ModuleMismatch {
                expected: module.short(),
                actual: actual.short(),
            });
        }
        let sandbox = self.inner.sandbox.clone();
        let validated = tokio::task::spawn_blocking(move || sandbox.validate(&bytes))
            .await
            .map_err(|e| CacheError::Task(e.to_string()))??;
        Counters::bump(&self.inner.counters.compiles);
        self.store(validated.artifact, trusted).await;
        Ok(self.keep(module, validated.plugin, Tier::Compiled))
    }

    /// Puts a plugin just compiled and admitted elsewhere (the upload
    /// route's [`Sandbox::validate`]) into every tier, so the next load
    /// anywhere is warm. Storing it again repairs whatever tier lost it.
    ///
    /// # Errors
    /// [`CacheError::Foreign`] when `artifact` is not `plugin`'s, was made
    /// by another engine configuration, or its bytes do not match its
    /// record. A tier that cannot be written is logged and counted, not an
    /// error.
    pub async fn publish(&self, plugin: &Plugin, artifact: &Precompiled) -> Result<(), CacheError> {
        let record = &artifact.record;
        if record.engine != *self.inner.sandbox.engine_hash() {
            return Err(CacheError::Foreign(
                "it was made by another engine configuration",
            ));
        }
        if record.module != plugin.digest() {
            return Err(CacheError::Foreign("it is another component's artifact"));
        }
        if Digest::of(&artifact.bytes) != record.artifact {
            return Err(CacheError::Foreign("its bytes do not match its record"));
        }
        let existing = self.record(&record.module).await;
        self.store(artifact.clone(), existing).await;
        self.keep(record.module, plugin.clone(), Tier::Compiled);
        Ok(())
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner
            .memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn keep(&self, module: Digest, plugin: Plugin, tier: Tier) -> Loaded {
        if self.memory().insert(module, plugin.clone()) {
            Counters::bump(&self.inner.counters.evictions);
        }
        Loaded { plugin, tier }
    }

    fn engine(&self) -> EngineHash {
        *self.inner.sandbox.engine_hash()
    }

    /// The record that says which artifact of `module` to trust, if any.
    async fn record(&self, module: &Digest) -> Option<Trusted> {
        let records = &self.inner.records;
        if !records.enabled() {
            return None;
        }
        let counters = &self.inner.counters.records;
        match records.get(&self.engine(), module).await {
            Lookup::Found(trusted) => {
                counters.hit();
                Some(trusted)
            }
            Lookup::Missing | Lookup::Unavailable => {
                counters.miss();
                None
            }
            Lookup::Refused(kind) => {
                counters.refused();
                refused("record", kind, module);
                None
            }
        }
    }

    async fn load_from_disk(&self, trusted: &Trusted) -> Option<Plugin> {
        let dir = self.inner.disk.as_ref()?;
        let path = dir.artifact_path(&trusted.record.engine, &trusted.record.module);
        let sandbox = self.inner.sandbox.clone();
        let record = trusted.record;
        let size = trusted.size;
        let outcome = tokio::task::spawn_blocking(move || match disk::read(&path, size) {
            Ok(Read::Missing) => Outcome::Missing,
            Ok(Read::WrongSize) => Outcome::Refused("size-mismatch"),
            Ok(Read::Bytes(bytes)) => match sandbox.load_precompiled(&record, &bytes) {
                Ok(plugin) => {
                    disk::touch(&path);
                    Outcome::Loaded(plugin, bytes)
                }
                Err(e) => Outcome::Refused(kind(&e)),
            },
            Err(e) => {
                tracing::warn!(kind = ?e.kind(), "plugin artifact directory unreadable");
                Outcome::Missing
            }
        })
        .await
        .unwrap_or(Outcome::Missing);
        self.count(
            &self.inner.counters.disk,
            "disk",
            &trusted.record.module,
            outcome,
        )
        .map(|(plugin, _)| plugin)
    }

    async fn load_from_blob(&self, trusted: &Trusted) -> Option<Plugin> {
        let blobs = self.inner.blobs.as_ref()?;
        let module = trusted.record.module;
        let key = keys::artifact_blob(&trusted.record.engine.to_string(), &module.to_hex());
        let outcome = match store::read_blob(blobs.as_ref(), &key, trusted.size).await {
            Ok(Read::Missing) => Outcome::Missing,
            Ok(Read::WrongSize) => Outcome::Refused("size-mismatch"),
            Ok(Read::Bytes(bytes)) => {
                let sandbox = self.inner.sandbox.clone();
                let record = trusted.record;
                tokio::task::spawn_blocking(move || {
                    match sandbox.load_precompiled(&record, &bytes) {
                        Ok(plugin) => Outcome::Loaded(plugin, bytes),
                        Err(e) => Outcome::Refused(kind(&e)),
                    }
                })
                .await
                .unwrap_or(Outcome::Missing)
            }
            Err(e) => {
                tracing::warn!(error = %e, "plugin artifact store unavailable");
                Outcome::Missing
            }
        };
        let (plugin, bytes) = self.count(&self.inner.counters.blob, "blob", &module, outcome)?;
        // Fill (or repair) the disk tier from the verified bytes.
        self.write_disk(trusted, Bytes::from(bytes)).await;
        Some(plugin)
    }

    fn count(
        &self,
        counters: &stats::TierCounters,
        tier: &'static str,
        module: &Digest,
        outcome: Outcome,
    ) -> Option<(Plugin, Vec<u8>)> {
        match outcome {
            Outcome::Loaded(plugin, bytes) => {
                counters.hit();
                Some((plugin, bytes))
            }
            Outcome::Missing => {
                counters.miss();
                None
            }
            Outcome::Refused(kind) => {
                counters.refused();
                refused(tier, kind, module);
                None
            }
        }
    }

    /// Writes a fresh artifact to the blob store, the disk and the record
    /// (in that order: a record never names bytes not yet written). The
    /// record is rewritten only if it changed.
    async fn store(&self, artifact: Precompiled, existing: Option<Trusted>) {
        let trusted = Trusted {
            record: artifact.record,
            size: artifact.bytes.len() as u64,
        };
        let bytes = Bytes::from(artifact.bytes);
        if let Some(blobs) = &self.inner.blobs {
            let key = keys::artifact_blob(
                &trusted.record.engine.to_string(),
                &trusted.record.module.to_hex(),
            );
            let ok = store::write_blob(blobs.as_ref(), &key, bytes.clone()).await;
            self.inner.counters.blob.wrote(ok);
        }
        self.write_disk(&trusted, bytes).await;
        if self.inner.records.enabled() && existing != Some(trusted) {
            let ok = self.inner.records.put(&trusted).await;
            self.inner.counters.records.wrote(ok);
        }
    }

    async fn write_disk(&self, trusted: &Trusted, bytes: Bytes) {
        let Some(dir) = self.inner.disk.clone() else {
            return;
        };
        let path = dir.artifact_path(&trusted.record.engine, &trusted.record.module);
        let written = tokio::task::spawn_blocking(move || dir.write_artifact(&path, &bytes))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        if let Err(e) = &written {
            tracing::warn!(kind = ?e.kind(), "plugin artifact not written to the cache directory");
        }
        self.inner.counters.disk.wrote(written.is_ok());
    }
}

/// What one artifact tier produced.
enum Outcome {
    Missing,
    Refused(&'static str),
    Loaded(Plugin, Vec<u8>),
}

/// Lets the next load of the same plugin through when this one ends,
/// however it ends.
struct Leave<'a> {
    cache: &'a Inner,
    module: Digest,
    gate: &'a Arc<tokio::sync::Mutex<()>>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let mut loading = self
            .cache
            .loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Only our own gate: a later load may already have put a new one.
        if loading
            .get(&self.module)
            .is_some_and(|g| Arc::ptr_eq(g, self.gate))
        {
            loading.remove(&self.module);
        }
    }
}

/// Logs a refused tier by kind: no bytes, no message that could quote them.
/// Altered bytes are an incident (someone or something wrote the cache),
/// so they are logged as errors; the rest (another engine's record, a torn
/// file) as warnings.
fn refused(tier: &'static str, kind: &'static str, module: &Digest) {
    const MESSAGE: &str = "precompiled plugin artifact refused and never loaded; using the next tier and repairing this one";
    let module = module.short();
    if kind == "tampered" {
        tracing::error!(tier, kind, module, "{MESSAGE}");
    } else {
        tracing::warn!(tier, kind, module, "{MESSAGE}");
    }
}

fn kind(e: &ArtifactError) -> &'static str {
    match e {
        ArtifactError::Tampered { .. } => "tampered",
        ArtifactError::OtherEngine { .. } => "other-engine",
        ArtifactError::Unloadable(_) => "unloadable",
        ArtifactError::NotAPlugin(_) => "not-a-plugin",
    }
}
