//! What the engine stores: the shapes of its records, in both tables.
//!
//! None of these but [`ItemEnvelope::data`] and the lookup entries' targets
//! may hold personal data; customers are named by [`SubjectRef`] and input
//! rows by their 1-based position.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::Certificate;
use crate::bulk_input::RowIssue;
use crate::lookup::{IdentifierKind, SubjectRef};

/// A customer's item as stored: the tenant's attributes untouched in
/// `data`, Lethe's bookkeeping beside them in `meta`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemEnvelope {
    /// The tenant's own attributes.
    pub data: Value,
    /// Lethe's bookkeeping.
    #[serde(default)]
    pub meta: ItemMeta,
}

/// Lethe's bookkeeping on one item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemMeta {
    /// When the item was written by ingest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingested_at: Option<Timestamp>,
    /// When it was redacted, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_at: Option<Timestamp>,
    /// The job that redacted it: a redelivered chunk sees this and skips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_by: Option<String>,
}

/// One customer's head record (sort key `#head`): activity, lookups and
/// redaction state, read before anything else about the customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerHead {
    /// The customer's last activity; drives the inactivity index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<Timestamp>,
    /// The identifier hashes this customer is findable by.
    #[serde(default)]
    pub lookups: BTreeMap<String, IdentifierKind>,
    /// When the customer was redacted, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_at: Option<Timestamp>,
    /// The job that redacted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted_by: Option<String>,
    /// How many times the customer was redacted (a check on exactly-once).
    #[serde(default)]
    pub redactions: u32,
    /// The pseudonymous id the customer's items moved to, when its id was
    /// personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// Requests whose access exports hold this customer's data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<String>,
}

/// A lookup entry: an identifier hash points at a customer (or one item,
/// for IP addresses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LookupEntry {
    /// The customer.
    pub customer: String,
    /// What kind of identifier.
    pub kind: IdentifierKind,
    /// For IP entries, the item's sort key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// What started a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// A bulk redaction from an id list or CSV.
    Manual,
    /// The nightly auto-redact of inactive customers.
    Auto,
    /// The nightly retention sweep.
    Retention,
    /// One privacy request.
    Request,
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// A bulk job's preview, waiting for an admin to confirm.
    AwaitingConfirmation,
    /// Confirmed; chunks are on the queue.
    Queued,
    /// A worker has started on it.
    Running,
    /// Done, every subject redacted or skipped.
    Completed,
    /// Done, with some subjects failed.
    CompletedWithErrors,
    /// Could not run at all.
    Failed,
    /// Cancelled before it ran.
    Cancelled,
}

impl JobStatus {
    /// Whether the job is over.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Completed
                | JobStatus::CompletedWithErrors
                | JobStatus::Failed
                | JobStatus::Cancelled
        )
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::AwaitingConfirmation => "awaiting_confirmation",
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::CompletedWithErrors => "completed_with_errors",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }
}

/// Per-subject outcome counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Subjects redacted (or found already redacted by this job).
    pub succeeded: u64,
    /// Subjects that could not be redacted.
    pub failed: u64,
    /// Subjects with nothing to do (unknown, or already erased by another job).
    pub skipped: u64,
}

impl Counts {
    /// Adds another tally.
    pub fn add(&mut self, other: Counts) {
        self.succeeded += other.succeeded;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }

    /// All subjects counted.
    pub fn total(&self) -> u64 {
        self.succeeded + self.failed + self.skipped
    }
}

/// Customers that share a name, e-mail or phone, shown for verification
/// before a bulk job is confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// What they share.
    pub shared: IdentifierKind,
    /// Their rows in the uploaded list.
    pub rows: Vec<usize>,
    /// How many customers *not* in the list share it too.
    pub others_not_in_list: u64,
}

/// A bulk job's preview.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    /// Ids given (after duplicates and invalid rows were set aside).
    pub submitted: u64,
    /// Ids that name a known customer.
    pub matched: u64,
    /// Rows whose id names no customer.
    pub unknown_rows: Vec<usize>,
    /// Rows that were not used, and why.
    pub issues: Vec<RowIssue>,
    /// Customers sharing an identifier.
    pub duplicate_groups: Vec<DuplicateGroup>,
}

/// A job's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Its id.
    pub id: String,
    /// What started it.
    pub kind: JobKind,
    /// Where it is.
    pub status: JobStatus,
    /// Who started it (an API key's label, `scheduler`, or `request:{id}`).
    pub created_by: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When a worker first started on it.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// How many subjects it covers.
    pub total: u64,
    /// How many chunks it was split into.
    pub chunks: u32,
    /// Outcome counts (final once the job is terminal).
    pub counts: Counts,
    /// For bulk jobs, the preview.
    pub preview: Option<Preview>,
    /// The plugin versions it ran with: those active when it started, and
    /// when it completes, every version any of its chunks used.
    pub plugin_versions: Vec<String>,
    /// For request jobs, the request.
    pub request: Option<String>,
    /// Its erasure certificate, once done.
    pub certificate: Option<Certificate>,
    /// Why it failed, if it did (no personal data).
    pub error: Option<String>,
}

