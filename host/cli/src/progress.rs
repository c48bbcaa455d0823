//! Running the in-process workers with a progress display: an indicatif
//! bar on a terminal, plain `progress:` lines when stdout is piped, nothing
//! with `--quiet`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lethe_core::engine::WorkReport;
use lethe_core::engine::model::ChunkResult;
use lethe_core::keys;
use lethe_core::ports::{ItemStore, KeyRange, query_all};
use lethe_embedded::Node;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Show {
    /// An animated bar (stdout is a terminal).
    Bar,
    /// A plain `progress: N/M unit` line at most once a second (stdout is
    /// piped or redirected), so a log or a supervising process sees it.
    Lines,
    /// Nothing (`--quiet`).
    Nothing,
}

impl Show {
    /// The display for a command run with or without `--quiet`.
    pub(crate) fn for_stdout(quiet: bool) -> Show {
        if quiet {
            Show::Nothing
        } else if std::io::stdout().is_terminal() {
            Show::Bar
        } else {
            Show::Lines
        }
    }
}

/// A progress display over `total` things called `unit`.
pub(crate) struct Progress {
    bar: ProgressBar,
    show: Show,
    unit: &'static str,
    total: u64,
    last_line: Option<(Instant, u64)>,
}

impl Progress {
    /// Starts a display.
    pub(crate) fn new(show: Show, total: u64, unit: &'static str) -> Progress {
        let bar = if show == Show::Bar {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stdout());
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "  [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {unit} ({{per_sec}}, eta {{eta}})"
                ))
                .expect("the template is valid")
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            show,
            unit,
            total,
            last_line: None,
        }
    }

    /// Moves the display to `done`.
    pub(crate) fn set(&mut self, done: u64) {
        self.bar.set_position(done);
        if self.show == Show::Lines {
            let due = match self.last_line {
                None => done > 0,
                Some((at, n)) => n != done && at.elapsed() >= Duration::from_secs(1),
            };
            if due {
                println!("progress: {done}/{} {}", self.total, self.unit);
                self.last_line = Some((Instant::now(), done));
            }
        }
    }

    /// Ends the display at `done` (a last line when printing lines).
    pub(crate) fn finish(mut self, done: u64) {
        self.bar.set_position(done);
        self.bar.finish_and_clear();
        if self.show == Show::Lines && self.last_line.map(|(_, n)| n) != Some(done) {
            println!("progress: {done}/{} {}", self.total, self.unit);
            self.last_line = Some((Instant::now(), done));
        }
    }
}

/// Subjects of a job whose chunk has finished, counted from the chunks'
/// stored results (succeeded, failed and skipped alike).
///
/// # Errors
/// If the control table cannot be read.
pub(crate) async fn subjects_done(
    control: &dyn ItemStore,
    tenant: &str,
    job: &str,
) -> anyhow::Result<u64> {
    let records = query_all(
        control,
        &keys::job_detail(tenant, job),
        &KeyRange::Prefix("chunk#".into()),
    )
    .await?;
    let mut done = 0;
    for record in records {
        let result: ChunkResult = serde_json::from_value(record.body)?;
        done += result.counts.total();
    }
    Ok(done)
}

/// Runs `workers` in-process workers until the queue is empty, showing how
/// many of job `job`'s `total` subjects are done.
///
/// # Errors
/// A failure of the queue or the store.
pub(crate) async fn drain_job(
    node: &Node,
    workers: usize,
    tenant: &str,
    job: &str,
    total: u64,
    show: Show,
) -> anyhow::Result<WorkReport> {
    let mut progress = Progress::new(show, total, "subjects");
    let stop = Arc::new(AtomicBool::new(false));
    let poller = {
        let control = node.engine.ports().control.clone();
        let (tenant, job, stop) = (tenant.to_string(), job.to_string(), Arc::clone(&stop));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Ok(done) = subjects_done(control.as_ref(), &tenant, &job).await {
                    progress.set(done);
                }
            }
            progress
        })
    };
    let report = node.drain(workers, |_| {}).await;
    stop.store(true, Ordering::Relaxed);
    let progress = poller.await?;
    let done = subjects_done(node.engine.ports().control.as_ref(), tenant, job).await?;
    progress.finish(done);
    Ok(report?)
}

/// Runs `workers` in-process workers until the queue is empty, showing how
/// many of the `pending` messages (chunks) were handled.
///
/// # Errors
/// A failure of the queue.
pub(crate) async fn drain_all(
    node: &Node,
    workers: usize,
    pending: u64,
    show: Show,
) -> anyhow::Result<WorkReport> {
    let handled = Arc::new(AtomicU64::new(0));
    let progress = Arc::new(std::sync::Mutex::new(Progress::new(
        show, pending, "chunks",
    )));
    let report = {
        let (handled, progress) = (Arc::clone(&handled), Arc::clone(&progress));
        node.drain(workers, move |_| {
            let n = handled.fetch_add(1, Ordering::Relaxed) + 1;
            if let Ok(mut p) = progress.lock() {
                p.set(n.min(pending));
            }
        })
        .await?
    };
    if let Ok(mutex) = Arc::try_unwrap(progress)
        && let Ok(p) = mutex.into_inner()
    {
        p.finish(handled.load(Ordering::Relaxed).min(pending));
    }
    Ok(report)
}
