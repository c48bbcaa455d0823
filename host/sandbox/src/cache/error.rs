//! What can stop the cache from producing a plugin. A tier that fails
//! (a tampered file, a bucket down) is not an error: the next tier, or a
//! compilation, answers instead.

use lethe_core::ports::PortError;
use thiserror::Error;

use crate::error::Rejection;

/// Why [`PluginCache`](super::PluginCache) could not produce a plugin.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CacheError {
    /// No trusted artifact, and the component does not pass admission.
    #[error("the plugin was compiled and refused: {0}")]
    Rejected(#[from] Rejection),
    /// The component's bytes are not the ones asked for.
    #[error(
        "the component's bytes hash to {actual}, not to {expected} they were registered under; the stored component changed since upload: upload the plugin again"
    )]
    ModuleMismatch {
        /// Short SHA-256 asked for.
        expected: String,
        /// Short SHA-256 of the bytes read.
        actual: String,
    },
    /// The component's bytes could not be read to compile it.
    #[error("cannot read the component to compile it ({0}); check the blob store and retry")]
    Source(PortError),
    /// [`publish`](super::PluginCache::publish) was handed an artifact this
    /// cache would never load.
    #[error(
        "the artifact does not belong to this cache ({0}); publish the plugin and artifact one `Sandbox::validate` of this cache's sandbox returned"
    )]
    Foreign(&'static str),
    /// The compilation thread stopped without an answer (it panicked).
    #[error(
        "the compilation task stopped before finishing ({0}); retry, and report it if it persists"
    )]
    Task(String),
}
