//! The memory tier: compiled plugins by component SHA-256, least recently
//! used dropped first, at most a fixed number.
//!
//! A [`Plugin`] holds its compiled code and instance templates (a few MiB
//! for a typical plugin), so the bound is a count: 64 plugins is a few
//! hundred MiB at worst. Capacity 0 turns the tier off (a cache that only
//! publishes artifacts, as the upload route's does).

use std::num::NonZeroUsize;

use lru::LruCache;

use crate::digest::Digest;
use crate::plugin::Plugin;

/// A bounded least-recently-used map from component digest to plugin.
pub(crate) struct Memory {
    lru: Option<LruCache<Digest, Plugin>>,
}

impl Memory {
    /// Holds at most `capacity` plugins; 0 holds none.
    pub(crate) fn new(capacity: usize) -> Self {
        Memory {
            lru: NonZeroUsize::new(capacity).map(LruCache::new),
        }
    }

    /// The plugin, marked as just used.
    pub(crate) fn get(&mut self, digest: &Digest) -> Option<Plugin> {
        self.lru.as_mut()?.get(digest).cloned()
    }

    /// Whether the plugin is held, without marking it used.
    pub(crate) fn contains(&self, digest: &Digest) -> bool {
        self.lru.as_ref().is_some_and(|l| l.contains(digest))
    }

    /// Keeps `plugin`; returns whether another plugin was dropped for it.
    pub(crate) fn insert(&mut self, digest: Digest, plugin: Plugin) -> bool {
        let Some(lru) = self.lru.as_mut() else {
            return false;
        };
        let replacing = lru.contains(&digest);
        lru.push(digest, plugin).is_some() && !replacing
    }

    /// How many plugins are held.
    pub(crate) fn len(&self) -> usize {
        self.lru.as_ref().map_or(0, LruCache::len)
    }
}
