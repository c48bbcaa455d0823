//! The retention sweep on DynamoDB when DeleteItem fails on every attempt:
//! the items due stay where they are, and the night says so. The report
//! and the scheduler's log count them as failed, the night's job ends
//! `completed_with_errors` with the reason, and the audit event names
//! the count. The next night, with DynamoDB well again, sweeps them.
//! Before, such a night reported nothing deleted and a completed job, as
//! if nothing had been due.
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-lambda --features moto-tests --test retention
//! ```

#[cfg(feature = "moto-tests")]
mod support;

#[cfg(feature = "moto-tests")]
mod moto {
    use std::sync::Arc;

    use jiff::{SignedDuration, Timestamp};
    use lethe_core::engine::model::{JobKind, JobStatus};
    use lethe_core::engine::{IngestItem, NightKind};
    use lethe_core::ports::{ItemStore, ManualClock};
    use lethe_core::tenant::Region;
    use lethe_fault_proxy::{Fault, FaultPlan, Rule};
    use serde_json::json;

    use super::support::{acme_behind_proxy, audited};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn deletions_that_fail_are_counted_and_swept_the_next_night() {
        let start = Timestamp::now();
        let clock = Arc::new(ManualClock::new(start));
        let (proxy, _world, stack) = acme_behind_proxy("retention", clock.clone()).await;
        let engine = &stack.engine;
        let item = |kind: &str, id: &str| IngestItem {
            customer: "cust-1".into(),
            kind: kind.into(),
            id: id.into(),
            data: json!({"event": "login", "transcript": "hello"}),
            active_at: None,
        };
        engine
            .ingest(
                "acme",
                vec![
                    item("log", "l-1"),
                    item("log", "l-2"),
                    item("log", "l-3"),
                    item("conversation", "c-1"),
                ],
            )
            .await
            .expect("ingest");
        let key = |kind: &str, id: &str| lethe_core::keys::item("acme", "cust-1", kind, id);
        let logs = ["l-1", "l-2", "l-3"].map(|id| key("log", id));

        // Logs are kept 7 days, conversations 14. On night 8 every
        // DeleteItem fails, past the SDK's retries.
        let night = |days: i64| {
            let at = start + SignedDuration::from_hours(24 * days);
            clock.set(at);
            engine.run_nightly(Region::Eu, NightKind::Retention, at)
        };
        proxy.set_plan(
            FaultPlan::new()
                .rule(Rule::new("dynamodb", Fault::InternalError).operation("DeleteItem")),
        );
        let failing = night(8).await.expect("the night runs");
        assert_eq!(
            (failing.retention_deleted, failing.retention_failed),
            (0, 3),
            "the three logs were due, and none could be deleted"
        );
        assert!(proxy.injected() >= 3, "every DeleteItem failed");
        for log in &logs {
            assert!(stack.aws.data.get(log).await.expect("get").is_some());
        }
        let (jobs, _) = engine.list_jobs("acme", None, 10).await.expect("jobs");
        let sweep = jobs
            .iter()
            .find(|j| j.kind == JobKind::Retention)
            .expect("the night's job");
        assert_eq!(sweep.status, JobStatus::CompletedWithErrors);
        assert_eq!((sweep.counts.succeeded, sweep.counts.failed), (0, 3));
        let reason = sweep.error.as_deref().expect("a reason");
        assert!(reason.contains("3 of the items due"), "{reason}");
        assert!(reason.contains("next night"), "{reason}");

        proxy.set_plan(FaultPlan::new());
        let well = night(9).await.expect("the next night runs");
        assert_eq!((well.retention_deleted, well.retention_failed), (3, 0));
        for log in &logs {
            assert_eq!(stack.aws.data.get(log).await.expect("get"), None);
        }
        assert!(
            stack
                .aws
                .data
                .get(&key("conversation", "c-1"))
                .await
                .expect("get")
                .is_some(),
            "the conversation is not due before day 14"
        );
        assert_eq!(
            audited(&stack, "retention.swept").await,
            [
                json!({"night": failing.night, "deleted": 0, "changed": 0, "failed": 3}),
                json!({"night": well.night, "deleted": 3, "changed": 0, "failed": 0}),
            ]
        );
    }
}
