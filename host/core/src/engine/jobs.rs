//! Jobs: bulk previews, confirmation, chunks on the queue, completion.
//!
//! A job's subjects travel on the queue in chunks ([`ChunkMessage`]); each
//! chunk's outcome is written once under `chunk#{n}`; the worker that
//! writes the last one completes the job (a conditional write, so exactly
//! one does), signs its certificate and sends the completion message.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::model::{
    ChunkResult, Counts, CustomerHead, DuplicateGroup, Failure, Job, JobKind, JobStatus, Preview,
};
use super::{Engine, EngineError, decode, encode, get_typed, new_id, put_typed};
use crate::audit::{CertificateBody, CertificateScope};
use crate::bulk_input::IdList;
use crate::keys;
use crate::lookup::IdentifierKind;
use crate::ports::{
    Condition, KeyRange, Notification, NotificationKind, Page, query_all, read_all,
};

/// The body of a queue message: one chunk of one job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkMessage {
    /// The tenant.
    pub tenant: String,
    /// The job.
    pub job: String,
    /// The chunk's number, from 0.
    pub chunk: u32,
    /// The chunk's subjects: (row in the job's list, customer id).
    pub subjects: Vec<(usize, String)>,
}

impl Engine {
    /// Creates a bulk redaction job from an id list, in
    /// `awaiting_confirmation`, with its preview: how many ids match a
    /// customer, which rows are unknown, and which customers share a name,
    /// e-mail or phone (to verify before confirming).
    ///
    /// Rows are positions in the list of valid, distinct ids (1-based).
    ///
    /// # Errors
    /// [`EngineError::NotFound`] for an unknown tenant, or a port failure.
    pub async fn create_bulk_job(
        &self,
        tenant_id: &str,
        list: &IdList,
        created_by: &str,
    ) -> Result<Job, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let id = new_id("job");
        let mut preview = Preview {
            submitted: list.ids.len() as u64,
            issues: list.issues.clone(),
            ..Preview::default()
        };
        let mut by_hash: HashMap<String, (IdentifierKind, Vec<usize>)> = HashMap::new();
        for (i, customer) in list.ids.iter().enumerate() {
            let row = i + 1;
            match get_typed::<CustomerHead>(
                self.ports.data.as_ref(),
                &keys::head(tenant_id, customer),
            )
            .await?
            {
                Some((head, _)) => {
                    preview.matched += 1;
                    for (hash, kind) in head.lookups {
                        if matches!(
                            kind,
                            IdentifierKind::Name | IdentifierKind::Email | IdentifierKind::Phone
                        ) {
                            by_hash
                                .entry(hash)
                                .or_insert((kind, Vec::new()))
                                .1
                                .push(row);
                        }
                    }
                }
                None => preview.unknown_rows.push(row),
            }
        }
        for (hash, (kind, rows)) in by_hash {
            let all = self.resolve_hash(tenant_id, &hash).await?.len() as u64;
            let others = all.saturating_sub(rows.len() as u64);
            if rows.len() > 1 || others > 0 {
                preview.duplicate_groups.push(DuplicateGroup {
                    shared: kind,
                    rows,
                    others_not_in_list: others,
                });
            }
        }
        preview
            .duplicate_groups
            .sort_by(|a, b| a.rows.cmp(&b.rows).then(a.shared.cmp(&b.shared)));
        self.ports
            .blobs
            .put(
                &keys::upload(tenant_id, &id),
                list.to_lines().into(),
                "text/plain",
                crate::ports::PutCondition::Any,
            )
            .await?;
        let job = Job {
            id: id.clone(),
            kind: JobKind::Manual,
            status: JobStatus::AwaitingConfirmation,
            created_by: created_by.to_string(),
            created_at: self.now(),
            started_at: None,
            finished_at: None,
            total: list.ids.len() as u64,
            chunks: 0,
            counts: Counts::default(),
            preview: Some(preview),
            plugin_versions: Vec::new(),
            request: None,
            certificate: None,
            error: None,
        };
        put_typed(
            self.ports.control.as_ref(),
            job_key(tenant_id, &id),
            &job,
            Condition::Absent,
        )
        .await?;
        self.audit(
            &tenant.id,
            created_by,
            "job.created",
            &id,
            json!({"kind": "manual", "ids": job.total}),
        )
        .await?;
        Ok(job)
    }

    /// Confirms a bulk job: its subjects go on the queue in chunks.
    ///
    /// # Errors
    /// [`EngineError::InvalidTransition`] unless the job awaits confirmation.
    pub async fn confirm_job(
        &self,
        tenant_id: &str,
        job_id: &str,
        actor: &str,
    ) -> Result<Job, EngineError> {
        let (job, version) = self.job_versioned(tenant_id, job_id).await?;
        if job.status != JobStatus::AwaitingConfirmation {
            return Err(EngineError::InvalidTransition {
                what: "job",
                action: "confirm",
                state: job.status.as_str(),
            });
        }
        let subjects = self.job_subjects(tenant_id, job_id).await?;
        let job = self.queue_job(tenant_id, job, version, subjects).await?;
        self.audit(
            tenant_id,
            actor,
            "job.confirmed",
            job_id,
            json!({"chunks": job.chunks}),
        )
        .await?;
        Ok(job)
    }

    /// Cancels a job that has not been confirmed.
    ///
    /// # Errors
    /// [`EngineError::InvalidTransition`] unless the job awaits confirmation.
    pub async fn cancel_job(
        &self,
        tenant_id: &str,
        job_id: &str,
        actor: &str,
    ) -> Result<Job, EngineError> {
        let (mut job, version) = self.job_versioned(tenant_id, job_id).await?;
        if job.status != JobStatus::AwaitingConfirmation {
            return Err(EngineError::InvalidTransition {
                what: "job",
                action: "cancel",
                state: job.status.as_str(),
            });
        }
        job.status = JobStatus::Cancelled;
        job.finished_at = Some(self.now());
        put_typed(
            self.ports.control.as_ref(),
            job_key(tenant_id, job_id),
            &job,
            Condition::Version(version),
        )
        .await
        .map_err(|_| EngineError::Contention("job"))?;
        self.ports
            .blobs
            .delete(&keys::upload(tenant_id, job_id))
            .await?;
        self.audit(tenant_id, actor, "job.cancelled", job_id, json!({}))
            .await?;
        Ok(job)
    }

    /// Stores a job's subject list, marks it queued with its chunk count,
    /// then sends its chunks. (A crash between the last two leaves a queued
    /// job with missing chunks, which [`Engine::requeue_job`] sends again.)
    pub(super) async fn queue_job(
        &self,
        tenant_id: &str,
        mut job: Job,
        version: u64,
        subjects: Vec<String>,
    ) -> Result<Job, EngineError> {
        let list = IdList {
            ids: subjects,
            issues: Vec::new(),
        };
        self.ports
            .blobs
            .put(
                &keys::upload(tenant_id, &job.id),
                list.to_lines().into(),
                "text/plain",
                crate::ports::PutCondition::Any,
            )
            .await?;
        let messages = chunk_messages(tenant_id, &job.id, &list.ids, self.config.chunk_size);
        job.chunks = u32::try_from(messages.len()).unwrap_or(u32::MAX);
        job.total = list.ids.len() as u64;
        job.status = JobStatus::Queued;
        let condition = if version == 0 {
            Condition::Absent
        } else {
            Condition::Version(version)
        };
        put_typed(
            self.ports.control.as_ref(),
            job_key(tenant_id, &job.id),
            &job,
            condition,
        )
        .await
        .map_err(|_| EngineError::Contention("job"))?;
        if messages.is_empty() {
            self.finish_job_if_done(tenant_id, &job.id).await?;
            return self.job(tenant_id, &job.id).await;
        }
        let bodies = messages
            .iter()
            .map(|m| serde_json::to_string(m).expect("chunk messages serialize"))
            .collect();
        self.ports.queue.send(bodies).await?;
        Ok(job)
    }

    /// Sends again every chunk of an unfinished job that has no result yet
    /// (after a crash between queueing and sending, or a message lost to
    /// the dead-letter queue). Safe any time: chunks are idempotent.
    /// Returns how many chunks were sent.
    ///
    /// # Errors
    /// [`EngineError::InvalidTransition`] for a job that is not queued or running.
    pub async fn requeue_job(&self, tenant_id: &str, job_id: &str) -> Result<u32, EngineError> {
        let job = self.job(tenant_id, job_id).await?;
        if !matches!(job.status, JobStatus::Queued | JobStatus::Running) {
            return Err(EngineError::InvalidTransition {
                what: "job",
                action: "requeue",
                state: job.status.as_str(),
            });
        }
        let done: std::collections::HashSet<String> = query_all(
            self.ports.control.as_ref(),
            &keys::job_detail(tenant_id, job_id),
            &KeyRange::Prefix("chunk#".into()),
        )
        .await?
        .into_iter()
        .map(|r| r.key.sk)
        .collect();
        let subjects = self.job_subjects(tenant_id, job_id).await?;
        let messages: Vec<String> =
            chunk_messages(tenant_id, job_id, &subjects, self.config.chunk_size)
                .into_iter()
                .filter(|m| !done.contains(&chunk_sk(m.chunk)))
                .map(|m| serde_json::to_string(&m).expect("chunk messages serialize"))
                .collect();
        let sent = u32::try_from(messages.len()).unwrap_or(u32::MAX);
        if sent > 0 {
            self.ports.queue.send(messages).await?;
        } else {
            self.finish_job_if_done(tenant_id, job_id).await?;
        }
        Ok(sent)
    }

    /// The subjects of a job (kept until the job completes).
    async fn job_subjects(
        &self,
        tenant_id: &str,
        job_id: &str,
    ) -> Result<Vec<String>, EngineError> {
        let (_, bytes) =
            read_all(self.ports.blobs.as_ref(), &keys::upload(tenant_id, job_id)).await?;
        Ok(IdList::from_lines(&String::from_utf8_lossy(&bytes)).ids)
    }

    /// The job `job_id` of the tenant. While it is queued or running, its
    /// counts are those of the chunks finished so far.
    ///
    /// # Errors
    /// [`EngineError::NotFound`].
    pub async fn job(&self, tenant_id: &str, job_id: &str) -> Result<Job, EngineError> {
        let mut job = self.job_versioned(tenant_id, job_id).await?.0;
        if matches!(job.status, JobStatus::Queued | JobStatus::Running) {
            job.counts = self.counts_so_far(tenant_id, job_id).await?;
        }
        Ok(job)
    }

    /// The counts of the chunks a job has finished so far (what a progress
    /// bar shows while it runs; the job record holds them once it is over).
    async fn counts_so_far(&self, tenant_id: &str, job_id: &str) -> Result<Counts, EngineError> {
        let mut counts = Counts::default();
        for record in query_all(
            self.ports.control.as_ref(),
            &keys::job_detail(tenant_id, job_id),
            &KeyRange::Prefix("chunk#".into()),
        )
        .await?
        {
            counts.add(decode::<ChunkResult>(&record)?.counts);
        }
        Ok(counts)
    }

    pub(super) async fn job_versioned(
        &self,
        tenant_id: &str,
        job_id: &str,
    ) -> Result<(Job, u64), EngineError> {
        get_typed::<Job>(self.ports.control.as_ref(), &job_key(tenant_id, job_id))
            .await?
            .ok_or(EngineError::NotFound { what: "job" })
    }

    /// A page of the tenant's jobs, oldest first (ids sort by creation).
    ///
    /// # Errors
    /// A port failure.
    pub async fn list_jobs(
        &self,
        tenant_id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Job>, Option<String>), EngineError> {
        let Page { records, next } = self
            .ports
            .control
            .query(&keys::jobs(tenant_id), &KeyRange::All, cursor, limit)
            .await?;
        let jobs = records
            .iter()
            .map(decode::<Job>)
            .collect::<Result<_, _>>()?;
        Ok((jobs, next))
    }

    /// Every failure of a job, by row.
    ///
    /// # Errors
    /// A port failure.
    pub async fn job_failures(
        &self,
        tenant_id: &str,
        job_id: &str,
    ) -> Result<Vec<Failure>, EngineError> {
        self.job(tenant_id, job_id).await?;
        let mut failures: Vec<Failure> = Vec::new();
        for record in query_all(
            self.ports.control.as_ref(),
            &keys::job_detail(tenant_id, job_id),
            &KeyRange::Prefix("chunk#".into()),
        )
        .await?
        {
            failures.extend(decode::<ChunkResult>(&record)?.failures);
        }
        failures.sort_by_key(|f| f.row);
        Ok(failures)
    }

    /// Completes the job if every chunk has its result. Exactly one caller
    /// wins the conditional write and does the completion's side effects.
    pub(super) async fn finish_job_if_done(
        &self,
        tenant_id: &str,
        job_id: &str,
    ) -> Result<(), EngineError> {
        let (mut job, version) = self.job_versioned(tenant_id, job_id).await?;
        if job.status.is_terminal() || job.status == JobStatus::AwaitingConfirmation {
            return Ok(());
        }
        let results = query_all(
            self.ports.control.as_ref(),
            &keys::job_detail(tenant_id, job_id),
            &KeyRange::Prefix("chunk#".into()),
        )
        .await?;
        if (results.len() as u64) < u64::from(job.chunks) {
            return Ok(());
        }
        let mut counts = Counts::default();
        let mut categories: BTreeMap<String, u64> = BTreeMap::new();
        let mut items = 0;
        let mut dataset_rows = 0;
        for record in &results {
            let r: ChunkResult = decode(record)?;
            counts.add(r.counts);
            for (k, v) in r.categories {
                *categories.entry(k).or_default() += v;
            }
            items += r.items;
            dataset_rows += r.dataset_rows;
            for v in r.plugin_versions {
                if !job.plugin_versions.contains(&v) {
                    job.plugin_versions.push(v);
                }
            }
        }
        let tenant = self.tenant(tenant_id).await?;
        let now = self.now();
        job.counts = counts;
        job.finished_at = Some(now);
        job.started_at.get_or_insert(now);
        job.status = if counts.failed > 0 {
            JobStatus::CompletedWithErrors
        } else {
            JobStatus::Completed
        };
        let event = self
            .audit(
                tenant_id,
                "worker",
                "job.completed",
                job_id,
                json!({
                    "status": job.status, "succeeded": counts.succeeded, "failed": counts.failed,
                    "skipped": counts.skipped, "items": items, "dataset_rows": dataset_rows,
                }),
            )
            .await?;
        let cert_counts = BTreeMap::from([
            ("subjects_succeeded".to_string(), counts.succeeded),
            ("subjects_failed".to_string(), counts.failed),
            ("subjects_skipped".to_string(), counts.skipped),
            ("items_redacted".to_string(), items),
            ("dataset_rows".to_string(), dataset_rows),
        ]);
        job.certificate = Some(
            CertificateBody {
                id: new_id("cert"),
                tenant: tenant_id.to_string(),
                scope: CertificateScope::Job {
                    id: job_id.to_string(),
                },
                issued_at: now,
                counts: cert_counts,
                categories,
                plugin_versions: job.plugin_versions.clone(),
                chain_head: event.chain_head(),
            }
            .sign(&tenant.keys().certificate),
        );
        match put_typed(
            self.ports.control.as_ref(),
            job_key(tenant_id, job_id),
            &job,
            Condition::Version(version),
        )
        .await
        {
            Ok(_) => {}
            Err(EngineError::Port(e)) if e.is_condition_failed() => return Ok(()),
            Err(e) => return Err(e),
        }
        self.ports
            .blobs
            .delete(&keys::upload(tenant_id, job_id))
            .await?;
        if let Some(request) = &job.request {
            self.complete_request_from_job(tenant_id, request, &job)
                .await?;
        }
        if let Some(to) = &tenant.settings.operator_email {
            let body = format!(
                "Redaction job {job_id} ({kind}) finished: {status}.\n\nSucceeded: {s}\nFailed: {f}\nSkipped: {k}\n",
                kind = encode(&job.kind).as_str().unwrap_or("job"),
                status = job.status.as_str(),
                s = counts.succeeded,
                f = counts.failed,
                k = counts.skipped,
            );
            self.ports
                .notifier
                .send(&Notification {
                    kind: NotificationKind::JobCompleted,
                    to: to.clone(),
                    subject: format!("Lethe: redaction job {} {}", job_id, job.status.as_str()),
                    body,
                })
                .await?;
        }
        Ok(())
    }
}

/// A job's key in the control table.
pub(super) fn job_key(tenant: &str, job: &str) -> crate::ports::RecordKey {
    crate::ports::RecordKey::new(keys::jobs(tenant), job)
}

/// The sort key of a chunk's result.
pub(super) fn chunk_sk(chunk: u32) -> String {
    format!("chunk#{chunk:06}")
}

/// A job's subjects cut into chunk messages; rows are 1-based positions.
fn chunk_messages(tenant: &str, job: &str, subjects: &[String], size: usize) -> Vec<ChunkMessage> {
    subjects
        .chunks(size.max(1))
        .enumerate()
        .map(|(n, chunk)| ChunkMessage {
            tenant: tenant.to_string(),
            job: job.to_string(),
            chunk: u32::try_from(n).unwrap_or(u32::MAX),
            subjects: chunk
                .iter()
                .enumerate()
                .map(|(i, c)| (n * size.max(1) + i + 1, c.clone()))
                .collect(),
        })
        .collect()
}
