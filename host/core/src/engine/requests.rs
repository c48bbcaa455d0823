//! Privacy requests: access and erasure, from intake to certificate.
//!
//! ```text
//! unverified ──verify──► pending ──(manual: approve)──► approved
//!     │                    │  (automatic)                  │
//!     └──reject──► rejected ◄──reject──┘                    │
//!                          └──────────► processing ◄────────┘
//!                                          ├──► completed
//!                                          └──► failed
//! ```
//!
//! An erasure starts `unverified`: the subject gets a link, signed with the
//! tenant's link key, carrying its own expiry, and usable once. Access needs
//! no confirmation. `due_at` is 30 days after receipt; the nightly deadline
//! watch reminds operators before it.

use crate::digest::{constant_time_eq, sha256_hex};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::model::{
    Counts, Job, JobKind, JobStatus, PrivacyRequest, RequestKind, RequestStatus, SubjectBy,
};
use super::{Engine, EngineError, decode, get_typed, link_token, new_id, put_typed};
use crate::audit::{CertificateBody, CertificateScope};
use crate::keys;
use crate::lookup::{SubjectRef, identifier_hash};
use crate::ports::{Condition, KeyRange, Notification, NotificationKind, RecordKey, query_all};
use crate::tenant::{Handling, Tenant};

/// How long a request may take, by law (GDPR art. 12(3)).
pub const REQUEST_DEADLINE_DAYS: i64 = 30;

/// A request as submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// Access or erasure.
    pub kind: RequestKind,
    /// Who it is about.
    pub subject: SubjectBy,
    /// Where to write to the subject; defaults to the subject's e-mail when
    /// the subject is named by e-mail. Required for erasure.
    #[serde(default)]
    pub contact: Option<String>,
}

/// A verification link, as e-mailed to the subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationLink {
    /// The request.
    pub request: String,
    /// The signed token (expiry, nonce, signature).
    pub token: String,
    /// The full URL.
    pub url: String,
}

