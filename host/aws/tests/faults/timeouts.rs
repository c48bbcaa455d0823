//! Stalled calls: the proxy holds calls (`Fault::Slow`), and each
//! attempt's timeout (`AwsConfig`'s `attempt_timeout`) gives a stalled
//! attempt up so the SDK retries it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use lethe_aws::{AwsConfig, DynamoTable, S3Blobs, create_bucket, create_table};
use lethe_conformance::unique;
use lethe_core::ports::{
    BlobStore, Condition, ItemStore, PortError, PutCondition, Record, RecordKey, read_all,
};
use lethe_fault_proxy::{Fault, FaultPlan, FaultProxy, Rule};
use serde_json::json;

use crate::support::{self, assert_names_nothing, direct, moto};

/// How long the proxy holds a stalled call: far longer than an attempt.
const STALL: Duration = Duration::from_secs(5);

/// The attempt timeout these tests configure.
const ATTEMPT: Duration = Duration::from_millis(400);

fn stall(service: &str, operation: &str) -> Rule {
    let millis = u64::try_from(STALL.as_millis()).expect("millis");
    Rule::new(service, Fault::Slow { millis }).operation(operation)
}

/// A table and a bucket of their own on moto, and a configuration that
/// reaches them through a proxy with `plan` and attempts bounded by
/// [`ATTEMPT`].
async fn world(plan: FaultPlan) -> (FaultProxy, AwsConfig, DynamoTable, S3Blobs) {
    let name = unique("timeouts");
    let direct = direct().await;
    create_table(&direct.dynamodb(), &name)
        .await
        .expect("table");
    create_bucket(&direct.s3(), &name).await.expect("bucket");
    let proxy = FaultProxy::start(&moto(), plan).await.expect("proxy");
    let config = AwsConfig::emulator(&proxy.endpoint())
        .await
        .expect("AWS settings")
        .with_attempt_timeout(ATTEMPT);
    assert_eq!(config.attempt_timeout, ATTEMPT);
    let table = DynamoTable::new(config.dynamodb(), &name);
    let blobs = S3Blobs::new(config.s3(), &name);
    (proxy, config, table, blobs)
}

/// The record the tests read: a key that looks like a customer's.
fn key() -> RecordKey {
    support::key("timeouts", 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_attempt_is_given_up_and_retried() {
    let (proxy, _, table, blobs) = world(FaultPlan::new()).await;
    table
        .put(Record::new(key(), json!({"v": 1})), Condition::Absent)
        .await
        .expect("put");
    proxy.set_plan(
        FaultPlan::new()
            .rule(stall("dynamodb", "GetItem").first(1))
            .rule(stall("s3", "PutObject").first(1)),
    );
    proxy.reset_counts();

    let started = Instant::now();
    let record = table.get(&key()).await.expect("get").expect("found");
    let got_in = started.elapsed();
    assert_eq!(record.body, json!({"v": 1}));
    assert_eq!(proxy.count("dynamodb", "GetItem"), 2, "one retry");
    assert!(
        got_in >= ATTEMPT && got_in < STALL,
        "the get took {got_in:?}: not one given-up attempt and a retry"
    );

    let started = Instant::now();
    blobs
        .put(
            "exports/x.json",
            Bytes::from_static(b"{\"a\":1}"),
            "application/json",
            PutCondition::Any,
        )
        .await
        .expect("blob put");
    let put_in = started.elapsed();
    assert_eq!(proxy.count("s3", "PutObject"), 2, "one retry");
    assert!(put_in < STALL, "the put took {put_in:?}");
    let (_, stored) = read_all(&blobs, "exports/x.json").await.expect("get blob");
    assert_eq!(stored, b"{\"a\":1}");
    // The given-up attempts still reach moto when their stall ends; that
    // is the lost-answer case the adapters already tolerate.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_stays_stalled_is_unavailable_within_a_bound() {
    let (proxy, config, table, _) =
        world(FaultPlan::new().rule(stall("dynamodb", "GetItem"))).await;
    let attempts = config.max_attempts;
    let started = Instant::now();
    let e = table.get(&key()).await.expect_err("a stalled service");
    let elapsed = started.elapsed();
    match &e {
        PortError::Unavailable { reason, .. } => {
            assert!(reason.contains("timed out"), "{reason}");
        }
        other => panic!("not Unavailable: {other:?}"),
    }
    assert_names_nothing(&e);
    assert!(proxy.count("dynamodb", "GetItem") >= 2, "retried");
    // Every attempt given up after 400 ms, with backoff between them: far
    // less than one stall per attempt.
    assert!(elapsed < STALL * attempts, "gave up after {elapsed:?}");
}
