//! What the API sends and receives: request bodies (strict: unknown fields
//! refused) and response views.
//!
//! Views are the engine's records minus what a caller must not see: a
//! request's contact address and token digest, an API key's digest. Nested
//! engine structures with no fixed schema of their own (a preview's row
//! issues, a certificate's scope) are documented as objects.
//!
//! One module per resource, as in `routes`; every type is re-exported
//! here, so a route names `crate::views::JobView`.

mod admin;
mod jobs;
mod plugins;
mod records;
mod requests;
mod settings;

pub use admin::*;
pub use jobs::*;
pub use plugins::*;
pub use records::*;
pub use requests::*;
pub use settings::*;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn text<T: Serialize>(value: &T) -> String {
    json(value).as_str().unwrap_or_default().to_string()
}

/// The service's health.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}
