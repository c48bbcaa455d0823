//! Intake benchmark: privacy requests per second and latency percentiles
//! of `POST /v1/requests` (intake key, subject by customer id) against a
//! real `lethe serve` (this bench's build of it: release settings under
//! `cargo bench`) on loopback.
//!
//! ```text
//! cargo bench -p lethe-cli --bench intake                       # 10 s per kind, 16 connections
//! cargo bench -p lethe-cli --bench intake -- --seconds 5 --connections 32 --kind access
//! ```
//!
//! The server and this load client share the machine (and its cores);
//! every commit is flushed (`Durability::Immediate`), as `lethe serve`
//! runs. Only 127.0.0.1 is used; the server is started on port 0 and
//! stopped by its PID (SIGTERM; SIGKILL if the bench panics).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Customers seeded, whom the requests name in turn.
const CUSTOMERS: u64 = 500;

/// The options.
struct Options {
    /// Seconds of load per kind.
    seconds: u64,
    /// Concurrent keep-alive connections.
    connections: usize,
    /// `access` and/or `erasure`.
    kinds: Vec<&'static str>,
}

/// The options from the command line.
fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; anything else (`cargo test
    // --benches`) gets a one-second smoke run.
    let benching = args.iter().any(|a| a == "--bench");
    let mut o = Options {
        seconds: if benching { 10 } else { 1 },
        connections: 16,
        kinds: vec!["access", "erasure"],
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_default();
        match arg.as_str() {
            "--seconds" => o.seconds = value().parse::<u64>().expect("--seconds N").clamp(1, 120),
            "--connections" => {
                o.connections = value()
                    .parse::<usize>()
                    .expect("--connections N")
                    .clamp(1, 256);
            }
            "--kind" => {
                o.kinds = match value().as_str() {
                    "access" => vec!["access"],
                    "erasure" => vec!["erasure"],
                    _ => vec!["access", "erasure"],
                }
            }
            _ => {}
        }
    }
    o
}

/// The server child, killed by its PID if still running when dropped.
struct Server {
    child: Child,
    base: String,
    key: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `lethe serve` with a bootstrapped tenant and waits for its address.
fn start(dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .arg("serve")
        .arg("--data-dir")
        .arg(dir)
        .args(["--listen", "127.0.0.1:0", "--bootstrap-tenant", "bench"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("lethe serve starts");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                // Nobody listens any more; keep draining so the server
                // never blocks on a full pipe.
                continue;
            }
        }
    });
    let (mut base, mut key) = (None, None);
    let deadline = Instant::now() + Duration::from_secs(120);
    while base.is_none() {
        assert!(Instant::now() < deadline, "lethe serve did not start");
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if let Some(k) = line.strip_prefix("admin-key: ") {
                key = Some(k.to_string());
            }
            if let Some(b) = line.strip_prefix("listening on ") {
                base = Some(b.to_string());
            }
        }
    }
    Server {
        child,
        base: base.unwrap_or_default(),
        key: key.expect("the bootstrap printed a key"),
    }
}

/// What one run measured.
struct Run {
    kind: &'static str,
    ok: usize,
    errors: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

/// The `p`th percentile (nearest rank) of sorted latencies.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Sends requests of `kind` on every connection for the set time.
async fn load(
    http: &reqwest::Client,
    server: &Server,
    intake: &str,
    ids: Arc<Vec<(String, String)>>,
    kind: &'static str,
    o: &Options,
) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..o.connections {
        let (http, ids, stop) = (http.clone(), Arc::clone(&ids), Arc::clone(&stop));
        let url = format!("{}/v1/requests", server.base);
        let key = intake.to_string();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0usize);
            let mut n = c;
            while !stop.load(Ordering::Relaxed) {
                let (id, email) = &ids[n % ids.len()];
                n += 7;
                let body = json!({
                    "kind": kind,
                    "subject": {"by": "customer-id", "value": id},
                    "contact": email,
                });
                let t = Instant::now();
                let answer = http.post(&url).bearer_auth(&key).json(&body).send().await;
                match answer {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(o.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut run = Run {
        kind,
        ok: 0,
        errors: 0,
        seconds: 0.0,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (lat, errors) = task.await.expect("a load task");
        run.latencies.extend(lat);
        run.errors += errors;
    }
    run.seconds = started.elapsed().as_secs_f64();
    run.ok = run.latencies.len();
    run.latencies.sort();
    run
}

fn main() {
    let o = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut server = start(&dir.path().join("data"));
    let runs = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(o.connections)
            .build()
            .expect("a client");
        let made: Value = http
            .post(format!("{}/v1/api-keys", server.base))
            .bearer_auth(&server.key)
            .json(&json!({"label": "bench-intake", "role": "intake"}))
            .send()
            .await
            .expect("key")
            .json()
            .await
            .expect("key json");
        let intake = made["key"].as_str().expect("an intake key").to_string();
        let synth = lethe_synth::Synth::new(42);
        let now = jiff::Timestamp::now();
        let mut ids = Vec::new();
        let mut batch = Vec::new();
        for n in 0..CUSTOMERS {
            let c = synth.customer(n, now);
            ids.push((c.id.clone(), c.email.clone()));
            batch.extend(c.items);
            if batch.len() >= 500 || n + 1 == CUSTOMERS {
                let items = std::mem::take(&mut batch);
                let r = http
                    .post(format!("{}/v1/items", server.base))
                    .bearer_auth(&server.key)
                    .json(&json!({ "items": items }))
                    .send()
                    .await
                    .expect("ingest");
                assert!(r.status().is_success(), "ingest: {}", r.status());
            }
        }
        let ids = Arc::new(ids);
        let mut runs = Vec::new();
        for kind in &o.kinds {
            runs.push(load(&http, &server, &intake, Arc::clone(&ids), kind, &o).await);
        }
        runs
    });
    let pid = server.child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let exited = server.child.try_wait().ok().flatten();

    println!(
        "\nintake: POST /v1/requests, subject by customer id, intake key; {} connections, {} s \
         per kind, {} customers (10 items each), server and client on one machine",
        o.connections, o.seconds, CUSTOMERS
    );
    println!(
        "  {:<8} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "kind", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for r in &runs {
        let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1e3);
        println!(
            "  {:<8} {:>9} {:>8} {:>10.0} {:>9} {:>9} {:>9} {:>9}",
            r.kind,
            r.ok,
            r.errors,
            r.ok as f64 / r.seconds,
            ms(percentile(&r.latencies, 50.0)),
            ms(percentile(&r.latencies, 90.0)),
            ms(percentile(&r.latencies, 99.0)),
            ms(r.latencies.last().copied().unwrap_or_default()),
        );
    }
    match exited {
        Some(s) if s.success() => println!("  server stopped cleanly on SIGTERM"),
        other => println!("  server did not stop cleanly: {other:?}"),
    }
}
