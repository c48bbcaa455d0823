//! The nightly runs of a region: auto-redact of inactive customers, the
//! retention sweep, and the deadline watch (reminders, export expiry).
//!
//! The scheduler (EventBridge on AWS, an in-process clock locally) fires
//! at 00:00 in the region's time zone. Each kind of run happens at most once
//! per tenant and night: a marker keyed by the night's date is created
//! first (condition `Absent`), so a second trigger finds it and does
//! nothing, and a run that crashed half-way resumes from the job it names.

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::jobs::job_key;
use super::model::{Counts, CustomerHead, Job, JobKind, JobStatus, RequestStatus};
use super::requests::request_key;
use super::{Engine, EngineError, decode, get_typed, new_id, put_typed};
use crate::keys;
use crate::ports::{Condition, KeyRange, Notification, NotificationKind, PortError, Record};
use crate::tenant::{AutoRedact, Region, Tenant};

/// Which nightly run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NightKind {
    /// Auto-redact of inactive customers.
    AutoRedact,
    /// Deletion of items past their retention.
    Retention,
    /// Reminders before request deadlines, and expiry of exports.
    DeadlineWatch,
    /// All three.
    All,
}

impl NightKind {
    fn includes(self, other: NightKind) -> bool {
        self == NightKind::All || self == other
    }
}

/// What a nightly run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NightReport {
    /// The night (date in the region's time zone).
    pub night: String,
    /// Tenants of the region.
    pub tenants: u32,
    /// Auto-redact jobs queued: (tenant, job, customers).
    pub auto_jobs: Vec<(String, String, u64)>,
    /// Items deleted by retention.
    pub retention_deleted: u64,
    /// Items due for deletion that could not be deleted (the store
    /// failed); they stay due, and the next night tries them again.
    #[serde(default)]
    pub retention_failed: u64,
    /// Deadline reminders sent.
    pub reminders: u32,
    /// Expired exports destroyed.
    pub exports_destroyed: u32,
    /// Runs skipped because they already happened this night.
    pub already_ran: u32,
}

/// Index entries read per page by the retention sweep.
const RETENTION_PAGE: usize = 500;

/// What a retention sweep did with the items it found due.
#[derive(Debug, Default)]
struct Sweep {
    /// Deleted.
    deleted: u64,
    /// Changed or gone since the index was read (the delete's version
    /// condition failed): a newer write decides, not this sweep.
    changed: u64,
    /// Not deleted because the store failed.
    failed: u64,
    /// The first of those failures (port errors carry no record values).
    first_error: Option<PortError>,
}

impl Sweep {
    /// Counts one page's delete results.
    fn tally(&mut self, results: Vec<Result<u64, PortError>>) {
        for result in results {
            match result {
                Ok(_) => self.deleted += 1,
                Err(e) if e.is_condition_failed() => self.changed += 1,
                Err(e) => {
                    self.failed += 1;
                    self.first_error.get_or_insert(e);
                }
            }
        }
    }
}

impl Engine {
    /// Runs the nightly work of `region` for the night starting at
    /// `scheduled_at`.
    ///
    /// # Errors
    /// A port or plugin failure; runs finished before it stay done.
    pub async fn run_nightly(
        &self,
        region: Region,
        kind: NightKind,
        scheduled_at: Timestamp,
    ) -> Result<NightReport, EngineError> {
        let zone = TimeZone::get(region.time_zone()).unwrap_or(TimeZone::UTC);
        let night = scheduled_at.to_zoned(zone).date().to_string();
        let mut report = NightReport {
            night: night.clone(),
            ..NightReport::default()
        };
        for tenant in self.tenants_in_region(region).await? {
            report.tenants += 1;
            if kind.includes(NightKind::AutoRedact) {
                self.auto_redact(&tenant, &night, scheduled_at, &mut report)
                    .await?;
            }
            if kind.includes(NightKind::Retention) {
                self.retention_sweep(&tenant, &night, &mut report).await?;
            }
            if kind.includes(NightKind::DeadlineWatch) {
                self.deadline_watch(&tenant, &mut report).await?;
            }
        }
        Ok(report)
    }

