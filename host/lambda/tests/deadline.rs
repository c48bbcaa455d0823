//! A batch that cannot finish before its deadline, because DynamoDB
//! answers every call a second late: the worker stops at the deadline less
//! its reserve and answers in time. The two records it started are
//! cancelled: released so they come back at once rather than after the
//! visibility timeout, and named as failures (that delivery counts). The
//! two it never started are sent again as new messages and not named, so
//! they use up no receive. The next deliveries, with DynamoDB fast again,
//! finish the job with every customer redacted exactly once, although the
//! cancelled calls still reached the table after the first answer. When
//! SQS refuses the new messages, the records never started are released
//! and named like the cancelled ones instead: nothing is lost.
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-lambda --features moto-tests --test deadline
//! ```

#[cfg(feature = "moto-tests")]
mod support;

#[cfg(feature = "moto-tests")]
mod moto {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use lethe_core::ports::{JobQueue, SystemClock};
    use lethe_fault_proxy::{Fault, FaultPlan, FaultProxy, Rule};

    use super::support::{
        Running, World, assert_each_redacted_once, confirmed_bulk_erasure, drain, endpoint,
        sqs_event,
    };

    const CUSTOMERS: u64 = 48;
    const CHUNK: &str = "12";
    /// The deadline the worker is given, and the reserve it keeps.
    const DEADLINE: Duration = Duration::from_secs(5);
    const RESERVE_MS: &str = "1500";

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_out_of_time_answers_before_its_deadline_and_hands_back_its_records() {
        out_of_time("deadline", false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn records_never_started_are_released_when_they_cannot_be_sent_again() {
        out_of_time("deadline-nosend", true).await;
    }

    /// Runs one batch out of time (with SQS refusing every
    /// `SendMessageBatch` if `send_fails`), checks the answer and what the
    /// queue holds after it, then drains the queue with DynamoDB fast again.
    async fn out_of_time(tag: &str, send_fails: bool) {
        let proxy = FaultProxy::counting(&endpoint()).await.expect("proxy");
        let world = World::create_at(tag, &proxy.endpoint()).await;
        let stack = world
            .stack_chunked(Arc::new(SystemClock), Some(CHUNK.parse().expect("chunk")))
            .await;
        let (customers, job) = confirmed_bulk_erasure(&stack, CUSTOMERS, 23).await;

        let mut env = world.function_env();
        env.push(("LETHE_CHUNK_SIZE".into(), CHUNK.into()));
        env.push(("LETHE_WORKER_CONCURRENCY".into(), "2".into()));
        env.push(("LETHE_WORKER_RESERVE_MS".into(), RESERVE_MS.into()));
        // One attempt per call, so a refused send fails at once rather than
        // after the SDK's backoff (DynamoDB is slow, never failing).
        env.push(("LETHE_AWS_MAX_ATTEMPTS".into(), "1".into()));
        let worker = Running::start("worker", env).await;
        // The cold start reads the plugin records at normal speed; only
        // then does DynamoDB slow down.
        let ready_by = Instant::now() + Duration::from_secs(60);
        while worker.emulator.first_poll().is_none() {
            assert!(
                Instant::now() < ready_by,
                "the worker did not start in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut plan = FaultPlan::new().rule(Rule::new("dynamodb", Fault::Slow { millis: 1000 }));
        if send_fails {
            plan = plan.rule(Rule::new("sqs", Fault::InternalError).operation("SendMessageBatch"));
        }
        proxy.set_plan(plan);

        let deliveries = world
            .queue
            .receive(10, Duration::from_secs(300))
            .await
            .expect("receive");
        assert_eq!(deliveries.len(), 4, "four chunks of twelve");
        let event = sqs_event(&world, &deliveries);
        let started = Instant::now();
        // `invoke` panics unless the answer comes within the deadline.
        let answer = worker.invoke(&event, DEADLINE).await;
        let answered_in = started.elapsed();
        // Each chunk reads the job, then each customer's items, then writes:
        // several calls in a row at a second each, more than the 3.5 s the
        // batch has before it stops.
        assert!(
            answered_in >= Duration::from_millis(3000),
            "the worker gave up after {answered_in:?}, well before it had to"
        );
        let failed: BTreeSet<String> = answer.response["batchItemFailures"]
            .as_array()
            .expect("batchItemFailures")
            .iter()
            .map(|f| f["itemIdentifier"].as_str().expect("id").to_owned())
            .collect();
        let delivered: BTreeSet<String> = deliveries.iter().map(|d| d.id.clone()).collect();
        if send_fails {
            assert_eq!(failed, delivered, "every unfinished record is named");
        } else {
            assert_eq!(failed.len(), 2, "only the two records started are named");
            assert!(failed.is_subset(&delivered), "{failed:?}");
        }
        // As the event source mapping would, delete the records not named.
        let mut requeued_bodies = BTreeSet::new();
        for d in deliveries.iter().filter(|d| !failed.contains(&d.id)) {
            world.queue.ack(&d.receipt).await.expect("delete");
            requeued_bodies.insert(d.body.clone());
        }

        // DynamoDB is fast again. Everything handed back is visible now,
        // not after the 300 s visibility this test received it with: the
        // cancelled records on their second receive, the ones never
        // started as new messages on their first.
        proxy.set_plan(FaultPlan::new());
        let mut again = Vec::new();
        for _ in 0..10 {
            if again.len() >= deliveries.len() {
                break;
            }
            let more = world.queue.receive(10, Duration::from_secs(300)).await;
            again.extend(more.expect("receive"));
        }
        let mut seen: Vec<(bool, u32, bool)> = again
            .iter()
            .map(|d| {
                let original = delivered.contains(&d.id);
                (original, d.receive_count, requeued_bodies.contains(&d.body))
            })
            .collect();
        seen.sort();
        let expected: &[(bool, u32, bool)] = if send_fails {
            &[(true, 2, false); 4]
        } else {
            &[
                (false, 1, true),
                (false, 1, true),
                (true, 2, false),
                (true, 2, false),
            ]
        };
        assert_eq!(
            seen, expected,
            "(an original message, its receive count, a requeued body)"
        );
        for d in &again {
            world
                .queue
                .release(&d.receipt, Duration::ZERO)
                .await
                .expect("release");
        }
        let handled = drain(&world, &worker, 20).await;
        assert_eq!(
            handled,
            deliveries.len(),
            "all four chunks came back at once"
        );

        assert_each_redacted_once(&world, &stack, &job, &customers).await;
    }
}
