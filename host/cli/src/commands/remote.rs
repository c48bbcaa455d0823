//! `lethe remote`: the engine commands over HTTP, against a running
//! `lethe serve` (or the API on AWS): a CSV bulk redaction followed to the
//! end with a progress bar, the job list, one job, one request.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;
use lethe_core::engine::model::{Counts, JobStatus, Preview};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::args::{RemoteArgs, RemoteCommand, RemoteRedactArgs};
use crate::client::{Body, Client};
use crate::commands::redact::{ask, print_preview};
use crate::{node, table};

/// The first wait between two looks at a running job.
const POLL_FIRST: Duration = Duration::from_millis(200);
/// The longest wait between two looks at a running job.
const POLL_MAX: Duration = Duration::from_secs(2);

/// A job as the API shows it (the fields this command uses).
#[derive(Debug, Deserialize)]
pub(crate) struct RemoteJob {
    /// Its id.
    pub(crate) id: String,
    /// `manual`, `auto`, `retention` or `request`.
    pub(crate) kind: String,
    /// Where it is.
    pub(crate) status: JobStatus,
    /// Who started it.
    pub(crate) created_by: String,
    /// When.
    pub(crate) created_at: Timestamp,
    /// When a worker started.
    pub(crate) started_at: Option<Timestamp>,
    /// When it ended.
    pub(crate) finished_at: Option<Timestamp>,
    /// Subjects it covers.
    pub(crate) total: u64,
    /// Chunks.
    pub(crate) chunks: u32,
    /// Outcomes so far.
    pub(crate) counts: Counts,
    /// A bulk job's preview.
    pub(crate) preview: Option<Preview>,
}

/// A page of a list.
#[derive(Debug, Deserialize)]
struct Page<T> {
    /// This page.
    items: Vec<T>,
    /// Where the next page starts.
    next_cursor: Option<String>,
}

/// Runs `lethe remote ...`.
pub(crate) fn run(args: &RemoteArgs) -> anyhow::Result<ExitCode> {
    let client = Client::from_env(&args.endpoint)?;
    node::runtime()?.block_on(async {
        match &args.command {
            RemoteCommand::Redact(redact) => self::redact(&client, redact).await,
            RemoteCommand::Jobs => jobs(&client).await,
            RemoteCommand::Job { id } => job(&client, id).await,
            RemoteCommand::Request { id, json } => request(&client, id, *json).await,
            RemoteCommand::Plugins { json } => {
                super::plugin_remote::list(&client, None, *json).await
            }
        }
    })
}

/// `/v1/jobs/{id}` and friends, with the id percent-encoded.
fn job_path(id: &str, tail: &str) -> String {
    format!("/v1/jobs/{}{tail}", encode(id))
}

