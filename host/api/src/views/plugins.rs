//! Plugins: each uploaded version, the active one and the history.

use jiff::Timestamp;
use lethe_core::engine::{PluginEntry, PluginListing, PluginVersion};
use serde::Serialize;
use utoipa::ToSchema;

/// One uploaded version of a plugin.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PluginVersionView {
    /// The plugin's name.
    pub name: String,
    /// SHA-256 of the component: the version's id.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Exports the field-map interface.
    pub field_map: bool,
    /// Exports the scrubber interface.
    pub scrubber: bool,
    /// When it was uploaded.
    #[schema(value_type = String, format = DateTime)]
    pub uploaded_at: Timestamp,
    /// Who uploaded it.
    pub uploaded_by: String,
}

impl From<PluginVersion> for PluginVersionView {
    fn from(v: PluginVersion) -> Self {
        PluginVersionView {
            name: v.name,
            sha256: v.sha256,
            size: v.size,
            field_map: v.field_map,
            scrubber: v.scrubber,
            uploaded_at: v.uploaded_at,
            uploaded_by: v.uploaded_by,
        }
    }
}

/// A plugin: its active version and history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PluginStateView {
    /// The plugin's name.
    pub name: String,
    /// SHA-256 of the active version; absent: the standard plugins serve.
    pub active: Option<String>,
    /// When it was activated.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub activated_at: Option<Timestamp>,
    /// Versions active before, oldest first.
    pub history: Vec<String>,
}

impl From<PluginEntry> for PluginStateView {
    fn from(e: PluginEntry) -> Self {
        PluginStateView {
            name: e.name,
            active: e.active,
            activated_at: e.activated_at,
            history: e.history,
        }
    }
}

/// A plugin with its versions.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PluginView {
    /// Active version and history.
    #[serde(flatten)]
    pub state: PluginStateView,
    /// Uploaded versions, oldest first.
    pub versions: Vec<PluginVersionView>,
}

impl From<PluginListing> for PluginView {
    fn from(l: PluginListing) -> Self {
        PluginView {
            state: l.entry.into(),
            versions: l.versions.into_iter().map(Into::into).collect(),
        }
    }
}
