//! Precompiled artifacts: compile once, load in milliseconds later.
//!
//! `Engine::precompile_component` turns a component into native code.
//! Loading such bytes back (`Component::deserialize`) is `unsafe`: wasmtime
//! trusts them as code. So an artifact is loaded only when
//! - the host recorded, when it compiled it, the SHA-256 of exactly these
//!   bytes ([`ArtifactRecord`], kept where the host keeps its own state, not
//!   next to the artifact), and the bytes still hash to it; and
//! - it was made by an engine with this engine's compatibility hash.
//!
//! Anything else is refused before wasmtime sees a byte: a tampered artifact
//! is an error, an artifact from another engine configuration means
//! "recompile from the module" (see [`Sandbox::load_or_compile`]).

use wasmtime::component::Component;

use crate::call::one_line;
use crate::digest::{Digest, EngineHash};
use crate::engine::Sandbox;
use crate::error::{ArtifactError, Rejection};
use crate::plugin::Plugin;

/// What the host records when it compiles a plugin, to trust the artifact
/// later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArtifactRecord {
    /// SHA-256 of the component (the `.wasm` the tenant uploaded).
    pub module: Digest,
    /// Compatibility hash of the engine that compiled it.
    pub engine: EngineHash,
    /// SHA-256 of the artifact's bytes.
    pub artifact: Digest,
}

/// A compiled artifact and its record.
#[derive(Clone)]
pub struct Precompiled {
    /// What to store in the host's trusted state.
    pub record: ArtifactRecord,
    /// What to store in the artifact cache (disk, blob store).
    pub bytes: Vec<u8>,
}

impl Sandbox {
    /// Loads a plugin from a precompiled artifact, after checking it against
    /// the record the host made when compiling it.
    ///
    /// # Errors
    /// [`ArtifactError::OtherEngine`] when another engine configuration made
    /// it (recompile); [`ArtifactError::Tampered`] when its bytes changed
    /// (never loaded); the others when wasmtime refuses it.
    pub fn load_precompiled(
        &self,
        record: &ArtifactRecord,
        bytes: &[u8],
    ) -> Result<Plugin, ArtifactError> {
        if record.engine != *self.engine_hash() {
            return Err(ArtifactError::OtherEngine {
                artifact_engine: record.engine.0.short(),
                host_engine: self.engine_hash().0.short(),
            });
        }
        let component = deserialize_verified(self, bytes, &record.artifact)?;
        Plugin::prepare(self, record.module, &component).map_err(ArtifactError::NotAPlugin)
    }

    /// Loads from `cached` when it is sound and made by this engine;
    /// otherwise compiles `module` afresh and returns the new artifact to
    /// cache in its place.
    ///
    /// # Errors
    /// A [`Rejection`] when the module itself cannot be compiled.
    pub fn load_or_compile(
        &self,
        module: &[u8],
        cached: Option<(&ArtifactRecord, &[u8])>,
    ) -> Result<(Plugin, Option<Precompiled>), Rejection> {
        if let Some((record, bytes)) = cached {
            match self.load_precompiled(record, bytes) {
                Ok(plugin) if record.module == Digest::of(module) => return Ok((plugin, None)),
                Ok(_) => tracing::warn!("cached artifact is for another module; recompiling"),
                Err(e) => tracing::warn!(error = %e, "cached artifact not used; recompiling"),
            }
        }
        let compiled = self.compile(module)?;
        Ok((compiled.plugin, Some(compiled.artifact)))
    }

    /// Precompiles `module` (already inspected) into an artifact and loads it.
    pub(crate) fn precompile_and_load(
        &self,
        module: &[u8],
    ) -> Result<(Plugin, Precompiled), Rejection> {
        let invalid = |reason: String| Rejection::Invalid { reason };
        let bytes = self
            .inner
            .engine
            .precompile_component(module)
            .map_err(|e| invalid(one_line(&format!("{e:#}"))))?;
        let record = ArtifactRecord {
            module: Digest::of(module),
            engine: *self.engine_hash(),
            artifact: Digest::of(&bytes),
        };
        let component = deserialize_verified(self, &bytes, &record.artifact)
            .map_err(|e| invalid(e.to_string()))?;
        let plugin = Plugin::prepare(self, record.module, &component)?;
        Ok((plugin, Precompiled { record, bytes }))
    }
}

/// The only way bytes become a `Component` without compilation.
fn deserialize_verified(
    sandbox: &Sandbox,
    bytes: &[u8],
    expected: &Digest,
) -> Result<Component, ArtifactError> {
    let actual = Digest::of(bytes);
    if actual != *expected {
        return Err(ArtifactError::Tampered {
            expected: expected.short(),
            actual: actual.short(),
        });
    }
    // SAFETY: `Component::deserialize` requires bytes produced by
    // `precompile_component` of a compatible engine and not altered since.
    // They hash to the digest this host recorded when it produced them with
    // `precompile_component` (checked just above; the record lives in the
    // host's own state, not beside the artifact), and wasmtime itself checks
    // the engine version and settings embedded in the artifact.
    #[allow(unsafe_code)]
    let component = unsafe { Component::deserialize(&sandbox.inner.engine, bytes) };
    component.map_err(|e| ArtifactError::Unloadable(one_line(&format!("{e:#}"))))
}
