//! The plugin runtime: which field map and scrubber run for a tenant.

use std::sync::Arc;

use async_trait::async_trait;

use super::PortError;
use crate::pipeline::{FieldMap, TextScanner};

/// The plugins that classify and scrub one tenant's data.
#[derive(Clone)]
pub struct TenantPlugins {
    /// Classifies attributes into categories.
    pub field_map: Arc<dyn FieldMap + Send + Sync>,
    /// Finds PII in free text.
    pub scrubber: Arc<dyn TextScanner + Send + Sync>,
    /// Which plugin versions these are (`name@sha256-prefix`), recorded on
    /// every job that runs them.
    pub versions: Vec<String>,
}

impl std::fmt::Debug for TenantPlugins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantPlugins")
            .field("versions", &self.versions)
            .finish_non_exhaustive()
    }
}

/// Gives the engine a tenant's active plugins (the sandbox, with its
/// caches, behind this trait). A tenant's plugins never run for another.
#[async_trait]
pub trait PluginRuntime: Send + Sync {
    /// The active plugins of `tenant`.
    async fn plugins(&self, tenant: &str) -> Result<TenantPlugins, PortError>;
}
