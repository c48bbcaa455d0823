//! Counters: what each tier of the [`PluginCache`](super::PluginCache)
//! answered, for tests, the benchmark and operators.

use std::sync::atomic::{AtomicU64, Ordering};

/// What one tier of the cache answered since the cache was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TierStats {
    /// Lookups this tier answered.
    pub hits: u64,
    /// Lookups it could not answer (nothing stored there).
    pub misses: u64,
    /// Entries it held but that were refused: bytes that no longer hash to
    /// the record, another engine's artifact, the wrong size, an
    /// unreadable record. Never loaded; repaired from the next tier.
    pub refused: u64,
    /// Entries written (filled after a miss, repaired after a refusal, or
    /// published).
    pub writes: u64,
    /// Writes that failed (logged; the cache keeps working without them).
    pub write_failures: u64,
}

/// A snapshot of every counter of a [`PluginCache`](super::PluginCache).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Compiled plugins kept in this process.
    pub memory: TierStats,
    /// Plugins the memory tier dropped to stay within its capacity.
    pub evictions: u64,
    /// Trust records (the digest an artifact must have): a hit is a usable
    /// record, a miss means no artifact is trusted for the plugin yet.
    pub records: TierStats,
    /// Artifacts in the local directory.
    pub disk: TierStats,
    /// Artifacts in the blob store.
    pub blob: TierStats,
    /// Plugins compiled (and admitted) from their component's bytes.
    pub compiles: u64,
}

#[derive(Default)]
pub(crate) struct TierCounters {
    hits: AtomicU64,
    misses: AtomicU64,
    refused: AtomicU64,
    writes: AtomicU64,
    write_failures: AtomicU64,
}

impl TierCounters {
    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn wrote(&self, ok: bool) {
        let counter = if ok {
            &self.writes
        } else {
            &self.write_failures
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
    fn snapshot(&self) -> TierStats {
        TierStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            write_failures: self.write_failures.load(Ordering::Relaxed),
        }
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) memory: TierCounters,
    pub(crate) evictions: AtomicU64,
    pub(crate) records: TierCounters,
    pub(crate) disk: TierCounters,
    pub(crate) blob: TierCounters,
    pub(crate) compiles: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> CacheStats {
        CacheStats {
            memory: self.memory.snapshot(),
            evictions: self.evictions.load(Ordering::Relaxed),
            records: self.records.snapshot(),
            disk: self.disk.snapshot(),
            blob: self.blob.snapshot(),
            compiles: self.compiles.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
