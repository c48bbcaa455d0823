//! Cold starts of the three function binaries, and DynamoDB calls per
//! erased subject, on a moto server.
//!
//! ```text
//! scripts/with-moto.sh cargo bench -p lethe-lambda --features moto-tests --bench cold_start
//! ```
//!
//! For each binary, `RUNS` fresh processes: the time from process start to
//! its first poll of the runtime API (the init phase: AWS clients, the
//! sandbox, the standard plugins), and to its first answer (one event
//! handled). The worker's event is a real chunk. Then one erasure job of
//! `SUBJECTS` customers runs through the worker with a counting proxy in
//! front of moto, and the DynamoDB calls are divided by the subjects.
//! Prints a table; nothing is asserted.

#[cfg(feature = "moto-tests")]
#[path = "../tests/support/mod.rs"]
mod support;

#[cfg(not(feature = "moto-tests"))]
fn main() {
    eprintln!(
        "cold_start needs a moto server: scripts/with-moto.sh cargo bench -p lethe-lambda --features moto-tests --bench cold_start"
    );
}

#[cfg(feature = "moto-tests")]
fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(bench::run());
}

#[cfg(feature = "moto-tests")]
mod bench {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use jiff::Timestamp;
    use lethe_core::bulk_input::from_ids;
    use lethe_core::engine::IngestItem;
    use lethe_core::ports::{JobQueue, SystemClock};
    use lethe_core::tenant::Settings;
    use lethe_lambda_emulator::{Emulator, Function};
    use lethe_synth::{Customer, Synth};
    use serde_json::{Value, json};

    use super::support::{Running, World, binary, drain, http_event, sqs_event};

    const RUNS: usize = 5;
    const SUBJECTS: u64 = 100;

    fn median(mut xs: Vec<Duration>) -> Duration {
        xs.sort();
        xs[xs.len() / 2]
    }

    fn ms(d: Duration) -> String {
        format!("{:.1}", d.as_secs_f64() * 1e3)
    }

    async fn seed(world: &World, count: u64, chunk: usize) -> (Vec<Customer>, String) {
        let stack = world
            .stack_chunked(Arc::new(SystemClock), Some(chunk))
            .await;
        let engine = &stack.engine;
        engine
            .bootstrap_tenant("acme", "acme", Settings::default(), "bench")
            .await
            .expect("tenant");
        let mut synth = Synth::new(3);
        synth.email_ids_every = 0;
        let customers: Vec<Customer> = synth.customers(count, Timestamp::now(), |_| 1).collect();
        let items: Vec<IngestItem> = customers.iter().flat_map(|c| c.items.clone()).collect();
        for batch in items.chunks(500) {
            engine.ingest("acme", batch.to_vec()).await.expect("ingest");
        }
        let ids = from_ids(customers.iter().map(|c| c.id.clone()).collect()).expect("ids");
        let job = engine
            .create_bulk_job("acme", &ids, "bench")
            .await
            .expect("job");
        engine
            .confirm_job("acme", &job.id, "bench")
            .await
            .expect("confirm");
        (customers, job.id)
    }

    /// One cold start: (init, first event handled), both from process start.
    async fn cold(world: &World, name: &str, event: &Value) -> (Duration, Duration) {
        let emulator = Emulator::start().await.expect("emulator");
        let started = Instant::now();
        let _function =
            Function::spawn(&binary(name), &emulator, name, &world.function_env()).expect("spawn");
        let answer = emulator
            .invoke(event, Duration::from_secs(120))
            .await
            .expect("answer");
        let _ = answer;
        let answered = started.elapsed();
        let ready = emulator
            .first_poll()
            .map_or(answered, |t| t.saturating_duration_since(started));
        (ready, answered)
    }

    pub(super) async fn run() {
        let world = World::create("bench").await;
        // Chunks of 10: each worker cold start handles one real chunk.
        let (_, _) = seed(&world, (RUNS as u64) * 10, 10).await;
        let queue = &world.queue;

        println!("cold starts ({RUNS} fresh processes each; ms from process start; median)");
        println!(
            "{:<10} {:>8} {:>14}  {:>12}",
            "binary", "init", "first event", "size (bytes)"
        );
        for name in ["api", "scheduler", "worker"] {
            let mut inits = Vec::new();
            let mut firsts = Vec::new();
            for _ in 0..RUNS {
                let event = match name {
                    "api" => http_event("GET", "/healthz", None, None),
                    "scheduler" => json!({"region": "us", "kind": "deadline-watch"}),
                    _ => {
                        let d = queue
                            .receive(1, Duration::from_secs(300))
                            .await
                            .expect("receive");
                        assert_eq!(d.len(), 1, "a chunk for the worker");
                        sqs_event(&world, &d)
                    }
                };
                let (init, first) = cold(&world, name, &event).await;
                inits.push(init);
                firsts.push(first);
            }
            let size = std::fs::metadata(binary(name)).map_or(0, |m| m.len());
            println!(
                "{:<10} {:>8} {:>14}  {:>12}",
                name,
                ms(median(inits)),
                ms(median(firsts)),
                size
            );
        }

        // DynamoDB calls per erased subject, counted by a proxy.
        let proxy = lethe_fault_proxy::FaultProxy::counting(&world.endpoint)
            .await
            .expect("proxy");
        let counted = World::create_at("count", &proxy.endpoint()).await;
        let (_, _) = seed(&counted, SUBJECTS, 50).await;
        proxy.reset_counts();
        let worker = Running::start("worker", counted.function_env()).await;
        drain(&counted, &worker, 100).await;
        let counts = proxy.counts();
        let mut total = 0u64;
        println!();
        println!(
            "DynamoDB calls per erased subject ({SUBJECTS} subjects, chunks of 50, 10 items each)"
        );
        for ((service, op), n) in &counts {
            if service == "dynamodb" {
                total += n;
                println!("  {op:<18} {:>8.2}", *n as f64 / SUBJECTS as f64);
            }
        }
        println!("  {:<18} {:>8.2}", "total", total as f64 / SUBJECTS as f64);
    }
}
