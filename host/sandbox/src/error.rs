//! What can go wrong: building the sandbox, admitting a plugin, loading an
//! artifact, and calling a plugin.
//!
//! Messages are one line, say what was wrong and what to do, and never carry
//! record values: a plugin's own error text is scrubbed before it is kept.

use std::time::Duration;

use thiserror::Error;

/// The sandbox itself could not be built.
#[derive(Debug, Error)]
#[error("cannot start the WebAssembly engine: {0}")]
pub struct SandboxError(String);

impl SandboxError {
    pub(crate) fn engine(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

/// Why an uploaded plugin was refused. Each message is one line a tenant can
/// act on.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Rejection {
    /// Over the size cap.
    #[error(
        "the plugin is {size} bytes, over the {limit}-byte limit; strip debug info (`strip = true`) and build in release"
    )]
    TooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// Not WebAssembly at all.
    #[error(
        "the file is not WebAssembly (no `\\0asm` header); upload the .wasm your build produced"
    )]
    NotWasm,
    /// A core module, not a component.
    #[error(
        "the file is a core WebAssembly module, not a component; build with `--target wasm32-wasip2` (or wrap it with `wasm-tools component new`)"
    )]
    CoreModule,
    /// A precompiled artifact, which is never accepted from outside.
    #[error(
        "the file is a precompiled wasmtime artifact; upload the .wasm component instead, Lethe compiles it itself"
    )]
    Precompiled,
    /// Did not validate or compile.
    #[error("the component does not compile: {reason}")]
    Invalid {
        /// First line of the compiler's complaint.
        reason: String,
    },
    /// Imports something plugins may never use.
    #[error(
        "the component imports `{name}`; plugins may not use the network, files or other host services: remove the code that needs it"
    )]
    ForbiddenImport {
        /// The import's name.
        name: String,
    },
    /// Imports something Lethe does not provide.
    #[error(
        "the component imports `{name}`, which Lethe does not provide; plugins may import only lethe:plugin/log and the WASI interfaces Rust's standard library needs"
    )]
    UnknownImport {
        /// The import's name.
        name: String,
    },
    /// Exports neither plugin interface.
    #[error(
        "the component exports neither lethe:plugin/field-map nor lethe:plugin/scrubber (it exports: {exports}); implement one of the worlds in wit/plugin.wit"
    )]
    NoPluginExport {
        /// What it does export, comma-separated.
        exports: String,
    },
    /// Built against another version of the contract.
    #[error(
        "the component uses `{interface}`, but this host serves lethe:plugin@{}: rebuild it with the current lethe-plugin-sdk (or against the current wit/plugin.wit)",
        crate::CONTRACT_VERSION
    )]
    ContractVersion {
        /// The interface, with the version it was built against.
        interface: String,
    },
    /// Exports a plugin interface with the wrong shape.
    #[error(
        "the component's `{interface}` does not match lethe:plugin@{}: {reason}; rebuild it against the current wit/plugin.wit",
        crate::CONTRACT_VERSION
    )]
    IncompatibleExport {
        /// The interface.
        interface: String,
        /// What did not match.
        reason: String,
    },
    /// Failed the self-check on sample data.
    #[error("the plugin failed its self-check on {sample}: {error}")]
    SelfCheck {
        /// Which sample.
        sample: String,
        /// What went wrong.
        error: CallError,
    },
}

/// Why a precompiled artifact was not loaded.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ArtifactError {
    /// Its bytes do not hash to what the host recorded when it compiled it.
    #[error(
        "precompiled artifact {expected} was altered (its bytes hash to {actual}); refusing to load it, recompile from the module"
    )]
    Tampered {
        /// Short digest recorded at compile time.
        expected: String,
        /// Short digest of the bytes offered.
        actual: String,
    },
    /// Made by an engine with other settings or another wasmtime version.
    #[error(
        "precompiled artifact was made by another engine configuration ({artifact_engine}, this host is {host_engine}); recompile from the module"
    )]
    OtherEngine {
        /// Short hash of the engine that made it.
        artifact_engine: String,
        /// Short hash of this engine.
        host_engine: String,
    },
    /// Passed the digest check but wasmtime still refused it.
    #[error("precompiled artifact could not be loaded: {0}; recompile from the module")]
    Unloadable(String),
    /// Loaded, but it no longer exports a plugin interface.
    #[error("precompiled artifact is not a plugin: {0}")]
    NotAPlugin(Rejection),
}

/// Why one call into a plugin failed. The batch failed; the host did not.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallError {
    /// Ran past its time budget.
    #[error("the plugin ran past its time budget of {} ms for one batch", budget.as_millis())]
    Timeout {
        /// The budget.
        budget: Duration,
    },
    /// Tried to grow its memory past the cap.
    #[error("the plugin tried to use more than {} MiB of memory", limit >> 20)]
    MemoryExhausted {
        /// The cap in bytes.
        limit: usize,
    },
    /// Recursed past the wasm stack limit.
    #[error("the plugin overflowed its stack (unbounded recursion?)")]
    StackOverflow,
    /// Trapped: a panic, an abort, or another runtime fault.
    #[error(
        "the plugin crashed ({trap}); if it panicked, run it on the same input with `lethe plugin test`"
    )]
    Trapped {
        /// The trap, as wasmtime names it.
        trap: String,
    },
    /// Tried to hand the host more data than the output cap.
    #[error("the plugin's answer is larger than the {} MiB a call may return", limit >> 20)]
    OutputTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// Returned its own error.
    #[error("the plugin refused the batch: {message}")]
    Refused {
        /// The plugin's message, truncated and scrubbed of PII.
        message: String,
    },
    /// Returned something that breaks the contract.
    #[error("the plugin's answer breaks the contract: {detail}")]
    MalformedOutput {
        /// What was wrong (positions and counts, never values).
        detail: String,
    },
    /// The plugin does not implement what was asked (a scan on a field map).
    #[error("the plugin is not a {wanted}")]
    WrongKind {
        /// `scrubber` or `field map`.
        wanted: &'static str,
    },
    /// One item or text is too large for the contract's `u32` offsets.
    #[error(
        "one item or text needs {bytes} bytes in a batch, more than the 4 GiB a plugin call can address; split it before redacting"
    )]
    BatchTooLarge {
        /// The offset that did not fit.
        bytes: usize,
    },
    /// The host failed to set up the call.
    #[error("the sandbox could not run the plugin: {0}")]
    Host(String),
}
