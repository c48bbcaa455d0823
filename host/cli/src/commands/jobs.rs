//! `lethe jobs` (a tenant's jobs as a table) and `lethe job` (one job as
//! JSON, with its failures).

use std::process::ExitCode;

use anyhow::Context;
use lethe_core::engine::EngineError;
use lethe_core::engine::model::Job;
use serde_json::json;

use crate::args::{JobArgs, JobsArgs};
use crate::commands::work::all_jobs;
use crate::{node, table};

/// A job's kind as its lowercase name.
pub(crate) fn kind_name(job: &Job) -> String {
    serde_json::to_value(job.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Runs `lethe jobs`.
pub(crate) fn list(args: &JobsArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir.path;
    let node = node::open_existing(dir)?;
    node::runtime()?.block_on(async {
        node::tenant(&node, dir, &args.tenant).await?;
        let jobs = all_jobs(&node.engine, &args.tenant).await?;
        if jobs.is_empty() {
            println!("Tenant {} has no jobs.", args.tenant);
            return Ok(ExitCode::SUCCESS);
        }
        let kinds: Vec<String> = jobs.iter().map(kind_name).collect();
        let rows: Vec<table::JobRow<'_>> = jobs
            .iter()
            .zip(&kinds)
            .map(|(j, kind)| table::JobRow {
                id: &j.id,
                kind,
                status: j.status.as_str(),
                created_by: &j.created_by,
                times: [Some(j.created_at), j.started_at, j.finished_at],
                counts: [j.counts.succeeded, j.counts.failed, j.counts.skipped],
            })
            .collect();
        table::print_jobs(&rows);
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `lethe job`.
pub(crate) fn show(args: &JobArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir.path;
    let node = node::open_existing(dir)?;
    node::runtime()?.block_on(async {
        node::tenant(&node, dir, &args.tenant).await?;
        let job = match node.engine.job(&args.tenant, &args.job).await {
            Ok(job) => job,
            Err(EngineError::NotFound { .. }) => anyhow::bail!(
                "tenant {} has no job {:?}; list its jobs with `lethe jobs --data-dir {} --tenant {}`",
                args.tenant,
                args.job,
                dir.display(),
                args.tenant
            ),
            Err(e) => return Err(e).context("cannot read the job"),
        };
        let failures = node.engine.job_failures(&args.tenant, &args.job).await?;
        let out = json!({"job": job, "failures": failures});
        println!("{}", serde_json::to_string_pretty(&out)?);
        Ok(ExitCode::SUCCESS)
    })
}
