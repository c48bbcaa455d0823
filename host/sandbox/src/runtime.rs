//! [`SandboxRuntime`]: the engine's [`PluginRuntime`] port over sandboxed
//! plugins.
//!
//! Every tenant runs the standard plugins unless it has activated its own.
//! Plugins are compiled once and shared: a [`Plugin`] holds its
//! `InstancePre`, and each call gets a fresh `Store`, so one compiled plugin
//! serves every worker thread. A tenant's own plugins are kept under its id
//! and handed to no one else.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use lethe_core::ports::{PluginRuntime, PortError, TenantPlugins};

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
    tenants: RwLock<HashMap<String, TenantPlugins>>,
}

impl SandboxRuntime {
    /// A runtime whose tenants all use `field_map` and `scrubber` until they
    /// activate their own.
    pub fn new(field_map: NamedPlugin, scrubber: NamedPlugin) -> Self {
        SandboxRuntime {
            default: bundle(field_map, scrubber),
            tenants: RwLock::new(HashMap::new()),
        }
    }

    /// Makes `tenant` use these plugins from now on.
    pub fn activate(&self, tenant: &str, field_map: NamedPlugin, scrubber: NamedPlugin) {
        self.tenants
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(tenant.to_string(), bundle(field_map, scrubber));
    }
}

fn bundle(field_map: NamedPlugin, scrubber: NamedPlugin) -> TenantPlugins {
    TenantPlugins {
        versions: vec![field_map.version(), scrubber.version()],
        field_map: Arc::new(field_map.plugin),
        scrubber: Arc::new(scrubber.plugin),
    }
}

#[async_trait]
impl PluginRuntime for SandboxRuntime {
    async fn plugins(&self, tenant: &str) -> Result<TenantPlugins, PortError> {
        let tenants = self
            .tenants
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(tenants
            .get(tenant)
            .cloned()
            .unwrap_or_else(|| self.default.clone()))
    }
}
