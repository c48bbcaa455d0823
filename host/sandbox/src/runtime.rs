//! [`SandboxRuntime`]: the engine's [`PluginRuntime`] port over sandboxed
//! plugins.
//!
//! Every tenant runs the standard plugins unless it has activated its own.
//! Where a tenant's plugins come from, first match wins:
//!
//! 1. plugins set in memory with [`SandboxRuntime::activate`] (tests, the CLI);
//! 2. with a registry ([`SandboxRuntime::with_registry`]), the tenant's
//!    active versions in the control table
//!    ([`active_plugins`](lethe_core::engine::plugin_registry::active_plugins)),
//!    their bytes read from the blob store; a world no active plugin
//!    implements is served by the standard plugin;
//! 3. the standard plugins.
//!
//! Plugins are compiled once and shared: a [`Plugin`] holds its
//! `InstancePre`, and each call gets a fresh `Store`, so one compiled plugin
//! serves every worker thread. Registry plugins are cached by the SHA-256 of
//! their bytes (at most [`DEFAULT_PLUGIN_CACHE`] of them, the oldest loaded
//! evicted first); the bytes are checked against that digest before they
//! are compiled, so a blob swapped behind the registry's back is refused,
//! never run. The active set is read on every call, so an activation or a
//! roll-back takes effect at the next batch. A tenant's plugins are looked
//! up under its own id only, and handed to no one else.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use lethe_core::engine::plugin_registry::{ActivePlugin, active_plugins};
use lethe_core::ports::{BlobStore, ItemStore, PluginRuntime, PortError, TenantPlugins, read_all};
use sha2::Digest as _;

use crate::engine::Sandbox;
use crate::plugin::Plugin;

/// How many compiled registry plugins a runtime keeps, by default.
pub(crate) const DEFAULT_PLUGIN_CACHE: usize = 64;

/// A named plugin: what a job records as the version it ran with.
#[derive(Clone)]
pub struct NamedPlugin {
    /// The plugin's name, such as `std-scrubber`.
    pub name: String,
    /// The compiled plugin.
    pub plugin: Plugin,
}

impl NamedPlugin {
    /// A plugin with a name.
    pub fn new(name: impl Into<String>, plugin: Plugin) -> Self {
        NamedPlugin {
            name: name.into(),
            plugin,
        }
    }

    /// `name@` and the first 12 hex digits of the component's SHA-256.
    pub fn version(&self) -> String {
        format!("{}@{}", self.name, &self.plugin.digest().to_hex()[..12])
    }
}

/// Serves each tenant's active field map and scrubber to the engine.
pub struct SandboxRuntime {
    default: TenantPlugins,
    default_field_map: NamedPlugin,
    default_scrubber: NamedPlugin,
    tenants: RwLock<HashMap<String, TenantPlugins>>,
    registry: Option<Registry>,
}

/// Where tenants' uploaded plugins are, and the compiled ones.
struct Registry {
    sandbox: Sandbox,
    control: Arc<dyn ItemStore>,
    blobs: Arc<dyn BlobStore>,
    cache: Mutex<Cache>,
}

/// A bounded map from SHA-256 to compiled plugin; the oldest insertion
/// goes first.
struct Cache<T = Plugin> {
    plugins: HashMap<String, T>,
    order: VecDeque<String>,
    capacity: usize,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            plugins: HashMap::new(),
            order: VecDeque::new(),
            capacity: DEFAULT_PLUGIN_CACHE,
        }
    }
}

impl<T: Clone> Cache<T> {
    fn get(&self, sha256: &str) -> Option<T> {
        self.plugins.get(sha256).cloned()
    }

    fn insert(&mut self, sha256: &str, plugin: T) {
        if self.plugins.contains_key(sha256) {
            return;
        }
        while self.plugins.len() >= self.capacity.max(1) {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.plugins.remove(&oldest);
        }
        self.order.push_back(sha256.to_string());
        self.plugins.insert(sha256.to_string(), plugin);
    }
}

impl SandboxRuntime {
    /// A runtime whose tenants all use `field_map` and `scrubber` until they
    /// activate their own.
    pub fn new(field_map: NamedPlugin, scrubber: NamedPlugin) -> Self {
        SandboxRuntime {
            default: bundle(&field_map, &scrubber),
            default_field_map: field_map,
            default_scrubber: scrubber,
            tenants: RwLock::new(HashMap::new()),
            registry: None,
        }
    }

