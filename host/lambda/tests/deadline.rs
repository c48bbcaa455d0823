//! A batch that cannot finish before its deadline, because DynamoDB
//! answers every call a second late: the worker stops at the deadline less
//! its reserve, answers in time with every unfinished record as a failure,
//! and releases those records so they come back at once rather than after
//! the visibility timeout. The next delivery, with DynamoDB fast again,
//! finishes the job with every customer redacted exactly once, although
//! the cancelled calls still reached the table after the first answer.
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
        let proxy = FaultProxy::counting(&endpoint()).await.expect("proxy");
        let world = World::create_at("deadline", &proxy.endpoint()).await;
        let stack = world
            .stack_chunked(Arc::new(SystemClock), Some(CHUNK.parse().expect("chunk")))
            .await;
        let (customers, job) = confirmed_bulk_erasure(&stack, CUSTOMERS, 23).await;

        let mut env = world.function_env();
        env.push(("LETHE_CHUNK_SIZE".into(), CHUNK.into()));
        env.push(("LETHE_WORKER_CONCURRENCY".into(), "2".into()));
        env.push(("LETHE_WORKER_RESERVE_MS".into(), RESERVE_MS.into()));
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
        proxy.set_plan(FaultPlan::new().rule(Rule::new("dynamodb", Fault::Slow { millis: 1000 })));

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
        assert_eq!(failed, delivered, "every unfinished record is handed back");

        // DynamoDB is fast again. The records were released: they come back
        // now, not after the 300 s visibility this test received them with.
        proxy.set_plan(FaultPlan::new());
        let handled = drain(&world, &worker, 20).await;
        assert_eq!(
            handled,
            deliveries.len(),
            "all four chunks came back at once"
        );

        assert_each_redacted_once(&world, &stack, &job, &customers).await;
    }
}
