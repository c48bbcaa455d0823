//! Bulk jobs: the id list a caller sends, and the views of a job, its
//! preview and the subjects it could not redact.

use jiff::Timestamp;
use lethe_core::engine::model::Job;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{json, text};

/// A bulk redaction from a list of customer ids.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkIdsBody {
    /// The tenant's customer ids (1 to 50,000 distinct).
    pub ids: Vec<String>,
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
