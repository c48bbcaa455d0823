//! What the Lambda tests share: resources of their own on a moto server,
//! the function binaries under the runtime-API emulator, real event
//! payloads (the fixtures shipped in the `aws_lambda_events` crate), and
//! the event source mapping's part (SQS messages in, partial batch
//! failures out) played against moto's real queue.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lethe_aws::{AwsConfig, create_bucket, create_email_identity, create_queues, create_table};
use lethe_core::ports::{Clock, JobQueue};
use lethe_lambda::{Settings, Stack};
use lethe_lambda_emulator::{Emulator, Function, Invocation};
use serde_json::{Value, json};

/// Receives before a chunk is dead-lettered.
pub const MAX_RECEIVES: u32 = 3;

/// The verified sender.
pub const SENDER: &str = "privacy@lethe-tests.example.com";

/// The public URL links point to (nothing listens there; the tests route
/// links through the `api` function).
pub const PUBLIC_URL: &str = "https://api.lethe-tests.example.com";

/// The moto endpoint (`LETHE_AWS_ENDPOINT`, on loopback only).
pub fn endpoint() -> String {
    let endpoint = std::env::var("LETHE_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "LETHE_AWS_ENDPOINT is not set. These tests need a moto server; run them with \
             `scripts/with-moto.sh cargo test -p lethe-lambda --features moto-tests`"
        )
    });
    let host = endpoint.strip_prefix("http://").unwrap_or_default();
    assert!(
        host.starts_with("127.0.0.1:") || host.starts_with("localhost:"),
        "LETHE_AWS_ENDPOINT must be a loopback http:// URL, not {endpoint}"
    );
    endpoint
}

/// A name no other test uses.
pub fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("lam-{tag}-{}-{nanos:09}", std::process::id())
}

/// One test's AWS resources on moto, and how functions reach them.
pub struct World {
    /// The endpoint the functions and the test talk to (moto, or a proxy
    /// in front of it).
    pub endpoint: String,
    /// Configuration naming this world's resources.
    pub config: AwsConfig,
    /// The chunk queue (opened once: opening looks up its URL and its
    /// dead-letter queue).
    pub queue: lethe_aws::SqsQueue,
}

impl World {
    /// Creates two tables, a bucket, a queue with its dead-letter queue and
    /// a verified sender, all named after `tag`.
    pub async fn create(tag: &str) -> World {
        World::create_at(tag, &endpoint()).await
    }

    /// [`create`](Self::create), through another endpoint (a proxy in front
    /// of moto).
    pub async fn create_at(tag: &str, endpoint: &str) -> World {
        let endpoint = endpoint.to_string();
        let mut config = AwsConfig::emulator(&endpoint).await.expect("AWS settings");
        let base = unique(tag);
        config.data_table = format!("{base}-data");
        config.control_table = format!("{base}-control");
        config.bucket = base.to_lowercase();
        config.queue = format!("{base}-jobs");
        config.mail_from = SENDER.into();
        let ddb = config.dynamodb();
        create_table(&ddb, &config.data_table)
            .await
            .expect("data table");
        create_table(&ddb, &config.control_table)
            .await
            .expect("control table");
        create_bucket(&config.s3(), &config.bucket)
            .await
            .expect("bucket");
        let queue = create_queues(&config.sqs(), &config.queue, MAX_RECEIVES)
            .await
            .expect("queues");
        create_email_identity(&config.sesv2(), SENDER)
            .await
            .expect("sender identity");
        World {
            endpoint,
            config,
            queue,
        }
    }

