//! [`SandboxRuntime`]: the engine's [`PluginRuntime`] port over sandboxed
//! plugins.
//!
//! Every tenant runs the standard plugins unless it has activated its own.
//! Where a tenant's plugins come from, first match wins:
//!
//! 1. plugins set in memory with [`SandboxRuntime::activate`] (tests, the CLI);
//! 2. with a registry ([`SandboxRuntime::with_registry`]), the tenant's
//!    active versions in the control table
//!    ([`active_plugins`]),
//!    their bytes read from the blob store; a world no active plugin
//!    implements is served by the standard plugin;
//! 3. the standard plugins.
//!
//! Plugins are compiled once and shared: a [`Plugin`] holds its
//! `InstancePre`, and each call gets a fresh `Store`, so one compiled plugin
//! serves every worker thread. Registry plugins come from a
//! [`PluginCache`] by the SHA-256 of their component: memory (LRU, at most
//! [`DEFAULT_MEMORY_PLUGINS`](crate::DEFAULT_MEMORY_PLUGINS) by default),
//! then the cache's artifact tiers (disk, blob store) when it has them,
//! and only then the component itself, read from the blob store, checked
//! against its digest and compiled. Before a plugin that is not in memory
//! is loaded, the stored component's recorded SHA-256 (a `HEAD`) must still
//! be the version's, so a component swapped behind the registry's back is
//! refused even when a trusted artifact would spare reading it. The active
//! set is read on every call, so an activation or a roll-back takes effect
//! at the next batch. A tenant's plugins are looked up under its own id
//! only, and handed to no one else.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use lethe_core::engine::plugin_registry::{ActivePlugin, active_plugins};
use lethe_core::ports::{BlobStore, ItemStore, PluginRuntime, PortError, TenantPlugins, read_all};

use crate::cache::{CacheError, PluginCache};
use crate::digest::Digest;
use crate::engine::Sandbox;
use crate::plugin::Plugin;

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
    cache: PluginCache,
    control: Arc<dyn ItemStore>,
    blobs: Arc<dyn BlobStore>,
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
    /// `sandbox` and kept in memory only (a [`PluginCache`] with no artifact
    /// tiers). See [`Self::with_cached_registry`] to share artifacts.
    #[must_use]
    pub fn with_registry(
        self,
        sandbox: Sandbox,
        control: Arc<dyn ItemStore>,
        blobs: Arc<dyn BlobStore>,
    ) -> Self {
        self.with_cached_registry(PluginCache::builder(sandbox).build(), control, blobs)
    }

    /// The same runtime, also serving tenants' active plugins from the
    /// registry (records in `control`, components in `blobs`), through
    /// `cache`: a plugin another process already compiled is loaded from
    /// its artifact, not compiled.
    #[must_use]
    pub fn with_cached_registry(
        mut self,
        cache: PluginCache,
        control: Arc<dyn ItemStore>,
        blobs: Arc<dyn BlobStore>,
    ) -> Self {
        self.registry = Some(Registry {
            cache,
            control,
            blobs,
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

    /// How many compiled registry plugins are kept in memory (the
    /// standard plugins, when they share the cache, not counted).
    pub fn cached(&self) -> usize {
        self.registry.as_ref().map_or(0, |r| {
            let field_map = self.default_field_map.plugin.digest();
            let scrubber = self.default_scrubber.plugin.digest();
            let mut defaults = usize::from(r.cache.holds(&field_map));
            if scrubber != field_map {
                defaults += usize::from(r.cache.holds(&scrubber));
            }
            r.cache.in_memory().saturating_sub(defaults)
        })
    }

    /// The cache registry plugins are loaded through, if there is a
    /// registry.
    pub fn cache(&self) -> Option<&PluginCache> {
        self.registry.as_ref().map(|r| &r.cache)
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
    /// The compiled plugin of an active version: from memory, or (after
    /// checking the stored component is still the version's) from the
    /// cache's artifact tiers, or read, checked against its digest, admitted
    /// by the sandbox and cached.
    async fn load(&self, active: &ActivePlugin) -> Result<NamedPlugin, PortError> {
        const SWAPPED: &str = "a plugin's stored bytes do not match their digest";
        const REFUSED: &str = "a registered plugin no longer passes admission";
        let version = &active.version;
        let digest = Digest::from_hex(&version.sha256).ok_or_else(|| {
            PortError::invalid(
                "plugin registry",
                "a plugin version's SHA-256 is not 64 hex digits",
            )
        })?;
        if let Some(plugin) = self.cache.get(&digest) {
            return Ok(NamedPlugin::new(version.name.clone(), plugin));
        }
        let swapped = || {
            tracing::error!(
                plugin = %version.name,
                "a tenant plugin's bytes do not match their recorded SHA-256; refusing to run it"
            );
            PortError::unavailable("plugin registry", SWAPPED)
        };
        match self.blobs.head(&version.blob_key).await? {
            Some(meta) if meta.sha256 == version.sha256 => {}
            Some(_) => return Err(swapped()),
            None => return Err(PortError::NotFound { what: "object" }),
        }
        let blobs = Arc::clone(&self.blobs);
        let key = version.blob_key.clone();
        let fetch = || async move { read_all(blobs.as_ref(), &key).await.map(|(_, b)| b) };
        let loaded = self
            .cache
            .load_with(digest, fetch)
            .await
            .map_err(|e| match e {
                CacheError::Source(e) => e,
                CacheError::ModuleMismatch { .. } => swapped(),
                CacheError::Rejected(rejection) => {
                    // Only the kind of rejection: its message may quote text
                    // the plugin produced in its self-check.
                    let debug = format!("{rejection:?}");
                    let kind = debug.split(['(', ' ', '{']).next().unwrap_or("Rejection");
                    tracing::error!(plugin = %version.name, kind, "{REFUSED}");
                    PortError::unavailable("plugin registry", REFUSED)
                }
                other => PortError::unavailable("plugin registry", other),
            })?;
        Ok(NamedPlugin::new(version.name.clone(), loaded.plugin))
    }
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
