//! The `scheduler` function: EventBridge Scheduler fires it at 00:00 in each
//! region's time zone (Europe/Paris for `eu`, UTC for `us`) with a
//! [`ScheduleInput`]; it runs that region's nightly work for every tenant
//! of the region and answers with the [`NightReport`].
//!
//! Safe to fire twice: each kind of run happens at most once per tenant and
//! night (the engine claims the night with a conditional write), and a run
//! that failed half-way resumes where it stopped when Scheduler retries.

use jiff::Timestamp;
use lethe_core::engine::{Engine, NightKind, NightReport};
use lethe_core::tenant::Region;
use serde::{Deserialize, Serialize};

/// The input each schedule sends, e.g.
/// `{"region":"eu","kind":"all","scheduled_time":"2026-11-22T23:00:00Z"}`
/// (the template fills `scheduled_time` with Scheduler's
/// `<aws.scheduler.scheduled-time>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// Whose night: `eu` or `us`.
    pub region: Region,
    /// Which runs: `auto-redact`, `retention`, `deadline-watch` or `all`
    /// (the default).
    #[serde(default = "all")]
    pub kind: NightKind,
    /// When the schedule fired; the night is this instant's date in the
    /// region's time zone. Defaults to now (a manual invocation).
    #[serde(default)]
    pub scheduled_time: Option<Timestamp>,
}

fn all() -> NightKind {
    NightKind::All
}

/// Runs the night an input names.
///
/// # Errors
/// A port or plugin failure (Scheduler retries; finished runs stay done).
pub async fn run(engine: &Engine, input: &ScheduleInput) -> anyhow::Result<NightReport> {
    let at = input
        .scheduled_time
        .unwrap_or_else(|| engine.ports().clock.now());
    let report = engine.run_nightly(input.region, input.kind, at).await?;
    tracing::info!(
        region = input.region.as_str(),
        night = %report.night,
        tenants = report.tenants,
        auto_jobs = report.auto_jobs.len(),
        retention_deleted = report.retention_deleted,
        retention_failed = report.retention_failed,
        reminders = report.reminders,
        exports_destroyed = report.exports_destroyed,
        already_ran = report.already_ran,
        "nightly run done"
    );
    Ok(report)
}