    /// The environment a function of this world runs with.
    pub fn function_env(&self) -> Vec<(String, String)> {
        let c = &self.config;
        [
            ("LETHE_AWS_ENDPOINT", self.endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("LETHE_DATA_TABLE", c.data_table.as_str()),
            ("LETHE_CONTROL_TABLE", c.control_table.as_str()),
            ("LETHE_BUCKET", c.bucket.as_str()),
            ("LETHE_QUEUE", c.queue.as_str()),
            ("LETHE_MAIL_FROM", c.mail_from.as_str()),
            ("LETHE_PUBLIC_URL", PUBLIC_URL),
            ("LETHE_AWS_MAX_ATTEMPTS", "5"),
            ("RUST_LOG", "warn"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// An in-process stack on this world, for setting up data and reading
    /// results (the behaviour under test runs in the function binaries).
    pub async fn stack(&self, clock: Arc<dyn Clock>) -> Stack {
        self.stack_chunked(clock, None).await
    }

    /// [`stack`](Self::stack) with another chunk size.
    pub async fn stack_chunked(&self, clock: Arc<dyn Clock>, chunk_size: Option<usize>) -> Stack {
        let settings = Settings {
            public_url: PUBLIC_URL.into(),
            plugin_cache_dir: std::env::temp_dir().join("lethe-lambda-tests-plugins"),
            chunk_size,
            worker_concurrency: lethe_lambda::DEFAULT_WORKER_CONCURRENCY,
            worker_reserve: lethe_lambda::DEFAULT_WORKER_RESERVE,
        };
        Stack::build(settings, &self.config, clock)
            .await
            .expect("stack")
    }
}

/// A function binary of this crate running under its own emulator.
pub struct Running {
    /// The process (declared first: dropped, so killed, before its
    /// emulator goes away).
    pub function: Function,
    /// The emulator it polls.
    pub emulator: Emulator,
    binary: PathBuf,
    name: String,
    env: Vec<(String, String)>,
}

/// The path of one of this crate's binaries (built by cargo for the test).
pub fn binary(name: &str) -> PathBuf {
    match name {
        "api" => PathBuf::from(env!("CARGO_BIN_EXE_api")),
        "scheduler" => PathBuf::from(env!("CARGO_BIN_EXE_scheduler")),
        "worker" => PathBuf::from(env!("CARGO_BIN_EXE_worker")),
        other => panic!("no binary {other}"),
    }
}

impl Running {
    /// Starts binary `name` with `env`.
    pub async fn start(name: &str, env: Vec<(String, String)>) -> Running {
        let emulator = Emulator::start().await.expect("emulator");
        let binary = binary(name);
        let function = Function::spawn(&binary, &emulator, &format!("lethe-{name}"), &env)
            .expect("spawn function");
        Running {
            function,
            emulator,
            binary,
            name: name.into(),
            env,
        }
    }

    /// Kills the process (SIGKILL, by its PID) and starts a fresh one on the
    /// same emulator: a new execution environment.
    pub fn restart(&mut self) {
        self.function.kill();
        self.emulator.reset_first_poll();
        self.function = Function::spawn(
            &self.binary,
            &self.emulator,
            &format!("lethe-{}", self.name),
            &self.env,
        )
        .expect("respawn function");
    }

    /// Invokes with `event`, waiting at most `wait`.
    pub async fn invoke(&self, event: &Value, wait: Duration) -> Invocation {
        match self.emulator.invoke(event, wait).await {
            Ok(answer) => answer,
            Err(e) => panic!("{} did not answer: {e}", self.name),
        }
    }
}

/// The directory of the fixtures the `aws_lambda_events` crate ships.
///
/// The crate's source is where cargo unpacked it to build this test:
/// `$CARGO_HOME/registry/src/<index>/aws_lambda_events-<locked version>`.
/// Only if it is not there (a vendored or relocated source) is
/// `cargo metadata` asked, because an offline metadata run needs the
/// registry index for every platform's dependencies, which a build
/// with `--locked` never fetches.
pub fn fixtures_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let crate_dir = unpacked_crate_dir("aws_lambda_events")
            .unwrap_or_else(|| crate_dir_from_metadata("aws_lambda_events"));
        crate_dir.join("src/fixtures")
    })
    .clone()
}

/// The locked version of `name` in the workspace's `Cargo.lock`.
fn locked_version(name: &str) -> Option<String> {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    let text = std::fs::read_to_string(lock).ok()?;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{name}\"") {
            let version = lines.next()?.trim().strip_prefix("version = ")?;
            return Some(version.trim_matches('"').to_owned());
        }
    }
    None
}

/// Where cargo unpacked the locked version of registry crate `name`.
fn unpacked_crate_dir(name: &str) -> Option<PathBuf> {
    let version = locked_version(name)?;
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    std::fs::read_dir(cargo_home.join("registry/src"))
        .ok()?
        .flatten()
        .map(|index| index.path().join(format!("{name}-{version}")))
        .find(|dir| dir.is_dir())
}

/// The source directory of package `name` as `cargo metadata` reports it.
fn crate_dir_from_metadata(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata json");
    let manifest = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .and_then(|p| p["manifest_path"].as_str())
        .unwrap_or_else(|| panic!("{name} is not in the dependency graph"));
    Path::new(manifest).parent().expect("crate dir").to_owned()
}

/// A fixture by file name.
pub fn fixture(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture json")
}