/// A path segment, percent-encoded.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs `lethe remote redact`.
async fn redact(client: &Client, args: &RemoteRedactArgs) -> anyhow::Result<ExitCode> {
    let csv = std::fs::read(&args.csv).with_context(|| {
        format!(
            "cannot read the CSV file {}; check the path given to --csv",
            args.csv.display()
        )
    })?;
    let job: RemoteJob = client
        .post("/v1/redactions", Body::Bytes("text/csv", csv))
        .await
        .context("the server refused the list")?;
    println!("Job {} created by {}: preview", job.id, job.created_by);
    if let Some(preview) = &job.preview {
        print_preview(preview);
    }
    let matched = job.preview.as_ref().map_or(0, |p| p.matched);
    let confirmed = if args.yes {
        true
    } else if std::io::stdin().is_terminal() {
        ask(&format!(
            "Redact the {matched} matched customers of job {}? This cannot be undone.",
            job.id
        ))?
    } else {
        cancel(client, &job.id).await?;
        anyhow::bail!(
            "not confirmed: stdin is not a terminal, so lethe cannot ask; job {} was cancelled. \
             Pass --yes to confirm without asking",
            job.id
        );
    };
    if !confirmed {
        cancel(client, &job.id).await?;
        println!("Not confirmed: job {} cancelled, nothing redacted.", job.id);
        return Ok(ExitCode::SUCCESS);
    }
    let job: RemoteJob = client
        .post(&job_path(&job.id, "/confirm"), Body::Empty)
        .await
        .with_context(|| {
            format!(
                "job {} was not confirmed and waits (an admin key can confirm it with \
                 POST /v1/jobs/{}/confirm, any operator can cancel it)",
                job.id, job.id
            )
        })?;
    println!(
        "Job {} confirmed: {} customers in {} chunks queued on {}.",
        job.id,
        job.total,
        job.chunks,
        client.base()
    );
    let job = follow(client, job, args.quiet, Duration::from_secs(args.timeout)).await?;
    println!("Job {}:", job.id);
    print_counts(&job);
    match job.status {
        JobStatus::Completed => Ok(ExitCode::SUCCESS),
        JobStatus::CompletedWithErrors | JobStatus::Failed => {
            eprintln!(
                "{} customers could not be redacted; list them (rows and subject refs) with \
                 `lethe remote job {}`",
                job.counts.failed, job.id
            );
            Ok(ExitCode::FAILURE)
        }
        other => {
            eprintln!("job {} ended {}", job.id, other.as_str());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Cancels a job that was not confirmed.
async fn cancel(client: &Client, id: &str) -> anyhow::Result<()> {
    let _: Value = client
        .post(&job_path(id, "/cancel"), Body::Empty)
        .await
        .with_context(|| format!("cannot cancel job {id}"))?;
    Ok(())
}

/// Polls the job until it ends (or `timeout`), waiting [`POLL_FIRST`] at
/// first and up to [`POLL_MAX`] between looks, with a bar on a terminal
/// and status lines otherwise.
async fn follow(
    client: &Client,
    mut job: RemoteJob,
    quiet: bool,
    timeout: Duration,
) -> anyhow::Result<RemoteJob> {
    let terminal = !quiet && std::io::stdout().is_terminal();
    let bar = if terminal {
        let bar = ProgressBar::with_draw_target(Some(job.total), ProgressDrawTarget::stdout());
        bar.set_style(
            ProgressStyle::with_template(
                "  [{elapsed_precise}] {wide_bar} {pos}/{len} subjects ({msg})",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let mut wait = POLL_FIRST;
    let mut last_status = None;
    loop {
        let done = job.counts.total();
        bar.set_position(done);
        bar.set_message(job.status.as_str());
        if !quiet && !terminal && last_status != Some(job.status) {
            println!(
                "status: {} ({done}/{} subjects)",
                job.status.as_str(),
                job.total
            );
        }
        last_status = Some(job.status);
        if job.status.is_terminal() {
            bar.finish_and_clear();
            return Ok(job);
        }
        if started.elapsed() >= timeout {
            bar.abandon();
            anyhow::bail!(
                "job {} is still {} after {} s; it goes on on the server: look again with \
                 `lethe remote job {}`",
                job.id,
                job.status.as_str(),
                timeout.as_secs(),
                job.id
            );
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 3 / 2).min(POLL_MAX);
        job = client.get(&job_path(&job.id, ""), &[]).await?;
    }
}

/// Prints a job's counts.
fn print_counts(job: &RemoteJob) {
    table::print(
        &["status", "succeeded", "failed", "skipped", "total"],
        &[vec![
            job.status.as_str().to_string(),
            job.counts.succeeded.to_string(),
            job.counts.failed.to_string(),
            job.counts.skipped.to_string(),
            job.total.to_string(),
        ]],
    );
}

/// Runs `lethe remote jobs`: every page of the job list.
async fn jobs(client: &Client) -> anyhow::Result<ExitCode> {
    let mut all: Vec<RemoteJob> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "500".to_string())];
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let page: Page<RemoteJob> = client.get("/v1/jobs", &query).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
            _ => break,
        }
    }
    if all.is_empty() {
        println!("The tenant has no jobs.");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<table::JobRow<'_>> = all
        .iter()
        .map(|j| table::JobRow {
            id: &j.id,
            kind: &j.kind,
            status: j.status.as_str(),
            created_by: &j.created_by,
            times: [Some(j.created_at), j.started_at, j.finished_at],
            counts: [j.counts.succeeded, j.counts.failed, j.counts.skipped],
        })
        .collect();
    table::print_jobs(&rows);
    Ok(ExitCode::SUCCESS)
}

/// Runs `lethe remote job`: the job and its failures as JSON.
async fn job(client: &Client, id: &str) -> anyhow::Result<ExitCode> {
    let job: Value = client.get(&job_path(id, ""), &[]).await?;
    let failures: Value = client
        .get(&job_path(id, "/failures"), &[("limit", "500".into())])
        .await?;
    let failures = failures.get("items").cloned().unwrap_or(failures);
    let out = json!({"job": job, "failures": failures});
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

/// Runs `lethe remote request`: a summary, or the JSON.
async fn request(client: &Client, id: &str, as_json: bool) -> anyhow::Result<ExitCode> {
    let r: Value = client
        .get(&format!("/v1/requests/{}", encode(id)), &[])
        .await?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    let text = |k: &str| match r.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".into(),
        Some(other) => other.to_string(),
    };
    let mut rows = vec![
        ("request", text("id")),
        ("kind", text("kind")),
        ("status", text("status")),
        ("subject named by", text("subject_kind")),
        ("customers matched", text("subjects")),
        ("submitted by", text("submitted_by")),
        ("received", text("received_at")),
        ("due", text("due_at")),
        ("verified", text("verified_at")),
        ("approved by", text("approved_by")),
        ("completed", text("completed_at")),
        ("job", text("job")),
        ("certificate", text("has_certificate")),
    ];
    if r.get("rejection_reason").is_some_and(|v| !v.is_null()) {
        rows.push(("rejected because", text("rejection_reason")));
    }
    if r.get("error").is_some_and(|v| !v.is_null()) {
        rows.push(("error", text("error")));
    }
    if let Some(export) = r.get("export").filter(|e| !e.is_null()) {
        let field = |k: &str| {
            export.get(k).map_or("-".into(), |v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        rows.push(("export items", field("items")));
        rows.push(("export JSON sha256", field("json_sha256")));
        rows.push(("export CSV sha256", field("csv_sha256")));
        rows.push(("export expires", field("expires_at")));
        rows.push(("export destroyed", field("destroyed")));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("  {k:<width$}  {v}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(job_path("job_01", "/confirm"), "/v1/jobs/job_01/confirm");
        assert_eq!(encode("a/b c"), "a%2Fb%20c");
    }
}
