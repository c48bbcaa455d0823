//! `lethe work`: resume after a stop or a crash: run the workers until the
//! queue is empty, send again any chunk of an unfinished job that has no
//! result, and show the jobs that were unfinished.

use std::process::ExitCode;

use anyhow::Context;
use lethe_core::engine::Engine;
use lethe_core::engine::model::{Job, JobStatus};
use lethe_core::tenant::Region;

use crate::args::WorkArgs;
use crate::progress::{self, Show};
use crate::{node, table};

/// Every job of every tenant that is not over, as (tenant, job).
///
/// # Errors
/// If the store cannot be read.
pub(crate) async fn unfinished_jobs(engine: &Engine) -> anyhow::Result<Vec<(String, Job)>> {
    let mut out = Vec::new();
    for region in Region::ALL {
        for tenant in engine.tenants_in_region(region).await? {
            for job in all_jobs(engine, &tenant.id).await? {
                if !job.status.is_terminal() {
                    out.push((tenant.id.clone(), job));
                }
            }
        }
    }
    Ok(out)
}

/// Every job of a tenant, oldest first.
///
/// # Errors
/// If the store cannot be read.
pub(crate) async fn all_jobs(engine: &Engine, tenant: &str) -> anyhow::Result<Vec<Job>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (jobs, next) = engine.list_jobs(tenant, cursor.as_deref(), 500).await?;
        out.extend(jobs);
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok(out),
        }
    }
}

/// Runs `lethe work`.
pub(crate) fn run(args: &WorkArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir.path;
    let node = node::open_existing(dir)?;
    let workers = usize::from(args.workers);
    let show = Show::for_stdout(args.quiet);
    node::runtime()?.block_on(async {
        let engine = &node.engine;
        let before = unfinished_jobs(engine).await?;
        let stats = node.local.queue.stats()?;
        println!(
            "Queue: {} chunks waiting (any a stopped process had taken are included), {} \
             dead-lettered; {} unfinished jobs.",
            stats.pending,
            stats.dead,
            before.len()
        );
        if stats.pending > 0 {
            let report = progress::drain_all(&node, workers, stats.pending, show).await?;
            println!(
                "Handled {} chunks ({} retried).",
                report.done, report.retried
            );
        }
        // A crash between marking a job queued and sending its chunks leaves
        // chunks that were never sent: send again those with no result.
        let mut resent = 0u32;
        for (tenant, job) in &before {
            let current = engine.job(tenant, &job.id).await?;
            if matches!(current.status, JobStatus::Queued | JobStatus::Running) {
                let sent = engine
                    .requeue_job(tenant, &job.id)
                    .await
                    .with_context(|| format!("cannot requeue job {}", job.id))?;
                if sent > 0 {
                    println!(
                        "Job {}: sent again {sent} chunks that had no result.",
                        job.id
                    );
                }
                resent += sent;
            }
        }
        if resent > 0 {
            let pending = node.local.queue.stats()?.pending;
            progress::drain_all(&node, workers, pending, show).await?;
        }
        let mut rows = Vec::new();
        let mut still_open = 0;
        for (tenant, job) in &before {
            let job = engine.job(tenant, &job.id).await?;
            if !job.status.is_terminal() && job.status != JobStatus::AwaitingConfirmation {
                still_open += 1;
            }
            rows.push(vec![
                tenant.clone(),
                job.id.clone(),
                crate::commands::jobs::kind_name(&job),
                job.status.as_str().to_string(),
                job.counts.succeeded.to_string(),
                job.counts.failed.to_string(),
                job.counts.skipped.to_string(),
                job.total.to_string(),
            ]);
        }
        if rows.is_empty() {
            println!("No job was unfinished.");
        } else {
            println!("Jobs that were unfinished, now:");
            table::print(
                &[
                    "tenant",
                    "job",
                    "kind",
                    "status",
                    "succeeded",
                    "failed",
                    "skipped",
                    "total",
                ],
                &rows,
            );
        }
        let dead = node.local.queue.stats()?.dead;
        if dead > 0 {
            eprintln!(
                "{dead} chunks are in the dead-letter queue (they failed {} times); see the \
                 warnings above (LETHE_LOG=warn) for why",
                5
            );
        }
        if still_open > 0 {
            eprintln!(
                "{still_open} jobs are still unfinished; run `lethe work --data-dir {}` again",
                dir.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        Ok(ExitCode::SUCCESS)
    })
}
