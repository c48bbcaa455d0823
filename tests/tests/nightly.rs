//! The nightly runs (auto-redact of inactive customers, retention) on the
//! embedded store with the real plugins, at midnight in the region's zone.

use jiff::SignedDuration;
use lethe_core::engine::NightKind;
use lethe_core::engine::model::{JobKind, JobStatus};
use lethe_core::tenant::{AutoRedact, Region, Settings};
use lethe_e2e::engine::{Fixture, find_leftovers, operator_settings};
use lethe_synth::Customer;

/// Midnight in the EU region's zone (Paris) starting the night of `day`
/// Nov 2026.
fn paris_midnight(day: i8) -> jiff::Timestamp {
    jiff::civil::date(2026, 11, day)
        .at(0, 0, 0, 0)
        .in_tz(Region::Eu.time_zone())
        .unwrap()
        .timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_redact_takes_only_customers_inactive_long_enough_once_a_night() {
    let settings = Settings {
        auto_redact: AutoRedact::after_days(30).unwrap(),
        ..operator_settings()
    };
    let f = Fixture::new(settings).await;
    let midnight = paris_midnight(21);
    f.clock.set(midnight);
    // Inactive 10, 29, 31 and 45 days (customer n: [10, 29, 31, 45][n % 4]).
    let ages = [10, 29, 31, 45];
    let customers = f.seed(8, |n| ages[usize::try_from(n % 4).unwrap()]).await;
    f.node
        .engine
        .create_tenant(
            "us-shop",
            "US",
            Settings {
                region: Region::Us,
                auto_redact: AutoRedact::after_days(30).unwrap(),
                ..Settings::default()
            },
        )
        .await
        .unwrap();

    let e = f.engine();
    let report = e
        .run_nightly(Region::Eu, NightKind::AutoRedact, midnight)
        .await
        .unwrap();
    assert_eq!(report.night, "2026-11-21");
    assert_eq!(report.tenants, 1, "only the EU tenant");
    assert_eq!(report.auto_jobs.len(), 1);
    assert_eq!(report.auto_jobs[0].2, 4, "the 31- and 45-day customers");
    // Triggered again the same night: nothing new.
    let twice = e
        .run_nightly(
            Region::Eu,
            NightKind::AutoRedact,
            midnight + SignedDuration::from_mins(5),
        )
        .await
        .unwrap();
    assert!(twice.auto_jobs.is_empty());
    assert_eq!(twice.already_ran, 1);
    f.drain().await;
    let job = e.job(&f.tenant, &report.auto_jobs[0].1).await.unwrap();
    assert_eq!(
        (job.kind, job.status, job.counts.succeeded),
        (JobKind::Auto, JobStatus::Completed, 4)
    );
    assert_eq!(job.created_by, "scheduler");

    let (erased, kept): (Vec<&Customer>, Vec<&Customer>) = customers
        .iter()
        .enumerate()
        .partition(|(n, _)| ages[n % 4] >= 30)
        .into_iter_pair();
    let everything = f.everything().await;
    assert_eq!(find_leftovers(&everything, &erased, &kept), vec![]);
    for c in &kept {
        assert!(
            !find_leftovers(&everything, &[c], &[]).is_empty(),
            "active customers are untouched"
        );
    }

    // The next night: one more day, the 29-day customers reach 30.
    let next = paris_midnight(22);
    f.clock.set(next);
    let report = e
        .run_nightly(Region::Eu, NightKind::AutoRedact, next)
        .await
        .unwrap();
    assert_eq!(report.auto_jobs[0].2, 2);
}

/// Splits `(index, item)` pairs into two vectors of items.
trait IntoIterPair<'a> {
    fn into_iter_pair(self) -> (Vec<&'a Customer>, Vec<&'a Customer>);
}

impl<'a> IntoIterPair<'a> for (Vec<(usize, &'a Customer)>, Vec<(usize, &'a Customer)>) {
    fn into_iter_pair(self) -> (Vec<&'a Customer>, Vec<&'a Customer>) {
        (
            self.0.into_iter().map(|(_, c)| c).collect(),
            self.1.into_iter().map(|(_, c)| c).collect(),
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_at_the_deadline_and_not_before() {
    let f = Fixture::new(operator_settings()).await;
    let customers = f.seed(3, |_| 1).await;
    let e = f.engine();
    let count = |kind: &str| {
        let prefix = format!("{kind}#");
        f.node
            .local
            .data
            .scan_all()
            .unwrap()
            .iter()
            .filter(|r| r.key.sk.starts_with(&prefix))
            .count()
    };
    assert_eq!(
        (count("conversation"), count("log"), count("profile")),
        (9, 3, 3)
    );
    let night = |days: i64| {
        let at = lethe_e2e::engine::start_time() + SignedDuration::from_hours(24 * days);
        f.clock.set(at);
        e.run_nightly(Region::Eu, NightKind::Retention, at)
    };
    assert_eq!(night(6).await.unwrap().retention_deleted, 0);
    assert_eq!(night(7).await.unwrap().retention_deleted, 3, "logs: 7 days");
    assert_eq!((count("conversation"), count("log")), (9, 0));
    assert_eq!(night(13).await.unwrap().retention_deleted, 0);
    assert_eq!(
        night(14).await.unwrap().retention_deleted,
        9,
        "conversations: 14 days"
    );
    assert_eq!(
        (count("conversation"), count("profile"), count("order")),
        (0, 3, 15)
    );
    let (jobs, _) = e.list_jobs(&f.tenant, None, 100).await.unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.kind == JobKind::Retention && j.status == JobStatus::Completed)
    );
    let _ = customers;
}
