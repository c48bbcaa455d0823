//! The demo's bulk and scheduled steps: a bulk erasure with its preview
//! and certificate, a night of the scheduler, and the audit chain's check.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use lethe_core::audit;
use lethe_core::engine::NightKind;
use lethe_core::engine::model::Job;
use lethe_core::ports::read_all;
use lethe_core::tenant::{Region, Tenant};

use super::{BULK, DATASET, Demo, Known, OPERATOR, TENANT, ms, print_certificate, step};
use crate::commands::redact::{print_counts, print_preview, read_csv};
use crate::progress::{self, Show};
use crate::table;

impl Demo<'_> {
    /// Step 5 (c): a bulk redaction from a CSV file, previewed and
    /// confirmed.
    pub(super) async fn bulk(&self, tenant: &Tenant, bulk: &[&Known]) -> anyhow::Result<()> {
        step("5. (c) A bulk redaction from a CSV file");
        let engine = &self.node.engine;
        let path: PathBuf = self.dir.join("bulk-redaction.csv");
        let mut csv = String::from("customer_id\n");
        for k in bulk {
            csv.push_str(&k.customer.id);
            csv.push('\n');
        }
        csv.push_str("no-such-customer\n");
        csv.push_str(&bulk[2].customer.id);
        csv.push('\n');
        csv.push_str("   \n");
        std::fs::write(&path, csv).with_context(|| format!("cannot write {}", path.display()))?;
        let list = read_csv(&path)?;
        println!(
            "An operator wrote {} with {} rows: {BULK} customers to redact, an id that names \
             no customer, one id given twice and a row with no id.",
            path.display(),
            BULK + 3
        );
        let job = engine
            .create_bulk_job(TENANT, &list, OPERATOR)
            .await
            .context("cannot create the bulk job")?;
        println!("Job {} is {}; its preview:", job.id, job.status.as_str());
        if let Some(preview) = &job.preview {
            print_preview(preview);
        }
        let rows: Vec<Vec<String>> = bulk
            .iter()
            .take(5)
            .enumerate()
            .map(|(i, k)| vec![(i + 1).to_string(), self.who(tenant, k)])
            .collect();
        println!("  The first positions, as customers:");
        table::print(&["position", "customer"], &rows);
        let job = engine.confirm_job(TENANT, &job.id, OPERATOR).await?;
        println!(
            "The operator confirmed: {} customers in {} chunk(s) on the queue.",
            job.total, job.chunks
        );
        let started = Instant::now();
        progress::drain_job(
            self.node,
            self.workers,
            TENANT,
            &job.id,
            job.total,
            Show::for_stdout(false),
        )
        .await?;
        let job = engine.job(TENANT, &job.id).await?;
        println!("Job {} finished in {}:", job.id, ms(started));
        print_counts(&job);
        self.job_certificate(tenant, &job).await
    }

    async fn job_certificate(&self, tenant: &Tenant, job: &Job) -> anyhow::Result<()> {
        let Some(cert) = &job.certificate else {
            println!("(The job has no certificate.)");
            return Ok(());
        };
        audit::verify_certificate(
            self.node.engine.ports().control.as_ref(),
            cert,
            &tenant.keys().certificate,
        )
        .await
        .context("the job's certificate does not verify")?;
        println!("Its certificate {} verifies:", cert.id);
        print_certificate(&cert.counts, &cert.categories);
        Ok(())
    }

    /// Step 6 (d): a night of the scheduler (auto-redact, retention,
    /// deadline watch).
    pub(super) async fn night(&self, tenant: &Tenant) -> anyhow::Result<()> {
        step("6. (d) An auto-redact night");
        let engine = &self.node.engine;
        let zone = TimeZone::get(Region::Eu.time_zone())?;
        let midnight = Timestamp::now().to_zoned(zone).start_of_day()?.timestamp();
        let started = Instant::now();
        let report = engine
            .run_nightly(Region::Eu, NightKind::All, midnight)
            .await
            .context("the nightly run failed")?;
        println!(
            "The scheduler fired tonight's run for region eu (00:00 Europe/Paris, {}): \
             auto-redact, retention sweep, deadline watch.",
            report.night
        );
        let auto = report.auto_jobs.iter().find(|(t, _, _)| t == TENANT);
        table::print(
            &["nightly", "result"],
            &[
                vec!["tenants in region".into(), report.tenants.to_string()],
                vec![
                    "auto-redact".into(),
                    match auto {
                        Some((_, job, n)) => format!("job {job}: {n} inactive customers"),
                        None => "nothing new".into(),
                    },
                ],
                vec![
                    "retention".into(),
                    match report.retention_failed {
                        0 => format!(
                            "{} items past their retention deleted",
                            report.retention_deleted
                        ),
                        failed => format!(
                            "{} items past their retention deleted, {failed} failed (left for \
                             the next night)",
                            report.retention_deleted
                        ),
                    },
                ],
                vec![
                    "deadline watch".into(),
                    format!(
                        "{} reminders, {} expired exports destroyed",
                        report.reminders, report.exports_destroyed
                    ),
                ],
                vec!["already ran tonight".into(), report.already_ran.to_string()],
            ],
        );
        let Some((_, job_id, count)) = auto else {
            println!(
                "Tonight's runs already happened in this data directory (each runs once per \
                 tenant and night), so there is nothing more to do."
            );
            return Ok(());
        };
        progress::drain_job(
            self.node,
            self.workers,
            TENANT,
            job_id,
            *count,
            Show::for_stdout(false),
        )
        .await?;
        let job = engine.job(TENANT, job_id).await?;
        println!("Auto-redact job {} finished in {}:", job.id, ms(started));
        print_counts(&job);
        self.job_certificate(tenant, &job).await
    }

    /// Step 7 (e): the audit trail, its chain checked end to end.
    pub(super) async fn audit(&self, tenant: &Tenant) -> anyhow::Result<()> {
        step("7. (e) The audit trail");
        let engine = &self.node.engine;
        let head = audit::verify(engine.ports().control.as_ref(), &tenant.id)
            .await
            .context("the audit chain does not verify")?;
        println!(
            "The audit chain of tenant {TENANT} verifies: {} events, each hashing the one \
             before it, from the genesis to head {}….",
            head.seq,
            &head.hash[..16.min(head.hash.len())]
        );
        let blobs = engine.ports().blobs.as_ref();
        let (_, dataset) = read_all(blobs, DATASET).await?;
        let left = String::from_utf8_lossy(&dataset)
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        println!(
            "The dataset file {DATASET} has {left} rows left: the rows of the customers erased \
             or redacted were removed."
        );
        let messages = self.node.local.mailbox.messages();
        let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
        for m in &messages {
            let kind = m
                .kind
                .map_or_else(|| "other".to_string(), |k| format!("{k:?}"));
            *kinds.entry(kind).or_default() += 1;
        }
        println!(
            "The mailbox ({}) holds {} messages:",
            self.node.local.mailbox.dir().display(),
            messages.len()
        );
        let rows: Vec<Vec<String>> = kinds
            .into_iter()
            .map(|(k, n)| vec![k, n.to_string()])
            .collect();
        table::print(&["kind", "messages"], &rows);
        Ok(())
    }
}
