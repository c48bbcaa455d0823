//! Lethe on one machine: everything the engine needs, assembled over one
//! data directory.
//!
//! | port | here |
//! |------|------|
//! | item store, queue | `lethe.redb` ([`lethe_local`]) |
//! | blobs, mail | `blobs/`, `mailbox/` |
//! | plugins | the standard field map and scrubber, and tenants' active uploads (registry), in the sandbox |
//! | compiled plugins | [`PluginCache`]: memory, `plugin-cache/` (artifacts), the blob store and the control table (records) |
//! | clock | the system clock, or one the caller gives |
//!
//! [`Node::open`] builds it; [`Node::drain`] runs in-process workers until
//! the queue is empty, which is what `lethe demo`, `lethe redact` and the
//! tests use (and `lethe serve` runs them forever).
//!
//! Plugins go through one [`PluginCache`] (`{dir}/plugin-cache`, plus the
//! blob store and control table): the first open of a data directory
//! compiles the standard plugins, every later open loads their artifacts
//! in milliseconds, and tenants' uploads are loaded the same way.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lethe_core::engine::{Engine, EngineConfig, EngineError, Ports, WorkReport};
use lethe_core::ports::{Clock, SystemClock};
use lethe_local::{Durability, Local, LocalError, LocalOptions};
use lethe_sandbox::{CacheError, PluginCache, Rejection, Sandbox, SandboxError, SandboxRuntime};

/// How to open a [`Node`].
#[derive(Clone)]
pub struct NodeOptions {
    /// The clock (the system clock by default).
    pub clock: Arc<dyn Clock>,
    /// How commits reach the disk.
    pub durability: Durability,
    /// The engine's tunables (its `public_base_url` is also where download
    /// links point).
    pub engine: EngineConfig,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            clock: Arc::new(SystemClock),
            durability: Durability::Immediate,
            engine: EngineConfig::default(),
        }
    }
}

/// Why a node could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The data directory could not be opened.
    #[error(transparent)]
    Local(#[from] LocalError),
    /// The sandbox could not start.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// A standard plugin was refused (a build problem, not user input).
    #[error("standard plugin {name} refused: {reason}")]
    StandardPlugin {
        /// Which plugin.
        name: &'static str,
        /// Why.
        reason: Rejection,
    },
    /// A standard plugin could not be loaded for another reason.
    #[error("standard plugin {name} could not be loaded: {reason}")]
    PluginCache {
        /// Which plugin.
        name: &'static str,
        /// Why.
        reason: CacheError,
    },
}

/// The folder under the data directory that holds precompiled plugins.
pub const PLUGIN_CACHE_DIR: &str = "plugin-cache";

/// Lethe over one data directory.
pub struct Node {
    /// The adapters.
    pub local: Local,
    /// The engine.
    pub engine: Engine,
    /// The plugin runtime (tenants' active plugins).
    pub runtime: Arc<SandboxRuntime>,
    /// The sandbox the plugins run in (the API validates uploads with it).
    pub sandbox: Sandbox,
    /// The compiled plugins (standard and tenants'), with their counters.
    pub cache: PluginCache,
}

