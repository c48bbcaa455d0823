//! The nightly clock: what EventBridge Scheduler does on AWS. For each
//! region it fires [`Engine::run_nightly`] at 00:00 in the region's time
//! zone (Europe/Paris for `eu`, UTC for `us`). At start it runs the
//! current night for each region: if that night's run already happened
//! (another start, or it fired at midnight), the engine's per-tenant
//! markers make it a no-op, and if it was missed (the server was down at
//! midnight) it happens now.

use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use lethe_core::Engine;
use lethe_core::engine::NightKind;
use lethe_core::tenant::Region;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Longest single sleep: the clock is read again at least this often, so
/// a suspended machine or a clock change is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Tries of one night's run before it is left to the next start.
const TRIES: u32 = 30;

/// The time zone of `region`'s nights (UTC, with a warning, if the
/// system's time zone database lacks it).
pub(crate) fn zone(region: Region) -> TimeZone {
    TimeZone::get(region.time_zone()).unwrap_or_else(|e| {
        tracing::warn!(zone = region.time_zone(), error = %e, "time zone not found; using UTC (install tzdata)");
        TimeZone::UTC
    })
}

/// 00:00 of the day `now` falls on, in `tz`: the night that has started.
///
/// # Errors
/// Only for dates at the ends of jiff's range.
pub(crate) fn night_start(now: Timestamp, tz: &TimeZone) -> Result<Timestamp, jiff::Error> {
    Ok(now.to_zoned(tz.clone()).start_of_day()?.timestamp())
}

/// The next 00:00 in `tz` strictly after `now`.
///
/// # Errors
/// Only for dates at the ends of jiff's range.
pub(crate) fn next_night(now: Timestamp, tz: &TimeZone) -> Result<Timestamp, jiff::Error> {
    let tomorrow = now.to_zoned(tz.clone()).date().tomorrow()?;
    Ok(tomorrow.to_zoned(tz.clone())?.timestamp())
}

/// Starts the clock; it returns when `stop` is cancelled (letting a run
/// that has started finish).
pub(crate) fn spawn(engine: &Engine, stop: &CancellationToken) -> JoinHandle<()> {
    let regions: Vec<JoinHandle<()>> = Region::ALL
        .into_iter()
        .map(|region| tokio::spawn(region_loop(engine.clone(), region, stop.clone())))
        .collect();
    tokio::spawn(async move {
        for region in regions {
            let _ = region.await;
        }
    })
}

/// One region's clock: tonight at once (catch-up), then every midnight.
async fn region_loop(engine: Engine, region: Region, stop: CancellationToken) {
    let tz = zone(region);
    let clock = std::sync::Arc::clone(&engine.ports().clock);
    match night_start(clock.now(), &tz) {
        Ok(tonight) => run(&engine, region, tonight, &stop).await,
        Err(e) => tracing::warn!(error = %e, "cannot compute tonight"),
    }
    loop {
        let Ok(next) = next_night(clock.now(), &tz) else {
            tracing::warn!("cannot compute the next night; the nightly clock stops");
            return;
        };
        loop {
            let now = clock.now();
            if now >= next {
                break;
            }
            let wait = Duration::try_from(next.duration_since(now))
                .unwrap_or(Duration::ZERO)
                .min(MAX_SLEEP);
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
        run(&engine, region, next, &stop).await;
    }
}

/// Runs one night of `region`, retrying a failed run once a minute (the
/// markers make a retry resume, not repeat).
async fn run(engine: &Engine, region: Region, at: Timestamp, stop: &CancellationToken) {
    for attempt in 1..=TRIES {
        if stop.is_cancelled() {
            return;
        }
        match engine.run_nightly(region, NightKind::All, at).await {
            Ok(r) => {
                let queued: u64 = r.auto_jobs.iter().map(|(_, _, n)| n).sum();
                println!(
                    "nightly {} {}: {} tenants, {} auto-redact jobs ({} customers), {} items past \
                     retention deleted ({} failed, left for the next night), {} reminders, {} \
                     exports destroyed, {} runs already done",
                    region.as_str(),
                    r.night,
                    r.tenants,
                    r.auto_jobs.len(),
                    queued,
                    r.retention_deleted,
                    r.retention_failed,
                    r.reminders,
                    r.exports_destroyed,
                    r.already_ran
                );
                return;
            }
            Err(e) => {
                tracing::warn!(region = region.as_str(), attempt, error = %e, "nightly run failed; retrying in a minute");
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(60)) => {}
                }
            }
        }
    }
    eprintln!(
        "nightly {}: the run failed {TRIES} times; it resumes at the next start",
        region.as_str()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn paris_nights_start_at_local_midnight_in_winter_and_summer() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        // Winter (UTC+1): 00:00 Paris is 23:00 UTC the day before.
        assert_eq!(
            night_start(ts("2026-11-20T12:00:00Z"), &paris).unwrap(),
            ts("2026-11-19T23:00:00Z")
        );
        assert_eq!(
            next_night(ts("2026-11-20T12:00:00Z"), &paris).unwrap(),
            ts("2026-11-20T23:00:00Z")
        );
        // 23:30 UTC is already the next day in Paris.
        assert_eq!(
            night_start(ts("2026-11-20T23:30:00Z"), &paris).unwrap(),
            ts("2026-11-20T23:00:00Z")
        );
        // Summer (UTC+2).
        assert_eq!(
            next_night(ts("2026-07-01T10:00:00Z"), &paris).unwrap(),
            ts("2026-07-01T22:00:00Z")
        );
        // Across the spring change (29 March 2026, 02:00 -> 03:00).
        assert_eq!(
            next_night(ts("2026-03-29T12:00:00Z"), &paris).unwrap(),
            ts("2026-03-29T22:00:00Z")
        );
    }

    #[test]
    fn utc_nights_and_the_exact_midnight() {
        let utc = TimeZone::UTC;
        assert_eq!(
            next_night(ts("2026-11-20T00:00:00Z"), &utc).unwrap(),
            ts("2026-11-21T00:00:00Z"),
            "at midnight, the next night is tomorrow's"
        );
        assert_eq!(
            night_start(ts("2026-11-20T00:00:00Z"), &utc).unwrap(),
            ts("2026-11-20T00:00:00Z")
        );
        let at = ts("2026-07-01T10:00:00Z");
        assert_eq!(zone(Region::Us).to_offset(at), jiff::tz::Offset::UTC);
        assert_eq!(
            zone(Region::Eu).to_offset(at),
            jiff::tz::Offset::from_hours(2).unwrap()
        );
    }
}
