//! Lethe on one machine: everything the engine needs, assembled over one
//! data directory.
//!
//! | port | here |
//! |------|------|
//! | item store, queue | `lethe.redb` ([`lethe_local`]) |
//! | blobs, mail | `blobs/`, `mailbox/` |
//! | plugins | the standard field map and scrubber, and tenants' active uploads (registry), in the sandbox |
//! | clock | the system clock, or one the caller gives |
//!
//! [`Node::open`] builds it; [`Node::drain`] runs in-process workers until
//! the queue is empty, which is what `lethe demo`, `lethe redact` and the
//! tests use (and `lethe serve` runs them forever).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lethe_core::engine::{Engine, EngineConfig, EngineError, Ports, WorkReport};
use lethe_core::ports::{Clock, SystemClock};
use lethe_local::{Durability, Local, LocalError, LocalOptions};
use lethe_sandbox::{NamedPlugin, Rejection, Sandbox, SandboxError, SandboxRuntime};

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
}

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
        let admit = |name: &'static str, bytes: &[u8]| {
            sandbox
                .validate(bytes)
                .map(|v| NamedPlugin::new(name, v.plugin))
                .map_err(|reason| NodeError::StandardPlugin { name, reason })
        };
        let runtime = Arc::new(
            SandboxRuntime::new(
                admit("fieldmap-generic", lethe_std_plugins::FIELDMAP_GENERIC)?,
                admit("std-scrubber", lethe_std_plugins::STD_SCRUBBER)?,
            )
            .with_registry(sandbox.clone(), local.control.clone(), local.blobs.clone()),
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