impl Node {
    /// Opens (or creates) the data directory and loads the standard plugins.
    /// Messages a previous process had taken from the queue are made
    /// visible again at once: nothing else can be working on them.
    ///
    /// # Errors
    /// A [`NodeError`] saying what to fix.
    pub fn open(dir: &Path, options: NodeOptions) -> Result<Node, NodeError> {
        let local = Local::open(
            dir,
            Arc::clone(&options.clock),
            LocalOptions {
                link_base: options.engine.public_base_url.clone(),
                durability: options.durability,
                ..LocalOptions::default()
            },
        )?;
        local
            .queue
            .recover_in_flight()
            .map_err(|e| LocalError::Database {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            })?;
        let sandbox = Sandbox::new()?;
        let cache = PluginCache::builder(sandbox.clone())
            .disk(dir.join(PLUGIN_CACHE_DIR))
            .shared(local.blobs.clone(), local.control.clone())
            .build();
        let load = |name: &'static str, bytes: &'static [u8]| {
            let cache = cache.clone();
            async move {
                cache
                    .load_standard(name, bytes)
                    .await
                    .map_err(|reason| match reason {
                        CacheError::Rejected(reason) => NodeError::StandardPlugin { name, reason },
                        reason => NodeError::PluginCache { name, reason },
                    })
            }
        };
        let (field_map, scrubber) = block_on(async {
            Ok::<_, NodeError>((
                load("fieldmap-generic", lethe_std_plugins::FIELDMAP_GENERIC).await?,
                load("std-scrubber", lethe_std_plugins::STD_SCRUBBER).await?,
            ))
        })?;
        let runtime = Arc::new(
            SandboxRuntime::new(field_map, scrubber).with_cached_registry(
                cache.clone(),
                local.control.clone(),
                local.blobs.clone(),
            ),
        );
        let ports = Ports {
            data: local.data.clone(),
            control: local.control.clone(),
            blobs: local.blobs.clone(),
            queue: local.queue.clone(),
            notifier: local.mailbox.clone(),
            clock: options.clock,
            plugins: runtime.clone(),
        };
        Ok(Node {
            engine: Engine::new(ports, options.engine),
            local,
            runtime,
            sandbox,
            cache,
        })
    }

    /// Runs `workers` in-process workers until the queue holds nothing
    /// (dead letters aside); `progress` is called after every message.
    ///
    /// # Errors
    /// A failure of the queue itself.
    pub async fn drain(
        &self,
        workers: usize,
        progress: impl Fn(&WorkReport) + Send + Sync + 'static,
    ) -> Result<WorkReport, EngineError> {
        let progress = Arc::new(progress);
        let mut tasks = Vec::new();
        for _ in 0..workers.max(1) {
            let engine = self.engine.clone();
            let queue = self.local.queue.clone();
            let progress = Arc::clone(&progress);
            tasks.push(tokio::spawn(async move {
                let mut total = WorkReport::default();
                loop {
                    let report = engine.work_once(1, Duration::from_millis(200)).await?;
                    total.received += report.received;
                    total.done += report.done;
                    total.retried += report.retried;
                    if report.received > 0 {
                        progress(&total);
                        continue;
                    }
                    if queue.stats()?.pending == 0 {
                        return Ok::<_, EngineError>(total);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }));
        }
        let mut total = WorkReport::default();
        for task in tasks {
            let report = task
                .await
                .map_err(|e| EngineError::Invalid(format!("a worker stopped: {e}")))??;
            total.received += report.received;
            total.done += report.done;
            total.retried += report.retried;
        }
        Ok(total)
    }
}

/// Runs `future` to completion from synchronous code, whether or not the
/// caller is itself inside a tokio runtime: on a thread of its own, with a
/// runtime of its own (the local adapters need one for their file I/O).
fn block_on<T: Send>(
    future: impl Future<Output = Result<T, NodeError>> + Send,
) -> Result<T, NodeError> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| NodeError::PluginCache {
                        name: "standard plugins",
                        reason: CacheError::Task(e.to_string()),
                    })?
                    .block_on(future)
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data directory under the system's temporary directory, removed
    /// when dropped.
    struct TempDir(std::path::PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_second_open_loads_the_standard_plugins_instead_of_compiling() {
        let dir = TempDir(std::env::temp_dir().join(format!(
            "lethe-embedded-cache-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        )));
        let first = Node::open(&dir.0, NodeOptions::default()).unwrap();
        let cold = first.cache.stats();
        assert_eq!((cold.compiles, cold.disk.writes), (2, 2));
        drop(first);
        let second = Node::open(&dir.0, NodeOptions::default()).unwrap();
        let warm = second.cache.stats();
        assert_eq!((warm.compiles, warm.disk.hits), (0, 2), "{warm:?}");
        assert_eq!(
            second.runtime.cached(),
            0,
            "standard plugins are not counted"
        );
    }
}