/// One subject that could not be redacted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The subject's row in the job's list (1-based).
    pub row: usize,
    /// The subject's keyed reference.
    pub subject: SubjectRef,
    /// Why, without personal data.
    pub reason: String,
}

/// What one chunk did; written once, when the chunk is done.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChunkResult {
    /// Outcome counts of the chunk.
    pub counts: Counts,
    /// Its failures.
    pub failures: Vec<Failure>,
    /// Items changed, by category acted on.
    pub categories: BTreeMap<String, u64>,
    /// Items rewritten.
    pub items: u64,
    /// Dataset rows removed or scrubbed.
    pub dataset_rows: u64,
    /// The plugin versions this chunk ran with (a plugin activated while
    /// the job runs reaches the chunks handled after it; the job lists
    /// every version any of its chunks used).
    #[serde(default)]
    pub plugin_versions: Vec<String>,
}

/// The kind of a privacy request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestKind {
    /// A copy of everything held on the subject.
    Access,
    /// Erase the subject.
    Erasure,
}

/// Where a privacy request is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// An erasure waiting for the subject to confirm through the e-mailed link.
    Unverified,
    /// Received (and verified); waits for processing, or for approval when
    /// the tenant handles requests manually.
    Pending,
    /// Approved by an operator (manual handling).
    Approved,
    /// Being carried out.
    Processing,
    /// Done.
    Completed,
    /// Turned down, with a reason.
    Rejected,
    /// Could not be carried out.
    Failed,
}

impl RequestStatus {
    /// Whether the request is over.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RequestStatus::Completed | RequestStatus::Rejected | RequestStatus::Failed
        )
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Unverified => "unverified",
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Processing => "processing",
            RequestStatus::Completed => "completed",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Failed => "failed",
        }
    }
}

/// How a request names its subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "by", content = "value")]
pub enum SubjectBy {
    /// The tenant's customer id.
    CustomerId(String),
    /// An e-mail address.
    Email(String),
    /// A phone number.
    Phone(String),
}

impl SubjectBy {
    /// The identifier kind and value.
    pub fn parts(&self) -> (IdentifierKind, &str) {
        match self {
            SubjectBy::CustomerId(v) => (IdentifierKind::CustomerId, v),
            SubjectBy::Email(v) => (IdentifierKind::Email, v),
            SubjectBy::Phone(v) => (IdentifierKind::Phone, v),
        }
    }
}

/// The files of an access export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFiles {
    /// Blob key of the JSON file.
    pub json_key: String,
    /// Its SHA-256.
    pub json_sha256: String,
    /// Blob key of the CSV file.
    pub csv_key: String,
    /// Its SHA-256.
    pub csv_sha256: String,
    /// Items exported.
    pub items: u64,
    /// When the export is destroyed.
    pub expires_at: Timestamp,
    /// Whether it has been destroyed (expired, or the subject was erased).
    pub destroyed: bool,
}

/// A privacy request's record.
///
/// The subject is held only as an identifier *hash* plus, until the request
/// is over, the contact address the subject gave (needed to send the
/// verification link and the result); the address is removed when the
/// request completes, is rejected or fails.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivacyRequest {
    /// Its id.
    pub id: String,
    /// Access or erasure.
    pub kind: RequestKind,
    /// Where it is.
    pub status: RequestStatus,
    /// Which identifier named the subject.
    pub subject_kind: IdentifierKind,
    /// The identifier's keyed hash.
    pub subject_hash: String,
    /// Where to write to the subject, until the request is over.
    pub contact: Option<String>,
    /// Who submitted it (an API key's label).
    pub submitted_by: String,
    /// When it was received.
    pub received_at: Timestamp,
    /// When it must be done by (received + 30 days).
    pub due_at: Timestamp,
    /// When the verification link stops working.
    pub verify_expires_at: Option<Timestamp>,
    /// SHA-256 of the verification token (single use: cleared when used).
    pub verify_token_sha256: Option<String>,
    /// When the subject verified.
    pub verified_at: Option<Timestamp>,
    /// Who approved it (manual handling).
    pub approved_by: Option<String>,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// Why it failed (no personal data).
    pub error: Option<String>,
    /// When it was finished.
    pub completed_at: Option<Timestamp>,
    /// The job that carried it out.
    pub job: Option<String>,
    /// Subjects found (customer refs).
    pub subjects: Vec<SubjectRef>,
    /// The access export.
    pub export: Option<ExportFiles>,
    /// Its erasure certificate.
    pub certificate: Option<Certificate>,
    /// Deadline reminders sent, as days before the deadline.
    pub reminders_sent: Vec<u32>,
}
