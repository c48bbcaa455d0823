//! Content digests: a plugin's SHA-256, an artifact's SHA-256, and the
//! engine's compatibility hash.

use std::fmt;
use std::hash::{Hash, Hasher};

use sha2::{Digest as _, Sha256};
use wasmtime::Engine;

/// A SHA-256 digest, shown as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Self(out))
    }

    /// The first 12 hex characters, for messages and logs.
    pub fn short(&self) -> String {
        self.to_hex()[..12].to_owned()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.short())
    }
}

/// Bumped whenever what makes a precompiled artifact acceptable changes
/// beyond wasmtime's own settings (admission rules, the plugin contract,
/// how artifacts are recorded): part of every [`EngineHash`], so artifacts
/// made before the change are recompiled, never loaded.
pub const ARTIFACT_FORMAT: u32 = 1;

/// The engine's precompile-compatibility hash as a stable SHA-256: two
/// engines with equal hashes can load each other's artifacts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct EngineHash(pub Digest);

impl EngineHash {
    /// Hashes `engine`'s compatibility-relevant settings — wasmtime's own
    /// precompile-compatibility hash (its version, the target and CPU
    /// features, the wasm features and every codegen tunable such as the
    /// memory reservation and epoch interruption) — together with this
    /// crate's version and [`ARTIFACT_FORMAT`], so a new Lethe host (whose
    /// admission rules may have changed) recompiles instead of trusting an
    /// artifact an older host admitted.
    pub fn of(engine: &Engine) -> Self {
        let mut hasher = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        hasher.write(b"lethe-sandbox/");
        hasher.write(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.write(&ARTIFACT_FORMAT.to_le_bytes());
        Self(Digest(hasher.0.finalize().into()))
    }
}

impl fmt::Display for EngineHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Feeds `Hash` output into SHA-256, so the result is stable across runs
/// (std's `DefaultHasher` promises no such thing).
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        let d = self.0.clone().finalize();
        u64::from_le_bytes(d[..8].try_into().unwrap_or([0; 8]))
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let d = Digest::of(b"lethe");
        assert_eq!(Digest::from_hex(&d.to_hex()), Some(d));
        assert_eq!(d.short().len(), 12);
        assert_eq!(Digest::from_hex("zz"), None);
    }
}
