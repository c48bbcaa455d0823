//! The worker: one chunk message in, subjects redacted, the chunk's result
//! written once, the job completed by whoever finishes its last chunk.
//!
//! On AWS the queue pushes messages to the worker Lambda
//! ([`Engine::handle_chunk`] per record, partial batch failures for the
//! rest); locally [`Engine::work_once`] pulls from the queue.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::jobs::{ChunkMessage, chunk_sk, job_key};
use super::model::JobStatus;
use super::redaction::SubjectTask;
use super::{Engine, EngineError, put_typed};
use crate::keys;
use crate::ports::{Condition, RecordKey};

/// What one pull from the queue did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkReport {
    /// Messages received.
    pub received: u32,
    /// Messages handled and acknowledged.
    pub done: u32,
    /// Messages that failed and will be delivered again (or dead-lettered).
    pub retried: u32,
}

impl Engine {
    /// Handles one chunk message. Safe to call any number of times for the
    /// same message, concurrently or after a crash.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a message that is not a chunk (it will
    /// never succeed: let it go to the dead-letter queue), or a transient
    /// failure worth a retry ([`EngineError::is_transient`]).
    pub async fn handle_chunk(&self, body: &str) -> Result<(), EngineError> {
        let message: ChunkMessage = serde_json::from_str(body).map_err(|e| {
            EngineError::Invalid(format!(
                "not a chunk message ({}); it cannot be processed",
                format!("{:?}", e.classify()).to_lowercase()
            ))
        })?;
        let tenant = self.tenant(&message.tenant).await?;
        let (mut job, version) = self.job_versioned(&tenant.id, &message.job).await?;
        if job.status.is_terminal() {
            return Ok(());
        }
        let result_key = RecordKey::new(
            keys::job_detail(&tenant.id, &job.id),
            chunk_sk(message.chunk),
        );
        if self.ports.control.get(&result_key).await?.is_some() {
            return self.finish_job_if_done(&tenant.id, &job.id).await;
        }
        let plugins = self.ports.plugins.plugins(&tenant.id).await?;
        if matches!(
            job.status,
            JobStatus::Queued | JobStatus::AwaitingConfirmation
        ) {
            job.status = JobStatus::Running;
            job.started_at = Some(self.now());
            job.plugin_versions.clone_from(&plugins.versions);
            // Another worker may have done this first; either way it runs.
            let _ = put_typed(
                self.ports.control.as_ref(),
                job_key(&tenant.id, &job.id),
                &job,
                Condition::Version(version),
            )
            .await;
        }
        let tasks: Vec<SubjectTask> = message
            .subjects
            .iter()
            .map(|(row, customer)| SubjectTask {
                row: *row,
                customer: customer.clone(),
            })
            .collect();
        let mut result = self
            .redact_chunk(&tenant, &plugins, &job.id, &tasks)
            .await?;
        result.plugin_versions.clone_from(&plugins.versions);
        match put_typed(
            self.ports.control.as_ref(),
            result_key,
            &result,
            Condition::Absent,
        )
        .await
        {
            Ok(_) => {
                self.audit(
                    &tenant.id,
                    "worker",
                    "chunk.redacted",
                    &job.id,
                    json!({
                        "chunk": message.chunk,
                        "succeeded": result.counts.succeeded,
                        "failed": result.counts.failed,
                        "skipped": result.counts.skipped,
                        "items": result.items,
                    }),
                )
                .await?;
            }
            Err(EngineError::Port(e)) if e.is_condition_failed() => {}
            Err(e) => return Err(e),
        }
        self.finish_job_if_done(&tenant.id, &job.id).await
    }

    /// Pulls up to `max` messages from the queue and handles them, one by
    /// one. Failures are released for a retry after `retry_delay` (and go to
    /// the dead-letter queue after the queue's maximum receives).
    ///
    /// # Errors
    /// Only a failure of the queue itself.
    pub async fn work_once(
        &self,
        max: usize,
        retry_delay: Duration,
    ) -> Result<WorkReport, EngineError> {
        let deliveries = self
            .ports
            .queue
            .receive(max, self.config.visibility)
            .await?;
        let mut report = WorkReport {
            received: u32::try_from(deliveries.len()).unwrap_or(u32::MAX),
            ..WorkReport::default()
        };
        for delivery in deliveries {
            match self.handle_chunk(&delivery.body).await {
                Ok(()) => {
                    self.ports.queue.ack(&delivery.receipt).await?;
                    report.done += 1;
                }
                Err(e) => {
                    tracing::warn!(error = %e, message = %delivery.id, receives = delivery.receive_count, "chunk failed; it will be retried");
                    self.ports
                        .queue
                        .release(&delivery.receipt, retry_delay)
                        .await?;
                    report.retried += 1;
                }
            }
        }
        Ok(report)
    }
}
