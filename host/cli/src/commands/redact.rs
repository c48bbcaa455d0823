//! `lethe redact`: a bulk redaction from a CSV file of customer ids,
//! previewed, confirmed and run to the end with the in-process workers.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use lethe_core::bulk_input::{IdList, from_csv};
use lethe_core::engine::model::{Job, JobStatus, Preview};

use crate::args::RedactArgs;
use crate::progress::{self, Show};
use crate::{node, table};

/// Groups of customers sharing an identifier shown in a preview.
const MAX_GROUPS: usize = 20;

/// Reads and checks a CSV file of customer ids.
///
/// # Errors
/// If the file cannot be read, or is not a usable id list (the message
/// names the line, never a value).
pub(crate) fn read_csv(path: &Path) -> anyhow::Result<IdList> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the CSV file {}; check the path given to --csv",
            path.display()
        )
    })?;
    from_csv(&bytes).with_context(|| format!("{} cannot be used", path.display()))
}

/// Prints a bulk job's preview: what confirming it would do.
pub(crate) fn print_preview(preview: &Preview) {
    let unknown = preview.unknown_rows.len();
    println!(
        "  {} distinct ids: {} known customers, {} unknown.",
        preview.submitted, preview.matched, unknown
    );
    if unknown > 0 {
        println!(
            "  Unknown ids (positions among the distinct ids): {}",
            rows(&preview.unknown_rows)
        );
    }
    if !preview.issues.is_empty() {
        println!("  Rows left out of the list:");
        let body: Vec<Vec<String>> = preview
            .issues
            .iter()
            .map(|i| vec![i.row.to_string(), i.problem.to_string()])
            .collect();
        table::print(&["line", "why"], &body);
    }
    if preview.duplicate_groups.is_empty() {
        println!("  No two customers in the list share a name, e-mail or phone.");
    } else {
        println!(
            "  Customers sharing an identifier (check these are the people you mean; \
             positions among the distinct ids):"
        );
        let body: Vec<Vec<String>> = preview
            .duplicate_groups
            .iter()
            .take(MAX_GROUPS)
            .map(|g| {
                vec![
                    g.shared.as_str().to_string(),
                    rows(&g.rows),
                    g.others_not_in_list.to_string(),
                ]
            })
            .collect();
        table::print(&["shared", "positions", "others not in list"], &body);
        if preview.duplicate_groups.len() > MAX_GROUPS {
            println!(
                "  … and {} more groups (`lethe job`, or `lethe remote job`, shows the whole preview as JSON).",
                preview.duplicate_groups.len() - MAX_GROUPS
            );
        }
    }
}

/// At most 12 row numbers, then how many more.
fn rows(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(12).map(ToString::to_string).collect();
    if rows.len() > 12 {
        format!("{} and {} more", shown.join(", "), rows.len() - 12)
    } else {
        shown.join(", ")
    }
}

/// Prints a finished job's counts.
pub(crate) fn print_counts(job: &Job) {
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

/// Asks y/N on the terminal.
pub(crate) fn ask(question: &str) -> anyhow::Result<bool> {
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// Runs `lethe redact`.
pub(crate) fn run(args: &RedactArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir.path;
    let list = read_csv(&args.csv)?;
    let node = node::open_existing(dir)?;
    node::runtime()?.block_on(async {
        let engine = &node.engine;
        node::tenant(&node, dir, &args.tenant).await?;
        let job = engine
            .create_bulk_job(&args.tenant, &list, &args.created_by)
            .await
            .context("cannot create the bulk job")?;
        println!("Job {} created by {}: preview", job.id, job.created_by);
        if let Some(preview) = &job.preview {
            print_preview(preview);
        }
        let confirmed = if args.yes {
            true
        } else if std::io::stdin().is_terminal() {
            ask(&format!(
                "Redact the {} matched customers of job {}? This cannot be undone.",
                job.preview.as_ref().map_or(0, |p| p.matched),
                job.id
            ))?
        } else {
            engine
                .cancel_job(&args.tenant, &job.id, &args.created_by)
                .await
                .context("cannot cancel the job")?;
            anyhow::bail!(
                "not confirmed: stdin is not a terminal, so lethe cannot ask; job {} was \
                 cancelled. Pass --yes to confirm without asking",
                job.id
            );
        };
        if !confirmed {
            engine
                .cancel_job(&args.tenant, &job.id, &args.created_by)
                .await
                .context("cannot cancel the job")?;
            println!("Not confirmed: job {} cancelled, nothing redacted.", job.id);
            return Ok(ExitCode::SUCCESS);
        }
        let job = engine
            .confirm_job(&args.tenant, &job.id, &args.created_by)
            .await
            .context("cannot confirm the job")?;
        println!(
            "Job {} confirmed: {} customers in {} chunks queued; working with {} workers.",
            job.id, job.total, job.chunks, args.workers
        );
        progress::drain_job(
            &node,
            usize::from(args.workers),
            &args.tenant,
            &job.id,
            job.total,
            Show::for_stdout(args.quiet),
        )
        .await?;
        let job = engine.job(&args.tenant, &job.id).await?;
        println!("Job {}:", job.id);
        print_counts(&job);
        match job.status {
            JobStatus::Completed => Ok(ExitCode::SUCCESS),
            JobStatus::CompletedWithErrors | JobStatus::Failed => {
                eprintln!(
                    "{} customers could not be redacted; list them (rows and subject refs) with \
                     `lethe job --data-dir {} --tenant {} {}`",
                    job.counts.failed,
                    dir.display(),
                    args.tenant,
                    job.id
                );
                Ok(ExitCode::FAILURE)
            }
            other => {
                eprintln!(
                    "job {} is still {} (some chunks were dead-lettered?); run `lethe work \
                     --data-dir {}` to resume it",
                    job.id,
                    other.as_str(),
                    dir.display()
                );
                Ok(ExitCode::FAILURE)
            }
        }
    })
}