/// An API Gateway HTTP API (v2) request, from the crate's fixture with
/// the method, path, query, headers and body replaced.
pub fn http_event(
    method: &str,
    path_and_query: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Value {
    let mut event = fixture("example-apigw-v2-request-no-authorizer.json");
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    event["rawPath"] = json!(path);
    event["rawQueryString"] = json!(query);
    event["requestContext"]["http"]["method"] = json!(method);
    event["requestContext"]["http"]["path"] = json!(path);
    let headers = event["headers"].as_object_mut().expect("headers");
    if let Some(key) = bearer {
        headers.insert("authorization".into(), json!(format!("Bearer {key}")));
    }
    match body {
        Some(body) => {
            let text = body.to_string();
            headers.insert("content-type".into(), json!("application/json"));
            headers.insert("content-length".into(), json!(text.len().to_string()));
            event["body"] = json!(text);
        }
        None => {
            headers.insert("content-length".into(), json!("0"));
        }
    }
    event["isBase64Encoded"] = json!(false);
    event
}

/// What the `api` function answered: status and JSON body.
pub fn http_answer(invocation: &Invocation) -> (u16, Value) {
    let r = &invocation.response;
    let status = r["statusCode"].as_u64().expect("statusCode") as u16;
    let body = r["body"].as_str().unwrap_or("null");
    let body = if r["isBase64Encoded"] == json!(true) {
        json!({"base64": body})
    } else {
        serde_json::from_str(body).unwrap_or_else(|_| json!(body))
    };
    (status, body)
}

/// Calls the `api` function and returns status and body.
pub async fn call(
    api: &Running,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let event = http_event(method, path, key, body);
    http_answer(&api.invoke(&event, Duration::from_secs(60)).await)
}

/// The SQS event Lambda would deliver for these deliveries (the crate's
/// fixture, one record per delivery).
pub fn sqs_event(world: &World, deliveries: &[lethe_core::ports::Delivery]) -> Value {
    let template = fixture("example-sqs-event.json")["Records"][0].clone();
    let records: Vec<Value> = deliveries
        .iter()
        .map(|d| {
            let mut r = template.clone();
            r["messageId"] = json!(d.id);
            r["receiptHandle"] = json!(d.receipt);
            r["body"] = json!(d.body);
            r["md5OfBody"] = json!(null);
            r["md5OfMessageAttributes"] = json!(null);
            r["messageAttributes"] = json!({});
            r["awsRegion"] = json!("eu-west-1");
            r["eventSourceARN"] = json!(format!(
                "arn:aws:sqs:eu-west-1:123456789012:{}",
                world.config.queue
            ));
            r["attributes"]["ApproximateReceiveCount"] = json!(d.receive_count.to_string());
            r
        })
        .collect();
    json!({ "Records": records })
}

/// What one round of the event source mapping did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Round {
    /// Records delivered to the worker.
    pub delivered: usize,
    /// Records the worker reported as failed (left on the queue).
    pub failed: usize,
}

/// Plays the SQS event source mapping once: receives up to `batch`
/// messages from the world's queue on moto, invokes the worker with them,
/// deletes those it did not report as failed.
pub async fn mapping_round(
    world: &World,
    worker: &Running,
    batch: usize,
    visibility: Duration,
) -> Round {
    let queue = &world.queue;
    let deliveries = queue.receive(batch, visibility).await.expect("receive");
    if deliveries.is_empty() {
        return Round::default();
    }
    let event = sqs_event(world, &deliveries);
    let answer = worker.invoke(&event, Duration::from_secs(120)).await;
    let failed: Vec<String> = answer.response["batchItemFailures"]
        .as_array()
        .expect("batchItemFailures")
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap_or_default().to_string())
        .collect();
    for d in &deliveries {
        if !failed.contains(&d.id) {
            queue.ack(&d.receipt).await.expect("delete message");
        }
    }
    Round {
        delivered: deliveries.len(),
        failed: failed.len(),
    }
}

/// Runs mapping rounds until the queue gives nothing (at most `rounds`).
pub async fn drain(world: &World, worker: &Running, rounds: usize) -> usize {
    let mut handled = 0;
    for _ in 0..rounds {
        let round = mapping_round(world, worker, 10, Duration::from_secs(30)).await;
        if round.delivered == 0 {
            return handled;
        }
        assert_eq!(round.failed, 0, "the worker reported failures");
        handled += round.delivered;
    }
    panic!("the queue was not drained in {rounds} rounds");
}

