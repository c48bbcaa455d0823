//! What the API sends and receives: request bodies (strict: unknown fields
//! refused) and response views.
//!
//! Views are the engine's records minus what a caller must not see: a
//! request's contact address and token digest, an API key's digest. Nested
//! engine structures with no fixed schema of their own (a preview's row
//! issues, a certificate's scope) are documented as objects.

use std::collections::BTreeMap;

use jiff::Timestamp;
use lethe_core::engine::model::{Job, PrivacyRequest};
use lethe_core::engine::{
    ApiKeyRecord, CustomerView as CoreCustomerView, IssuedKey, PluginEntry, PluginListing,
    PluginVersion,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn text<T: Serialize>(value: &T) -> String {
    json(value).as_str().unwrap_or_default().to_string()
}

/// The kind of a privacy request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RequestKindBody {
    /// A copy of everything held on the subject.
    Access,
    /// Erase the subject.
    Erasure,
}

/// How the subject is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKindBody {
    /// The tenant's customer id.
    CustomerId,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
}

/// The subject of a request.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectBody {
    /// Which identifier `value` is.
    pub by: SubjectKindBody,
    /// The identifier (1 to 256 characters).
    pub value: String,
}

/// A new privacy request.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequestBody {
    /// Access or erasure.
    pub kind: RequestKindBody,
    /// Who it is about.
    pub subject: SubjectBody,
    /// Where to write to the subject; defaults to the subject's e-mail.
    /// Required for an erasure named by customer id or phone.
    #[serde(default)]
    pub contact: Option<String>,
}

/// Why a request is rejected (the subject is told).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// 1 to 500 characters.
    pub reason: String,
}

/// A bulk redaction from a list of customer ids.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkIdsBody {
    /// The tenant's customer ids (1 to 50,000 distinct).
    pub ids: Vec<String>,
}

/// Items to store.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestBody {
    /// 1 to 1,000 items: `{customer, kind, id, data, active_at?}` each.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<lethe_core::engine::IngestItem>,
}

/// What ingest did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IngestResult {
    /// Items stored.
    pub stored: u64,
    /// Items stored with their personal data redacted (suppression `strip`).
    pub stripped: u64,
    /// Positions (0-based) of items refused (suppression `refuse`).
    pub refused: Vec<usize>,
}

/// An IP address whose log items are to be deleted.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpDeletionBody {
    /// An IPv4 or IPv6 address.
    pub ip: String,
}

/// How many items were deleted.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeletedCount {
    /// Items deleted.
    pub deleted: u64,
}

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

/// An access export's files.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExportView {
    /// Items exported.
    pub items: u64,
    /// SHA-256 of the JSON file.
    pub json_sha256: String,
    /// SHA-256 of the CSV file.
    pub csv_sha256: String,
    /// When the files are destroyed.
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    /// Whether they have been destroyed.
    pub destroyed: bool,
}

/// A privacy request (without the subject's contact address).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RequestView {
    /// Its id.
    pub id: String,
    /// `access` or `erasure`.
    pub kind: String,
    /// `unverified`, `pending`, `approved`, `processing`, `completed`,
    /// `rejected` or `failed`.
    pub status: String,
    /// Which identifier named the subject.
    pub subject_kind: String,
    /// Who submitted it (a key's label).
    pub submitted_by: String,
    /// When it was received.
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    /// When it must be done by.
    #[schema(value_type = String, format = DateTime)]
    pub due_at: Timestamp,
    /// When the subject verified it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub verified_at: Option<Timestamp>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was finished.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<Timestamp>,
    /// The job that carried it out.
    pub job: Option<String>,
    /// How many customers the subject matched.
    pub subjects: usize,
    /// The access export.
    pub export: Option<ExportView>,
    /// Whether an erasure certificate was issued.
    pub has_certificate: bool,
}

impl From<PrivacyRequest> for RequestView {
    fn from(r: PrivacyRequest) -> Self {
        RequestView {
            kind: text(&r.kind),
            status: r.status.as_str().into(),
            subject_kind: r.subject_kind.as_str().into(),
            export: r.export.map(|e| ExportView {
                items: e.items,
                json_sha256: e.json_sha256,
                csv_sha256: e.csv_sha256,
                expires_at: e.expires_at,
                destroyed: e.destroyed,
            }),
            has_certificate: r.certificate.is_some(),
            subjects: r.subjects.len(),
            id: r.id,
            submitted_by: r.submitted_by,
            received_at: r.received_at,
            due_at: r.due_at,
            verified_at: r.verified_at,
            approved_by: r.approved_by,
            rejection_reason: r.rejection_reason,
            error: r.error,
            completed_at: r.completed_at,
            job: r.job,
        }
    }
}

