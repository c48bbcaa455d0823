//! A tenant's settings.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A tenant's settings. `PUT` replaces them all: a field left out takes
/// its default.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SettingsSchema {
    /// `"off"`, or days of inactivity: 30, 60 or 90.
    #[schema(value_type = Object, example = json!(30))]
    pub auto_redact: Value,
    /// `eu` or `us`.
    #[schema(example = "eu")]
    pub region: String,
    /// `automatic` or `manual`.
    #[schema(example = "automatic")]
    pub handling: String,
    /// Retention in days per entity kind.
    pub retention: BTreeMap<String, u32>,
    /// Category -> action (`{"email": "pseudonymize", ...}`).
    #[schema(value_type = Object)]
    pub policy: Value,
    /// `refuse` or `strip`.
    #[schema(example = "refuse")]
    pub suppression: String,
    /// How erasure treats datasets.
    #[schema(value_type = Object)]
    pub datasets: Value,
    /// Where operator notices go.
    pub operator_email: Option<String>,
}