/// E-mails moto's SES recorded as sent to `to`: (subject, body).
pub async fn sent_mail(world: &World, to: &str) -> Vec<(String, String)> {
    let url = format!("{}/moto-api/data.json", world.endpoint);
    let data: Value = reqwest::get(&url)
        .await
        .expect("moto data")
        .json()
        .await
        .expect("moto data json");
    data["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == to))
        })
        .map(|m| {
            (
                m["subject"].as_str().unwrap_or_default().to_string(),
                m["body"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The first link to the public URL in a mail body, as a path and query.
pub fn link_in(body: &str) -> Option<String> {
    let start = body.find(PUBLIC_URL)? + PUBLIC_URL.len();
    let rest = &body[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '"')
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// Creates tenant `acme` on `stack`, with the default settings.
pub async fn tenant_acme(stack: &Stack) {
    stack
        .engine
        .bootstrap_tenant(
            "acme",
            "acme",
            lethe_core::tenant::Settings::default(),
            "tests",
        )
        .await
        .expect("tenant");
}

/// A world named after `tag` behind a fault proxy (no faults yet), an
/// in-process stack on it with `clock`, and tenant `acme`.
pub async fn acme_behind_proxy(
    tag: &str,
    clock: Arc<dyn Clock>,
) -> (lethe_fault_proxy::FaultProxy, World, Stack) {
    let proxy = lethe_fault_proxy::FaultProxy::counting(&endpoint())
        .await
        .expect("proxy");
    let world = World::create_at(tag, &proxy.endpoint()).await;
    let stack = world.stack(clock).await;
    tenant_acme(&stack).await;
    (proxy, world, stack)
}

/// The details of tenant `acme`'s audit events of `action`, oldest first.
pub async fn audited(stack: &Stack, action: &str) -> Vec<Value> {
    lethe_core::audit::list(stack.aws.control.as_ref(), "acme", 0, 1000)
        .await
        .expect("audit trail")
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.details)
        .collect()
}

/// Tenant `acme` on `stack`, `count` customers from `Synth::new(seed)`
/// ingested, and a confirmed bulk erasure of all of them (its chunks on
/// the queue, of the stack's chunk size). The ids are not themselves
/// personal data, so every head stays where it is (an e-mail id moves to a
/// pseudonym when erased). Returns the customers and the job's id.
pub async fn confirmed_bulk_erasure(
    stack: &Stack,
    count: u64,
    seed: u64,
) -> (Vec<lethe_synth::Customer>, String) {
    let engine = &stack.engine;
    tenant_acme(stack).await;
    let mut synth = lethe_synth::Synth::new(seed);
    synth.email_ids_every = 0;
    let customers: Vec<lethe_synth::Customer> = synth
        .customers(count, jiff::Timestamp::now(), |_| 1)
        .collect();
    let items: Vec<lethe_core::engine::IngestItem> =
        customers.iter().flat_map(|c| c.items.clone()).collect();
    for batch in items.chunks(500) {
        engine.ingest("acme", batch.to_vec()).await.expect("ingest");
    }
    let ids = lethe_core::bulk_input::from_ids(customers.iter().map(|c| c.id.clone()).collect())
        .expect("ids");
    let job = engine
        .create_bulk_job("acme", &ids, "tests")
        .await
        .expect("job");
    engine
        .confirm_job("acme", &job.id, "tests")
        .await
        .expect("confirm");
    (customers, job.id)
}

/// Checks that `job` of `acme` completed with every one of `customers`
/// redacted exactly once (by each head's count), its certificate signed, and
/// nothing dead-lettered.
pub async fn assert_each_redacted_once(
    world: &World,
    stack: &Stack,
    job: &str,
    customers: &[lethe_synth::Customer],
) {
    use lethe_core::ports::ItemStore;
    let done = stack.engine.job("acme", job).await.expect("job");
    assert_eq!(
        done.status,
        lethe_core::engine::model::JobStatus::Completed,
        "{:?}",
        done.status
    );
    assert_eq!(done.counts.succeeded, customers.len() as u64);
    assert_eq!(done.counts.failed, 0);
    assert!(
        done.certificate.is_some(),
        "the job's certificate was signed"
    );
    for c in customers {
        let head = stack
            .aws
            .data
            .get(&lethe_core::keys::head("acme", &c.id))
            .await
            .expect("head")
            .expect("head exists");
        assert_eq!(head.body["redactions"], 1, "customer redacted once");
    }
    assert!(world.queue.dead_letters(10).await.expect("dlq").is_empty());
}
