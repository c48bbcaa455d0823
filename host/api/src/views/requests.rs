//! Privacy requests: what a caller sends to open, verify or reject one,
//! and the views of a request, its export and its certificate.

use jiff::Timestamp;
use lethe_core::engine::model::PrivacyRequest;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::text;

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

/// A signed erasure certificate.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CertificateView {
    /// The certificate as signed: `{id, tenant, scope, issued_at, counts,
    /// categories, plugin_versions, chain_head, signature}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub certificate: Value,
}
