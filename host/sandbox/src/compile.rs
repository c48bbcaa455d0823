//! Turning untrusted bytes into a [`Plugin`]: [`Sandbox::compile`] (admission
//! steps 1-4) and [`Sandbox::validate`] (all five, with a report).

use std::fmt;
use std::time::{Duration, Instant};

use crate::admit::{self, Shape};
use crate::artifact::Precompiled;
use crate::digest::Digest;
use crate::engine::Sandbox;
use crate::error::Rejection;
use crate::plugin::{Plugin, Worlds};
use crate::selfcheck::{self, SelfCheck};

/// A component that passed admission up to linking, with its artifact.
#[derive(Clone)]
pub struct Compiled {
    /// The plugin, ready to call.
    pub plugin: Plugin,
    /// Its imports and exports.
    pub shape: Shape,
    /// The precompiled artifact, to cache.
    pub artifact: Precompiled,
    /// Time to compile and load it.
    pub compile_time: Duration,
}

/// A component that passed every admission check.
#[derive(Clone)]
pub struct Validated {
    /// The plugin, ready to call.
    pub plugin: Plugin,
    /// The precompiled artifact, to cache.
    pub artifact: Precompiled,
    /// What was checked, for the tenant.
    pub report: ValidationReport,
}

/// A summary of an admitted plugin, shown to its author.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationReport {
    /// SHA-256 of the component.
    pub digest: Digest,
    /// Size in bytes.
    pub size: usize,
    /// The plugin worlds it implements.
    pub worlds: Worlds,
    /// Its imports and exports.
    pub shape: Shape,
    /// For a field map, the kinds it declared.
    pub kinds: Option<Vec<String>>,
    /// Time to compile and load.
    pub compile_time: Duration,
    /// Time the self-check took.
    pub self_check_time: Duration,
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kinds = Vec::new();
        if self.worlds.field_map {
            kinds.push("field map");
        }
        if self.worlds.scrubber {
            kinds.push("scrubber");
        }
        writeln!(
            f,
            "valid lethe:plugin@{} {}",
            crate::CONTRACT_VERSION,
            kinds.join(" + ")
        )?;
        writeln!(f, "  sha256      {}", self.digest)?;
        writeln!(f, "  size        {} bytes", self.size)?;
        if let Some(k) = &self.kinds {
            let k = if k.is_empty() {
                "any".to_owned()
            } else {
                k.join(", ")
            };
            writeln!(f, "  kinds       {k}")?;
        }
        writeln!(f, "  imports     {}", self.shape.imports.join(", "))?;
        writeln!(f, "  exports     {}", self.shape.exports.join(", "))?;
        writeln!(f, "  compile     {:.1} ms", ms(self.compile_time))?;
        write!(f, "  self-check  {:.1} ms", ms(self.self_check_time))
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl Sandbox {
    /// Admits `bytes` up to linking (size, format, imports, compilation,
    /// exports) and precompiles it. Does not run it: see [`Self::validate`].
    ///
    /// # Errors
    /// A one-line [`Rejection`] saying what to fix.
    pub fn compile(&self, bytes: &[u8]) -> Result<Compiled, Rejection> {
        let started = Instant::now();
        let shape = admit::inspect(bytes, self.config().max_component_size)?;
        let (plugin, artifact) = self.precompile_and_load(bytes)?;
        Ok(Compiled {
            plugin,
            shape,
            artifact,
            compile_time: started.elapsed(),
        })
    }

    /// Runs every admission check on untrusted `bytes`, including the
    /// self-check on sample data, and reports what it found.
    ///
    /// # Errors
    /// A one-line [`Rejection`] saying what to fix.
    pub fn validate(&self, bytes: &[u8]) -> Result<Validated, Rejection> {
        let compiled = self.compile(bytes)?;
        let SelfCheck { kinds, elapsed } = selfcheck::run(&compiled.plugin)?;
        let report = ValidationReport {
            digest: compiled.plugin.digest(),
            size: bytes.len(),
            worlds: compiled.plugin.worlds(),
            shape: compiled.shape,
            kinds,
            compile_time: compiled.compile_time,
            self_check_time: elapsed,
        };
        Ok(Validated {
            plugin: compiled.plugin,
            artifact: compiled.artifact,
            report,
        })
    }
}
