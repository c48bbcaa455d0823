//! A worker killed in the middle of a batch: Lambda gets no answer, the
//! batch's messages come back after their visibility timeout, a fresh
//! execution environment handles them, and the job ends exactly once with
//! every customer redacted exactly once.
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-lambda --features moto-tests --test redelivery
//! ```

#[cfg(feature = "moto-tests")]
mod support;

#[cfg(feature = "moto-tests")]
mod moto {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use lethe_core::ports::{JobQueue, SystemClock};

    use super::support::{
        Running, World, assert_each_redacted_once, confirmed_bulk_erasure, drain, sqs_event,
    };

    const CUSTOMERS: u64 = 120;
    const CHUNK: &str = "12";

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_worker_killed_mid_batch_is_redelivered_and_redacts_each_customer_once() {
        let world = World::create("kill").await;
        let stack = world
            .stack_chunked(Arc::new(SystemClock), Some(CHUNK.parse().expect("chunk")))
            .await;
        let engine = &stack.engine;
        // A bulk job of every customer, in chunks of 12 (the functions'
        // LETHE_CHUNK_SIZE; this stack queues with the same size).
        let (customers, job) = confirmed_bulk_erasure(&stack, CUSTOMERS, 11).await;

        let mut env = world.function_env();
        env.push(("LETHE_CHUNK_SIZE".into(), CHUNK.into()));
        // One chunk at a time, so the first finished chunk leaves nine
        // untouched: the kill lands mid-batch whatever this machine's speed.
        env.push(("LETHE_WORKER_CONCURRENCY".into(), "1".into()));

        // The event source mapping hands a batch of 10 chunks to a worker ...
        let mut worker = Running::start("worker", env).await;
        let queue = &world.queue;
        let visibility = Duration::from_secs(6);
        let deliveries = queue.receive(10, visibility).await.expect("receive");
        assert!(!deliveries.is_empty());
        let event = sqs_event(&world, &deliveries);
        let received_at = Instant::now();

        // ... which is killed once the first chunks are done, not all.
        let killed_after = {
            let invoke = worker.emulator.invoke(&event, Duration::from_secs(120));
            tokio::pin!(invoke);
            let deadline = Instant::now() + Duration::from_secs(90);
            loop {
                tokio::select! {
                    answer = &mut invoke => panic!("the batch finished before the kill: {answer:?}"),
                    () = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
                let progress = engine.job("acme", &job).await.expect("job");
                if progress.counts.succeeded > 0 {
                    break progress.counts.succeeded;
                }
                assert!(Instant::now() < deadline, "no chunk finished in 90 s");
            }
        };
        worker.function.kill();
        assert!(
            killed_after < CUSTOMERS,
            "killed after {killed_after} of {CUSTOMERS}: not mid-job"
        );

        // Lambda deleted nothing: after the visibility timeout the whole
        // batch is delivered again, to a new execution environment.
        worker.restart();
        let wait = visibility.saturating_sub(received_at.elapsed()) + Duration::from_millis(500);
        tokio::time::sleep(wait).await;
        drain(&world, &worker, 100).await;

        assert_each_redacted_once(&world, &stack, &job, &customers).await;
    }
}
