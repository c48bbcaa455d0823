//! Runs tenants' untrusted WebAssembly plugins over customer data, fast and
//! safely.
//!
//! # Brief overview
//!
//! A plugin is a WebAssembly *component* implementing one of the worlds of
//! `wit/plugin.wit` (`lethe:plugin@0.2.0`, [`CONTRACT_VERSION`]): a **field
//! map** classifies the attributes of items, a **scrubber** finds PII spans
//! in free text. This crate is the host side:
//!
//! - [`Sandbox`] — one wasmtime engine (pooling allocator when the machine
//!   allows it, epoch interruption), the linker with the plugin's only
//!   imports (a bounded, scrubbed log, and WASI linked to a context that
//!   grants nothing), and a ticker thread that drives deadlines.
//! - [`Sandbox::validate`] — admission of untrusted bytes: size, format,
//!   imports, compilation, exports, and a self-check on sample data; every
//!   [`Rejection`] is one line a tenant can act on.
//! - [`Plugin`] — an admitted plugin: [`Plugin::scan`], [`Plugin::classify`].
//!   Each batch is packed into a few buffers (see `packed.rs`: one copy
//!   into the guest per buffer, not per string) and runs in a fresh `Store`
//!   under a deadline, a memory cap and a stack limit; a misbehaving plugin
//!   fails its batch with a typed [`CallError`], never the host. Its answers are checked before use.
//! - [`Precompiled`] / [`ArtifactRecord`] — native artifacts keyed by the
//!   module's SHA-256 and the [`EngineHash`]; loaded only when their bytes
//!   match the digest the host recorded at compile time.
//! - [`PluginCache`] — compiled plugins in memory (LRU), in a local
//!   directory and in the blob store, trusted through records in the
//!   control table: a plugin is compiled once per engine configuration,
//!   then loaded in milliseconds by every process (see [`cache`]).
//! - [`SandboxRuntime`] — the engine's plugin port: each tenant's active
//!   plugins, through a [`PluginCache`].
//!
//! # Example
//!
//! ```no_run
//! use lethe_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::new()?;
//! let wasm = std::fs::read("std_scrubber.wasm")?;
//! let admitted = sandbox.validate(&wasm)?;
//! println!("{}", admitted.report);
//! let spans = admitted.plugin.scan(&["mail me: someone@example.com"], None)?;
//! assert_eq!(spans[0][0].category.as_str(), "email");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The crate's one `unsafe` block is in `artifact.rs`, behind the digest
//! check that makes it sound.
#![deny(missing_docs)]

mod admit;
mod artifact;
mod bindings;
pub mod cache;
mod call;
mod compile;
mod config;
mod convert;
mod digest;
mod engine;
mod error;
mod limiter;
mod output;
mod packed;
mod permits;
mod plugin;
mod ports;
mod runtime;
mod sanitize;
mod selfcheck;
mod state;

pub use crate::admit::Shape;
pub use crate::artifact::{ArtifactRecord, Precompiled};
pub use crate::bindings::CONTRACT_VERSION;
pub use crate::cache::{
    CacheError, CacheStats, DEFAULT_DISK_BUDGET, DEFAULT_MEMORY_PLUGINS, Loaded, PluginCache,
    PluginCacheBuilder, Tier, TierStats,
};
pub use crate::compile::{Compiled, Validated, ValidationReport};
pub use crate::config::{
    DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ITEMS, DEFAULT_BATCH_TEXTS, DEFAULT_CALL_DEADLINE,
    DEFAULT_DEADLINE_PER_MIB, DEFAULT_EPOCH_TICK, DEFAULT_MAX_COMPONENT_SIZE,
    DEFAULT_MAX_CONCURRENT_INSTANCES, DEFAULT_MAX_HOSTCALL_BYTES, DEFAULT_MAX_LOG_BYTES,
    DEFAULT_MAX_LOG_MESSAGES, DEFAULT_MAX_WASM_STACK, DEFAULT_MEMORY_LIMIT, DEFAULT_TABLE_ELEMENTS,
    SandboxConfig,
};
pub use crate::digest::{ARTIFACT_FORMAT, Digest, EngineHash};
pub use crate::engine::{Allocation, Sandbox};
pub use crate::error::{ArtifactError, CallError, Rejection, SandboxError};
pub use crate::plugin::{Plugin, Worlds};
pub use crate::runtime::{NamedPlugin, SandboxRuntime};
pub use crate::selfcheck::SelfCheck;