    /// Claims tonight's run of `what` for a tenant; returns the job id to
    /// use and whether the run already finished.
    async fn claim_night(
        &self,
        tenant: &str,
        what: &str,
        night: &str,
    ) -> Result<(String, bool), EngineError> {
        let key = keys::night(tenant, what, night);
        let job_id = new_id("job");
        match self
            .ports
            .control
            .put(
                Record::new(key.clone(), json!({"job": job_id})),
                Condition::Absent,
            )
            .await
        {
            Ok(_) => Ok((job_id, false)),
            Err(e) if e.is_condition_failed() => {
                let (marker, _) = get_typed::<serde_json::Value>(self.ports.control.as_ref(), &key)
                    .await?
                    .ok_or(EngineError::Contention("nightly marker"))?;
                let job_id = marker["job"].as_str().unwrap_or_default().to_string();
                let exists = self
                    .ports
                    .control
                    .get(&job_key(tenant, &job_id))
                    .await?
                    .is_some();
                Ok((job_id, exists))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn auto_redact(
        &self,
        tenant: &Tenant,
        night: &str,
        scheduled_at: Timestamp,
        report: &mut NightReport,
    ) -> Result<(), EngineError> {
        let AutoRedact::AfterDays(days) = tenant.settings.auto_redact else {
            return Ok(());
        };
        let (job_id, done) = self.claim_night(&tenant.id, "auto", night).await?;
        if done {
            report.already_ran += 1;
            return Ok(());
        }
        let cutoff = scheduled_at - SignedDuration::from_hours(24 * i64::from(days));
        let bound = format!("{:012}#\u{10FFFF}", cutoff.as_second().max(0));
        let prefix = keys::customer(&tenant.id, "");
        let mut candidates: Vec<String> = Vec::new();
        for shard in 0..keys::INDEX_SHARDS {
            let index = keys::inactivity_index(&tenant.id, shard);
            let mut cursor: Option<String> = None;
            loop {
                let page = self
                    .ports
                    .data
                    .query_index(
                        &index,
                        &KeyRange::AtMost(bound.clone()),
                        cursor.as_deref(),
                        1000,
                    )
                    .await?;
                for record in &page.records {
                    let head: CustomerHead = decode(record)?;
                    let inactive = head.redacted_at.is_none()
                        && head.last_active_at.is_some_and(|at| at <= cutoff);
                    if let (true, Some(customer)) =
                        (inactive, record.key.pk.strip_prefix(prefix.as_str()))
                    {
                        candidates.push(customer.to_string());
                    }
                }
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        candidates.sort();
        let job = Job {
            id: job_id.clone(),
            kind: JobKind::Auto,
            status: JobStatus::Queued,
            created_by: "scheduler".into(),
            created_at: self.now(),
            started_at: None,
            finished_at: None,
            total: 0,
            chunks: 0,
            counts: Counts::default(),
            preview: None,
            plugin_versions: Vec::new(),
            request: None,
            certificate: None,
            error: None,
        };
        let count = candidates.len() as u64;
        self.queue_job(&tenant.id, job, 0, candidates).await?;
        self.audit(
            &tenant.id,
            "scheduler",
            "auto-redact.started",
            &job_id,
            json!({"night": night, "days": days, "customers": count}),
        )
        .await?;
        report.auto_jobs.push((tenant.id.clone(), job_id, count));
        Ok(())
    }

    async fn retention_sweep(
        &self,
        tenant: &Tenant,
        night: &str,
        report: &mut NightReport,
    ) -> Result<(), EngineError> {
        let (job_id, done) = self.claim_night(&tenant.id, "retention", night).await?;
        if done {
            report.already_ran += 1;
            return Ok(());
        }
        let now = self.now();
        let bound = format!("{:012}#\u{10FFFF}", now.as_second().max(0));
        let mut sweep = Sweep::default();
        for shard in 0..keys::INDEX_SHARDS {
            let index = keys::expiry_index(&tenant.id, shard);
            // Page on with the cursor, never from the start again: on
            // DynamoDB the index lags the deletes just made, so a fresh
            // query would find them again, fail their conditions, and end
            // the sweep a page in.
            let mut cursor: Option<String> = None;
            loop {
                let page = self
                    .ports
                    .data
                    .query_index(
                        &index,
                        &KeyRange::AtMost(bound.clone()),
                        cursor.as_deref(),
                        RETENTION_PAGE,
                    )
                    .await?;
                let writes: Vec<_> = page
                    .records
                    .iter()
                    .filter(|r| r.expires_at.is_some_and(|e| e <= now.as_second()))
                    .map(|r| crate::ports::Write::Delete {
                        key: r.key.clone(),
                        condition: Condition::Version(r.version),
                    })
                    .collect();
                if !writes.is_empty() {
                    sweep.tally(self.ports.data.write_batch(writes).await?);
                }
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        let now = self.now();
        let job = Job {
            id: job_id.clone(),
            kind: JobKind::Retention,
            status: if sweep.failed == 0 {
                JobStatus::Completed
            } else {
                JobStatus::CompletedWithErrors
            },
            created_by: "scheduler".into(),
            created_at: now,
            started_at: Some(now),
            finished_at: Some(now),
            total: sweep.deleted + sweep.changed + sweep.failed,
            chunks: 0,
            counts: Counts {
                succeeded: sweep.deleted,
                failed: sweep.failed,
                skipped: sweep.changed,
            },
            preview: None,
            plugin_versions: Vec::new(),
            request: None,
            certificate: None,
            error: sweep.first_error.as_ref().map(|e| {
                format!(
                    "{} of the items due could not be deleted (first: {e}); they stay due \
                     and the next night's sweep tries them again",
                    sweep.failed
                )
            }),
        };
        put_typed(
            self.ports.control.as_ref(),
            job_key(&tenant.id, &job_id),
            &job,
            Condition::None,
        )
        .await?;
        self.audit(
            &tenant.id,
            "scheduler",
            "retention.swept",
            &job_id,
            json!({
                "night": night,
                "deleted": sweep.deleted,
                "changed": sweep.changed,
                "failed": sweep.failed,
            }),
        )
        .await?;
        report.retention_deleted += sweep.deleted;
        report.retention_failed += sweep.failed;
        Ok(())
    }

    async fn deadline_watch(
        &self,
        tenant: &Tenant,
        report: &mut NightReport,
    ) -> Result<(), EngineError> {
        let now = self.now();
        for request in self.list_requests(&tenant.id, None).await? {
            if let Some(export) = &request.export
                && !export.destroyed
                && export.expires_at <= now
            {
                self.destroy_export(&tenant.id, &request.id).await?;
                report.exports_destroyed += 1;
            }
            if request.status.is_terminal() || request.status == RequestStatus::Unverified {
                continue;
            }
            let hours_left = request.due_at.duration_since(now).as_hours();
            let days_left = hours_left / 24;
            let due: Vec<u32> = self
                .config
                .reminder_days
                .iter()
                .copied()
                .filter(|&d| {
                    hours_left <= 24 * i64::from(d) && !request.reminders_sent.contains(&d)
                })
                .collect();
            if due.is_empty() {
                continue;
            }
            let (mut current, version) = self.request_versioned(&tenant.id, &request.id).await?;
            current.reminders_sent.extend(&due);
            if put_typed(
                self.ports.control.as_ref(),
                request_key(&tenant.id, &request.id),
                &current,
                Condition::Version(version),
            )
            .await
            .is_err()
            {
                continue; // changed meanwhile; tomorrow's watch sees it again
            }
            self.audit(
                &tenant.id,
                "scheduler",
                "request.reminder",
                &request.id,
                json!({"days_left": days_left}),
            )
            .await?;
            report.reminders += 1;
            if let Some(to) = &tenant.settings.operator_email {
                self.ports
                    .notifier
                    .send(&Notification {
                        kind: NotificationKind::DeadlineReminder,
                        to: to.clone(),
                        subject: format!(
                            "Privacy request {} is due in {} days",
                            request.id,
                            days_left.max(0)
                        ),
                        body: format!(
                            "Privacy request {} ({:?}, {}) must be completed by {}.\n",
                            request.id,
                            request.kind,
                            request.status.as_str(),
                            request.due_at
                        ),
                    })
                    .await?;
            }
        }
        Ok(())
    }
}