/// What the subject sees after following the verification link.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VerifiedView {
    /// The request.
    pub request: String,
    /// Its status now.
    pub status: String,
    /// A sentence for the subject.
    pub message: String,
}

/// Per-subject outcome counts.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct CountsView {
    /// Subjects redacted.
    pub succeeded: u64,
    /// Subjects that could not be redacted.
    pub failed: u64,
    /// Subjects with nothing to do.
    pub skipped: u64,
}

/// A bulk job's preview, to check before confirming.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PreviewView {
    /// Distinct, valid ids given.
    pub submitted: u64,
    /// Ids naming a known customer.
    pub matched: u64,
    /// Rows naming no customer.
    pub unknown_rows: Vec<usize>,
    /// Rows left out and why (`{row, problem: {kind, ...}}`).
    #[schema(value_type = Vec<Object>)]
    pub issues: Value,
    /// Customers sharing a name, e-mail or phone
    /// (`{shared, rows, others_not_in_list}`).
    #[schema(value_type = Vec<Object>)]
    pub duplicate_groups: Value,
}

/// A job: its history entry.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobView {
    /// Its id.
    pub id: String,
    /// `manual`, `auto`, `retention` or `request`.
    pub kind: String,
    /// `awaiting_confirmation`, `queued`, `running`, `completed`,
    /// `completed_with_errors`, `failed` or `cancelled`.
    pub status: String,
    /// Who started it.
    pub created_by: String,
    /// When it was created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When a worker started on it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    /// When it ended.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
    /// Subjects it covers.
    pub total: u64,
    /// Chunks it was split into.
    pub chunks: u32,
    /// Outcome counts.
    pub counts: CountsView,
    /// For bulk jobs, the preview.
    pub preview: Option<PreviewView>,
    /// Plugin versions it ran with.
    pub plugin_versions: Vec<String>,
    /// For request jobs, the request.
    pub request: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Whether its certificate was issued.
    pub has_certificate: bool,
}

impl From<Job> for JobView {
    fn from(j: Job) -> Self {
        JobView {
            kind: text(&j.kind),
            status: j.status.as_str().into(),
            counts: CountsView {
                succeeded: j.counts.succeeded,
                failed: j.counts.failed,
                skipped: j.counts.skipped,
            },
            preview: j.preview.map(|p| PreviewView {
                submitted: p.submitted,
                matched: p.matched,
                issues: json(&p.issues),
                duplicate_groups: json(&p.duplicate_groups),
                unknown_rows: p.unknown_rows,
            }),
            has_certificate: j.certificate.is_some(),
            id: j.id,
            created_by: j.created_by,
            created_at: j.created_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            total: j.total,
            chunks: j.chunks,
            plugin_versions: j.plugin_versions,
            request: j.request,
            error: j.error,
        }
    }
}

/// One subject a job could not redact.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FailureView {
    /// Its row in the job's list (1-based).
    pub row: usize,
    /// The subject's keyed reference.
    pub subject: String,
    /// Why.
    pub reason: String,
}

/// A signed erasure certificate.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CertificateView {
    /// The certificate as signed: `{id, tenant, scope, issued_at, counts,
    /// categories, plugin_versions, chain_head, signature}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub certificate: Value,
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

/// One item of a customer, as read.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ItemView {
    /// Entity kind.
    pub kind: String,
    /// Item id.
    pub id: String,
    /// The attributes (masked for the support role).
    #[schema(value_type = Object)]
    pub data: Value,
    /// Category of each personal-data attribute, by path.
    pub labels: BTreeMap<String, String>,
    /// When ingest stored it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ingested_at: Option<Timestamp>,
    /// When it was redacted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub redacted_at: Option<Timestamp>,
}

/// A customer's items, as read.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerItemsView {
    /// The customer's keyed reference.
    pub subject: String,
    /// Last activity.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_active_at: Option<Timestamp>,
    /// When it was redacted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub redacted_at: Option<Timestamp>,
    /// Whether personal data is masked (support role).
    pub masked: bool,
    /// The items.
    pub items: Vec<ItemView>,
}

impl From<CoreCustomerView> for CustomerItemsView {
    fn from(v: CoreCustomerView) -> Self {
        CustomerItemsView {
            subject: v.subject.0,
            last_active_at: v.last_active_at,
            redacted_at: v.redacted_at,
            masked: v.masked,
            items: v
                .items
                .into_iter()
                .map(|i| ItemView {
                    kind: i.kind,
                    id: i.id,
                    data: i.data,
                    labels: i.labels,
                    ingested_at: i.ingested_at,
                    redacted_at: i.redacted_at,
                })
                .collect(),
        }
    }
}

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

/// The service's health.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}
