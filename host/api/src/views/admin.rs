//! Administration: API keys (never their secret, except once, on issue)
//! and audit events.

use jiff::Timestamp;
use lethe_core::engine::{ApiKeyRecord, IssuedKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A new API key.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyBody {
    /// What it is for (1 to 64 of `a-z A-Z 0-9 . _ - :`), recorded as the actor.
    pub label: String,
    /// `intake`, `support`, `operator` or `admin`.
    #[schema(value_type = String, example = "operator")]
    pub role: lethe_core::engine::Role,
}

/// An API key, without its secret.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct KeyView {
    /// The key's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its role.
    pub role: String,
    /// When it was made.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Who made it.
    pub created_by: String,
    /// When it was revoked.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

impl From<ApiKeyRecord> for KeyView {
    fn from(r: ApiKeyRecord) -> Self {
        KeyView {
            id: r.id,
            label: r.label,
            role: r.role.as_str().into(),
            created_at: r.created_at,
            created_by: r.created_by,
            revoked_at: r.revoked_at,
        }
    }
}

/// A key just made: the only answer that holds its text.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IssuedKeyView {
    /// The key's text; store it now, it is not shown again.
    pub key: String,
    /// The key.
    #[serde(flatten)]
    pub record: KeyView,
}

impl From<IssuedKey> for IssuedKeyView {
    fn from(k: IssuedKey) -> Self {
        IssuedKeyView {
            key: k.key,
            record: k.record.into(),
        }
    }
}

/// An audit event.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// Position in the tenant's chain.
    pub seq: u64,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Who (a key's label, `system`, `worker`).
    pub actor: String,
    /// What (`request.completed`, ...).
    pub action: String,
    /// To what (a request, job or key id).
    pub target: String,
    /// Counts and categories.
    #[schema(value_type = Object)]
    pub details: Value,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl From<lethe_core::AuditEvent> for AuditEventView {
    fn from(e: lethe_core::AuditEvent) -> Self {
        AuditEventView {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            details: e.details,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}