impl Engine {
    /// Receives a privacy request.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a missing or malformed contact address
    /// or subject value.
    pub async fn create_request(
        &self,
        tenant_id: &str,
        new: NewRequest,
        submitted_by: &str,
    ) -> Result<(PrivacyRequest, Option<VerificationLink>), EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let (kind, value) = new.subject.parts();
        if value.trim().is_empty()
            || value.chars().count() > 256
            || value.chars().any(char::is_control)
        {
            return Err(EngineError::Invalid(
                "the subject's identifier must be 1 to 256 characters without control characters"
                    .into(),
            ));
        }
        let contact = new.contact.clone().or_else(|| match &new.subject {
            SubjectBy::Email(e) => Some(e.clone()),
            _ => None,
        });
        if let Some(c) = &contact {
            if !looks_like_email(c) {
                return Err(EngineError::Invalid(
                    "the contact must be an e-mail address (name@domain)".into(),
                ));
            }
        } else if new.kind == RequestKind::Erasure {
            return Err(EngineError::Invalid(
                "an erasure request needs a contact e-mail address, so the subject can confirm it"
                    .into(),
            ));
        }
        let now = self.now();
        let id = new_id("req");
        let mut request = PrivacyRequest {
            id: id.clone(),
            kind: new.kind,
            status: RequestStatus::Pending,
            subject_kind: kind,
            subject_hash: identifier_hash(&tenant.keys().lookup, kind, value),
            contact,
            submitted_by: submitted_by.to_string(),
            received_at: now,
            due_at: now + SignedDuration::from_hours(24 * REQUEST_DEADLINE_DAYS),
            verify_expires_at: None,
            verify_token_sha256: None,
            verified_at: None,
            approved_by: None,
            rejection_reason: None,
            error: None,
            completed_at: None,
            job: None,
            subjects: Vec::new(),
            export: None,
            certificate: None,
            reminders_sent: Vec::new(),
        };
        let mut link = None;
        if new.kind == RequestKind::Erasure {
            let expires = now + self.config.verify_link_ttl;
            let token = link_token::sign(&tenant.keys().link, tenant_id, &id, expires);
            request.status = RequestStatus::Unverified;
            request.verify_expires_at = Some(expires);
            request.verify_token_sha256 = Some(sha256_hex(&token));
            link = Some(VerificationLink {
                request: id.clone(),
                url: format!(
                    "{}/v1/verify/{tenant_id}/{id}?token={token}",
                    self.config.public_base_url
                ),
                token,
            });
        }
        put_typed(
            self.ports.control.as_ref(),
            request_key(tenant_id, &id),
            &request,
            Condition::Absent,
        )
        .await?;
        self.audit(
            tenant_id,
            submitted_by,
            "request.received",
            &id,
            json!({"kind": request.kind, "status": request.status}),
        )
        .await?;
        let to = request.contact.clone().unwrap_or_default();
        let notification = match &link {
            Some(link) => Notification {
                kind: NotificationKind::Verification,
                to,
                subject: "Confirm your erasure request".into(),
                body: format!(
                    "We received a request to erase your personal data.\n\nTo confirm it, open this link within {} hours:\n\n{}\n\nIf you did not ask for this, ignore this message and nothing will happen.\n",
                    self.config.verify_link_ttl.as_hours(),
                    link.url
                ),
            },
            None => Notification {
                kind: NotificationKind::Acknowledgement,
                to,
                subject: "We received your request for your data".into(),
                body: format!(
                    "We received your request for a copy of your personal data (reference {id}).\nWe will answer within {REQUEST_DEADLINE_DAYS} days.\n"
                ),
            },
        };
        if !notification.to.is_empty() {
            self.ports.notifier.send(&notification).await?;
        }
        if request.status == RequestStatus::Pending
            && tenant.settings.handling == Handling::Automatic
        {
            request = self.start_processing(&tenant, &id, "system").await?;
        }
        Ok((request, link))
    }

    /// The subject confirms an erasure through the e-mailed link.
    ///
    /// # Errors
    /// [`EngineError::Link`] for a link that is forged, expired or used;
    /// [`EngineError::NotFound`] for an unknown request.
    pub async fn verify_request(
        &self,
        tenant_id: &str,
        request_id: &str,
        token: &str,
    ) -> Result<PrivacyRequest, EngineError> {
        let tenant = self
            .tenant(tenant_id)
            .await
            .map_err(|_| EngineError::Link("not valid"))?;
        let expires = link_token::check(&tenant.keys().link, tenant_id, request_id, token)
            .ok_or(EngineError::Link("not valid"))?;
        if self.now() > expires {
            return Err(EngineError::Link("expired"));
        }
        let (mut request, version) = self.request_versioned(tenant_id, request_id).await?;
        let matches = request
            .verify_token_sha256
            .as_deref()
            .is_some_and(|h| constant_time_eq(h.as_bytes(), sha256_hex(token).as_bytes()));
        if request.status != RequestStatus::Unverified || !matches {
            return Err(EngineError::Link("already used"));
        }
        request.status = RequestStatus::Pending;
        request.verified_at = Some(self.now());
        request.verify_token_sha256 = None;
        request.verify_expires_at = None;
        put_typed(
            self.ports.control.as_ref(),
            request_key(tenant_id, request_id),
            &request,
            Condition::Version(version),
        )
        .await
        .map_err(|_| EngineError::Link("already used"))?;
        self.audit(
            tenant_id,
            "subject",
            "request.verified",
            request_id,
            json!({}),
        )
        .await?;
        if tenant.settings.handling == Handling::Automatic {
            return self.start_processing(&tenant, request_id, "system").await;
        }
        Ok(request)
    }

    /// An operator approves a pending request (manual handling); it is
    /// processed at once.
    ///
    /// # Errors
    /// [`EngineError::InvalidTransition`] unless the request is pending.
    pub async fn approve_request(
        &self,
        tenant_id: &str,
        request_id: &str,
        actor: &str,
    ) -> Result<PrivacyRequest, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let (mut request, version) = self.request_versioned(tenant_id, request_id).await?;
        if request.status != RequestStatus::Pending {
            return Err(EngineError::InvalidTransition {
                what: "request",
                action: "approve",
                state: request.status.as_str(),
            });
        }
        request.status = RequestStatus::Approved;
        request.approved_by = Some(actor.to_string());
        put_typed(
            self.ports.control.as_ref(),
            request_key(tenant_id, request_id),
            &request,
            Condition::Version(version),
        )
        .await
        .map_err(|_| EngineError::Contention("request"))?;
        self.audit(tenant_id, actor, "request.approved", request_id, json!({}))
            .await?;
        self.start_processing(&tenant, request_id, actor).await
    }

    /// Rejects a request that has not started processing, with a reason
    /// the subject is told.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for an empty or over-long reason;
    /// [`EngineError::InvalidTransition`] once processing has started.
    pub async fn reject_request(
        &self,
        tenant_id: &str,
        request_id: &str,
        reason: &str,
        actor: &str,
    ) -> Result<PrivacyRequest, EngineError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(EngineError::Invalid(
                "a rejection needs a reason of 1 to 500 characters".into(),
            ));
        }
        let (mut request, version) = self.request_versioned(tenant_id, request_id).await?;
        if !matches!(
            request.status,
            RequestStatus::Unverified | RequestStatus::Pending | RequestStatus::Approved
        ) {
            return Err(EngineError::InvalidTransition {
                what: "request",
                action: "reject",
                state: request.status.as_str(),
            });
        }
        let contact = request.contact.take();
        request.status = RequestStatus::Rejected;
        request.rejection_reason = Some(reason.to_string());
        request.completed_at = Some(self.now());
        request.verify_token_sha256 = None;
        put_typed(
            self.ports.control.as_ref(),
            request_key(tenant_id, request_id),
            &request,
            Condition::Version(version),
        )
        .await
        .map_err(|_| EngineError::Contention("request"))?;
        self.audit(tenant_id, actor, "request.rejected", request_id, json!({}))
            .await?;
        if let Some(to) = contact {
            self.ports
                .notifier
                .send(&Notification {
                    kind: NotificationKind::RequestCompleted,
                    to,
                    subject: "Your privacy request was declined".into(),
                    body: format!(
                        "Your request {request_id} was declined. Reason given:\n\n{reason}\n"
                    ),
                })
                .await?;
        }
        Ok(request)
    }

    /// The request `request_id` of the tenant.
    ///
    /// # Errors
    /// [`EngineError::NotFound`].
    pub async fn request(
        &self,
        tenant_id: &str,
        request_id: &str,
    ) -> Result<PrivacyRequest, EngineError> {
        Ok(self.request_versioned(tenant_id, request_id).await?.0)
    }

    /// The tenant's requests, oldest first, optionally only those in one state.
    ///
    /// # Errors
    /// A port failure.
    pub async fn list_requests(
        &self,
        tenant_id: &str,
        status: Option<RequestStatus>,
    ) -> Result<Vec<PrivacyRequest>, EngineError> {
        let mut out = Vec::new();
        for record in query_all(
            self.ports.control.as_ref(),
            &keys::requests(tenant_id),
            &KeyRange::All,
        )
        .await?
        {
            let request: PrivacyRequest = decode(&record)?;
            if status.is_none_or(|s| s == request.status) {
                out.push(request);
            }
        }
        Ok(out)
    }

    pub(super) async fn request_versioned(
        &self,
        tenant_id: &str,
        request_id: &str,
    ) -> Result<(PrivacyRequest, u64), EngineError> {
        get_typed::<PrivacyRequest>(
            self.ports.control.as_ref(),
            &request_key(tenant_id, request_id),
        )
        .await?
        .ok_or(EngineError::NotFound { what: "request" })
    }

    /// Moves a pending or approved request to processing and carries it
    /// out: an access export at once; an erasure as a job on the queue.
    async fn start_processing(
        &self,
        tenant: &Tenant,
        request_id: &str,
        actor: &str,
    ) -> Result<PrivacyRequest, EngineError> {
        let (mut request, version) = self.request_versioned(&tenant.id, request_id).await?;
        if !matches!(
            request.status,
            RequestStatus::Pending | RequestStatus::Approved
        ) {
            return Ok(request);
        }
        let customers = self.resolve_hash(&tenant.id, &request.subject_hash).await?;
        request.status = RequestStatus::Processing;
        request.subjects = customers
            .iter()
            .map(|c| SubjectRef::of(&tenant.keys().lookup, c))
            .collect();
        let job_id = new_id("job");
        if request.kind == RequestKind::Erasure {
            request.job = Some(job_id.clone());
        }
        put_typed(
            self.ports.control.as_ref(),
            request_key(&tenant.id, request_id),
            &request,
            Condition::Version(version),
        )
        .await
        .map_err(|_| EngineError::Contention("request"))?;
        self.audit(
            &tenant.id,
            actor,
            "request.processing",
            request_id,
            json!({"subjects": customers.len()}),
        )
        .await?;
        match request.kind {
            RequestKind::Access => self.fulfil_access(tenant, request_id, &customers).await,
            RequestKind::Erasure => {
                let job = Job {
                    id: job_id,
                    kind: JobKind::Request,
                    status: JobStatus::Queued,
                    created_by: format!("request:{request_id}"),
                    created_at: self.now(),
                    started_at: None,
                    finished_at: None,
                    total: 0,
                    chunks: 0,
                    counts: Counts::default(),
                    preview: None,
                    plugin_versions: Vec::new(),
                    request: Some(request_id.to_string()),
                    certificate: None,
                    error: None,
                };
                self.queue_job(&tenant.id, job, 0, customers).await?;
                self.request(&tenant.id, request_id).await
            }
        }
    }

    /// Completes an erasure request when its job is done: the certificate,
    /// the subject told, the contact address forgotten.
    pub(super) async fn complete_request_from_job(
        &self,
        tenant_id: &str,
        request_id: &str,
        job: &Job,
    ) -> Result<(), EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let (mut request, version) = self.request_versioned(tenant_id, request_id).await?;
        if request.status != RequestStatus::Processing {
            return Ok(());
        }
        let failed = job.counts.failed > 0;
        request.status = if failed {
            RequestStatus::Failed
        } else {
            RequestStatus::Completed
        };
        request.completed_at = Some(self.now());
        if failed {
            request.error = Some(format!(
                "{} of the subject's records could not be redacted; see job {}",
                job.counts.failed, job.id
            ));
        }
        let contact = request.contact.take();
        let event = self
            .audit(
                tenant_id,
                "worker",
                "request.completed",
                request_id,
                json!({"status": request.status, "job": job.id}),
            )
            .await?;
        if let Some(job_cert) = &job.certificate {
            request.certificate = Some(
                CertificateBody {
                    id: new_id("cert"),
                    tenant: tenant_id.to_string(),
                    scope: CertificateScope::Request {
                        id: request_id.to_string(),
                    },
                    issued_at: self.now(),
                    counts: job_cert.counts.clone(),
                    categories: job_cert.categories.clone(),
                    plugin_versions: job.plugin_versions.clone(),
                    chain_head: event.chain_head(),
                }
                .sign(&tenant.keys().certificate),
            );
        }
        put_typed(
            self.ports.control.as_ref(),
            request_key(tenant_id, request_id),
            &request,
            Condition::Version(version),
        )
        .await
        .map_err(|_| EngineError::Contention("request"))?;
        if let (Some(to), false) = (contact, failed) {
            self.ports
                .notifier
                .send(&Notification {
                    kind: NotificationKind::RequestCompleted,
                    to,
                    subject: "Your personal data has been erased".into(),
                    body: format!("Your erasure request {request_id} is complete. We no longer hold personal data about you, except where the law requires us to keep it.\n"),
                })
                .await?;
        }
        Ok(())
    }
}

/// A request's key.
pub(super) fn request_key(tenant: &str, request: &str) -> RecordKey {
    RecordKey::new(keys::requests(tenant), request)
}

fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}