    /// The same runtime, also serving tenants' active plugins from the
    /// registry: records in `control`, bytes in `blobs`, compiled by
    /// `sandbox` and cached by SHA-256 (at most [`DEFAULT_PLUGIN_CACHE`]).
    #[must_use]
    pub fn with_registry(
        mut self,
        sandbox: Sandbox,
        control: Arc<dyn ItemStore>,
        blobs: Arc<dyn BlobStore>,
    ) -> Self {
        self.registry = Some(Registry {
            sandbox,
            control,
            blobs,
            cache: Mutex::new(Cache::default()),
        });
        self
    }

    /// Makes `tenant` use these plugins from now on, ahead of the registry.
    pub fn activate(&self, tenant: &str, field_map: NamedPlugin, scrubber: NamedPlugin) {
        self.tenants
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(tenant.to_string(), bundle(&field_map, &scrubber));
    }

    /// How many compiled registry plugins are cached.
    pub fn cached(&self) -> usize {
        self.registry.as_ref().map_or(0, |r| {
            r.cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .plugins
                .len()
        })
    }

    async fn registry_plugins(
        &self,
        registry: &Registry,
        tenant: &str,
    ) -> Result<TenantPlugins, PortError> {
        let active = active_plugins(registry.control.as_ref(), tenant).await?;
        if active.is_empty() {
            return Ok(self.default.clone());
        }
        let latest = |world: fn(&ActivePlugin) -> bool| {
            active.iter().filter(|a| world(a)).max_by(|a, b| {
                a.activated_at
                    .cmp(&b.activated_at)
                    .then(a.version.name.cmp(&b.version.name))
            })
        };
        let field_map = match latest(|a| a.version.field_map) {
            Some(a) => registry.load(a).await?,
            None => self.default_field_map.clone(),
        };
        let scrubber = match latest(|a| a.version.scrubber) {
            Some(a) => registry.load(a).await?,
            None => self.default_scrubber.clone(),
        };
        Ok(bundle(&field_map, &scrubber))
    }
}

impl Registry {
    /// The compiled plugin of an active version: from the cache, or read,
    /// checked against its digest, admitted by the sandbox and cached.
    ///
    /// Compiling blocks the calling thread (once per version and process).
    async fn load(&self, active: &ActivePlugin) -> Result<NamedPlugin, PortError> {
        let version = &active.version;
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&version.sha256);
        let plugin = match cached {
            Some(plugin) => plugin,
            None => {
                let (_, bytes) = read_all(self.blobs.as_ref(), &version.blob_key).await?;
                let digest = hex_digest(&bytes);
                if digest != version.sha256 {
                    tracing::error!(
                        plugin = %version.name,
                        "a tenant plugin's bytes do not match their recorded SHA-256; refusing to run it"
                    );
                    return Err(PortError::unavailable(
                        "plugin registry",
                        "a plugin's stored bytes do not match their digest",
                    ));
                }
                const REFUSED: &str = "a registered plugin no longer passes admission";
                let validated = self.sandbox.validate(&bytes).map_err(|rejection| {
                    // Only the kind of rejection: its message may quote text
                    // the plugin produced in its self-check.
                    let debug = format!("{rejection:?}");
                    let kind = debug.split(['(', ' ', '{']).next().unwrap_or("Rejection");
                    tracing::error!(plugin = %version.name, kind, "{REFUSED}");
                    PortError::unavailable("plugin registry", REFUSED)
                })?;
                let plugin = validated.plugin;
                self.cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(&version.sha256, plugin.clone());
                plugin
            }
        };
        Ok(NamedPlugin::new(version.name.clone(), plugin))
    }
}

fn hex_digest(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

fn bundle(field_map: &NamedPlugin, scrubber: &NamedPlugin) -> TenantPlugins {
    TenantPlugins {
        versions: vec![field_map.version(), scrubber.version()],
        field_map: Arc::new(field_map.plugin.clone()),
        scrubber: Arc::new(scrubber.plugin.clone()),
    }
}

#[async_trait]
impl PluginRuntime for SandboxRuntime {
    async fn plugins(&self, tenant: &str) -> Result<TenantPlugins, PortError> {
        let in_memory = self
            .tenants
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(tenant)
            .cloned();
        if let Some(plugins) = in_memory {
            return Ok(plugins);
        }
        match &self.registry {
            Some(registry) => self.registry_plugins(registry, tenant).await,
            None => Ok(self.default.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cache;

    #[test]
    fn the_cache_is_bounded_and_evicts_the_oldest() {
        let mut cache: Cache<u32> = Cache {
            capacity: 2,
            ..Cache::default()
        };
        cache.insert("a", 1);
        cache.insert("b", 2);
        cache.insert("a", 9);
        cache.insert("c", 3);
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.get("b"), Some(2));
        assert_eq!(cache.get("c"), Some(3));
    }
}
