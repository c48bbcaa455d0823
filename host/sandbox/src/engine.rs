//! The [`Sandbox`]: one wasmtime engine, its linker, and the epoch ticker.
//!
//! Built once per process and shared (it is cheap to clone). Compiling and
//! validating plugins, loading precompiled artifacts, and every call go
//! through it.

use std::sync::Arc;
use std::thread;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig,
    ProfilingStrategy, WasmBacktraceDetails,
};

use crate::bindings::log;
use crate::config::SandboxConfig;
use crate::digest::EngineHash;
use crate::error::SandboxError;
use crate::permits::Permits;
use crate::state::HostState;

/// How instance memory is allocated, as probed at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allocation {
    /// Pre-reserved slots: instantiation in microseconds.
    Pooling,
    /// Memory mapped per instance: slower, but needs no large reservation.
    OnDemand,
}

/// Runs untrusted `lethe:plugin` components. Clone it freely; clones share
/// the engine, the linker and the ticker.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<SandboxInner>,
}

pub(crate) struct SandboxInner {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<HostState>,
    pub(crate) config: SandboxConfig,
    pub(crate) engine_hash: EngineHash,
    pub(crate) permits: Permits,
    allocation: Allocation,
}

impl Sandbox {
    /// Builds a sandbox with the default limits.
    ///
    /// # Errors
    /// When wasmtime cannot create an engine on this machine at all.
    pub fn new() -> Result<Self, SandboxError> {
        Self::with_config(SandboxConfig::default())
    }

    /// Builds a sandbox with the given limits, probing for the pooling
    /// allocator and falling back to on-demand allocation if the machine
    /// refuses its address-space reservation.
    ///
    /// # Errors
    /// When wasmtime cannot create an engine on this machine at all.
    pub fn with_config(config: SandboxConfig) -> Result<Self, SandboxError> {
        let (engine, allocation) = build_engine(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(SandboxError::engine)?;
        log::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(SandboxError::engine)?;
        let engine_hash = EngineHash::of(&engine);
        spawn_epoch_ticker(&engine, config.epoch_tick);
        let permits = Permits::new(config.max_concurrent_instances as usize);
        Ok(Self {
            inner: Arc::new(SandboxInner {
                engine,
                linker,
                config,
                engine_hash,
                permits,
                allocation,
            }),
        })
    }

    /// The limits this sandbox enforces.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// How instance memory is allocated on this machine.
    pub fn allocation(&self) -> Allocation {
        self.inner.allocation
    }

    /// The engine's compatibility hash: precompiled artifacts made under a
    /// different hash are recompiled, never loaded.
    pub fn engine_hash(&self) -> &EngineHash {
        &self.inner.engine_hash
    }
}

fn base_config(config: &SandboxConfig) -> Config {
    let mut c = Config::new();
    c.epoch_interruption(true)
        .max_wasm_stack(config.max_wasm_stack)
        .cranelift_opt_level(OptLevel::Speed)
        .wasm_backtrace_details(WasmBacktraceDetails::Disable)
        .wasm_component_model(true);
    if let Some(bytes) = config.memory_reservation {
        c.memory_reservation(bytes);
    }
    if config.perf_map {
        c.profiler(ProfilingStrategy::PerfMap);
    }
    c
}

fn build_engine(config: &SandboxConfig) -> Result<(Engine, Allocation), SandboxError> {
    if config.pooling {
        let mut c = base_config(config);
        c.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling(config)));
        match Engine::new(&c) {
            Ok(engine) => return Ok((engine, Allocation::Pooling)),
            Err(e) => tracing::warn!(
                error = %e,
                "pooling allocator unavailable on this machine; using on-demand allocation"
            ),
        }
    }
    let engine = Engine::new(&base_config(config)).map_err(SandboxError::engine)?;
    Ok((engine, Allocation::OnDemand))
}

fn pooling(config: &SandboxConfig) -> PoolingAllocationConfig {
    let n = config.max_concurrent_instances;
    let mut p = PoolingAllocationConfig::new();
    p.total_component_instances(n)
        .total_core_instances(n.saturating_mul(16))
        .total_memories(n.saturating_mul(2))
        .total_tables(n.saturating_mul(16))
        .max_memories_per_component(2)
        .max_memory_size(config.memory_limit)
        .table_elements(config.table_elements)
        // What a released slot keeps mapped, reset in place, instead of
        // returning it with madvise (a TLB shootdown on every core) and
        // faulting it in again, page by page, for the next batch. Linear
        // memory: 4 MiB (1 MiB batches scan ~25% faster than with 256 KiB:
        // 245 -> 306 MB/s). Tables: 64 KiB each (8,192 entries); only a
        // table's own size is reset, so a small table costs a page. With
        // PAGEMAP_SCAN (Linux 6.7 and later; probed, else skipped) only the
        // pages the instance wrote are reset, not every resident one.
        // Measured (lethe-bench, std-scrubber): instantiate 20.7 µs with
        // neither, 13.5 with the tables kept, 14.7 with PAGEMAP_SCAN, 7.3
        // with both.
        .linear_memory_keep_resident(4 << 20)
        .table_keep_resident(64 << 10)
        .pagemap_scan(wasmtime::Enabled::Auto)
        .max_unused_warm_slots(n);
    p
}

/// Advances the engine's epoch every `tick` until the engine is dropped.
fn spawn_epoch_ticker(engine: &Engine, tick: std::time::Duration) {
    let weak = engine.weak();
    let spawned = thread::Builder::new()
        .name("lethe-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                thread::sleep(tick);
            }
        });
    if let Err(e) = spawned {
        // Without a ticker no deadline would fire: better to fail loudly now.
        panic!("cannot start the epoch ticker thread: {e}");
    }
}
