//! Fault tests: throttling, 5xx, dropped connections, half-done batches
//! and lost answers, injected between the adapters and moto by
//! `lethe-fault-proxy`; the final state is read directly from moto (a
//! second configuration, without the proxy).
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests --test faults
//! ```
//!
//! What each case shows:
//!
//! | case | faults | shows |
//! |------|--------|-------|
//! | `dynamodb_throttling_loses_and_duplicates_nothing` | every 2nd write / query throttled, half-done `BatchWriteItem`s, short query pages, 500s on reads | every record once, at the expected version |
//! | `dynamodb_concurrent_throttling_keeps_its_retries` | 800 concurrent writes, each throttled once | the retry quota holds: every write lands (the SDK's default quota leaked under concurrency; `AwsConfig` now sets its own) |
//! | `dynamodb_lost_answers_on_conditional_writes` | conditional `UpdateItem`s done, then answered 500 or dropped | the SDK's retry meets its own write; the adapter recognises it and answers success with the right version (no false `ConditionFailed`, no double bump); real conflicts still fail |
//! | `s3_faults_keep_contents_exact` | 5xx / `SlowDown` / dropped connections on puts, gets, heads, parts, listing | contents and SHA-256 exact |
//! | `s3_lost_answers_on_conditional_puts` | `If-Match` / `If-None-Match` puts and multipart completions done, then answered 500 | success, not `ConditionFailed`; real conflicts still fail |
//! | `sqs_faults_deliver_every_message_once` | throttled / half-done sends, 503 receives, 500 deletes | every message delivered and acknowledged once; queue and DLQ empty |
//! | `sqs_lost_answers_are_redelivered_not_lost` | a send, a receive and a delete done, then failed | at-least-once: the resent batch is a duplicate (SQS standard queues cannot dedupe), the lost receive comes back after its visibility timeout, the repeated delete is harmless; nothing lost, DLQ empty |
//! | `ses_throttling_sends_once` | 429 `TooManyRequestsException`, then a send done and answered 500 | one mail after throttling; a lost answer sends twice (SES has no idempotency token) |
//! | `a_permanent_outage_is_unavailable_within_a_bound` | 503 on every call | `Unavailable` after the configured attempts, in bounded time, naming no key or value |
//!
//! Each case has its own table, bucket and queues (`cf-faults-*`), so
//! cases run in parallel against one moto server.

#![cfg(feature = "moto-tests")]

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use bytes::Bytes;
use lethe_aws::{
    AwsConfig, DynamoTable, S3Blobs, SesMailer, SqsQueue, create_bucket, create_email_identity,
    create_queues, create_table,
};
use lethe_conformance::unique;
use lethe_core::digest::sha256_hex;
use lethe_core::ports::{
    BlobStore, Condition, ItemStore, JobQueue, KeyRange, Notification, NotificationKind, Notifier,
    PortError, PutCondition, Record, RecordKey, Write, query_all, read_all,
};
use lethe_fault_proxy::{Fault, FaultPlan, FaultProxy, Rule};
use serde_json::{Value, json};

/// The moto server (`scripts/with-moto.sh` exports it; loopback only).
fn moto() -> String {
    let endpoint = std::env::var("LETHE_AWS_ENDPOINT").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "LETHE_AWS_ENDPOINT must name a loopback moto server; run \
         `scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests --test faults`"
    );
    endpoint
}

/// Straight to moto: setup and the final checks.
async fn direct() -> AwsConfig {
    AwsConfig::emulator(&moto()).await
}

/// A proxy to moto applying `plan`, and a configuration that goes through it.
async fn proxied(plan: FaultPlan) -> (FaultProxy, AwsConfig) {
    let proxy = FaultProxy::start(&moto(), plan)
        .await
        .expect("start the proxy");
    let config = AwsConfig::emulator(&proxy.endpoint()).await;
    (proxy, config)
}

/// The attempts the SDK makes per call (`AwsConfig`'s rule).
fn max_attempts() -> u64 {
    std::env::var("LETHE_AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(5)
        .clamp(1, 20)
}

/// A key that looks like a customer's, to check errors never repeat it.
fn key(tenant: &str, n: usize) -> RecordKey {
    RecordKey::new(
        format!("T#{tenant}#C#secret-subject"),
        format!("item#{n:04}"),
    )
}

fn body(n: usize, round: u32) -> Value {
    json!({ "n": n, "round": round, "note": "secret-value" })
}

fn assert_names_nothing(e: &PortError) {
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("secret-") && !text.contains("item#"),
        "an error names a key or a value: {text}"
    );
}

/// Waits for `cond`, at most `limit`.
async fn within<F, Fut>(limit: Duration, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

// ---------------------------------------------------------------- DynamoDB

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_throttling_loses_and_duplicates_nothing() {
    let name = unique("faults");
    let moto_table = create_table(&direct().await.dynamodb(), &name)
        .await
        .expect("table");
    let plan = FaultPlan::new()
        .rule(
            Rule::new("dynamodb", Fault::Throttle)
                .operations(["PutItem", "UpdateItem", "BatchWriteItem"])
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("dynamodb", Fault::ThrottlingException)
                .operation("Query")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("dynamodb", Fault::InternalError)
                .operation("GetItem")
                .every(3)
                .up_to_attempt(1),
        )
        // The first attempts the throttling rule lets through: half-done
        // batches (the adapter retries the unprocessed part; its next
        // call is throttled once, then passes). And short pages.
        .rule(
            Rule::new("dynamodb", Fault::PartialBatch { held_back: 10 })
                .operation("BatchWriteItem")
                .up_to_attempt(1),
        )
        .rule(Rule::new("dynamodb", Fault::ShortPage { limit: 7 }).operation("Query"));
    let (proxy, config) = proxied(plan).await;
    let t = DynamoTable::new(config.dynamodb(), &name);
    let tenant = "faults-ddb";
    const N: usize = 300;

    // 300 creations (Absent), then 300 updates at version 1, in batches.
    let creates = (0..N)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 1)),
            condition: Condition::Absent,
        })
        .collect();
    let created = t.write_batch(creates).await.expect("batch of creations");
    for (i, r) in created.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&1), "creation {i}: {r:?}");
    }
    let updates = (0..N)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 2)),
            condition: Condition::Version(1),
        })
        .collect();
    let updated = t.write_batch(updates).await.expect("batch of updates");
    for (i, r) in updated.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&2), "update {i}: {r:?}");
    }
    // 20 single puts on top.
    for i in 0..20 {
        let v = t
            .put(
                Record::new(key(tenant, i), body(i, 3)),
                Condition::Version(2),
            )
            .await
            .expect("single put");
        assert_eq!(v, 3);
    }
    // 60 records that go again: unconditional deletes are BatchWriteItem
    // calls (25 at a time), half-done or throttled.
    let doomed = "faults-ddb-doomed";
    let puts = (0..60)
        .map(|i| Write::Put {
            record: Record::new(key(doomed, i), body(i, 1)),
            condition: Condition::None,
        })
        .collect();
    assert!(
        t.write_batch(puts)
            .await
            .expect("puts")
            .iter()
            .all(Result::is_ok)
    );
    let deletes = (0..60)
        .map(|i| Write::Delete {
            key: key(doomed, i),
            condition: Condition::None,
        })
        .collect();
    let deleted = t.write_batch(deletes).await.expect("deletes");
    assert!(deleted.iter().all(Result::is_ok), "{deleted:?}");

    // Reads through the faults: paged queries (short pages, throttled),
    // and gets (500s).
    let pk = key(tenant, 0).pk;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let page = t
            .query(&pk, &KeyRange::All, cursor.as_deref(), 50)
            .await
            .expect("query page");
        seen.extend(page.records.into_iter().map(|r| r.key.sk));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), N, "every record, once, through the proxy");
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted, seen, "in order, no repeats");
    for i in [0, 19, 20, 299] {
        let r = t.get(&key(tenant, i)).await.expect("get").expect("present");
        assert_eq!(r.version, if i < 20 { 3 } else { 2 });
    }

    // The truth, from moto.
    let all = query_all(&moto_table, &pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert_eq!(all.len(), N);
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.key, key(tenant, i));
        let round = if i < 20 { 3 } else { 2 };
        assert_eq!(r.version, u64::from(round), "record {i}");
        assert_eq!(r.body, body(i, round), "record {i}");
    }
    let gone = query_all(&moto_table, &key(doomed, 0).pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert!(gone.is_empty(), "{} deleted records left", gone.len());

    let injected = proxy.injected_counts();
    let of = |op: &str| {
        injected
            .get(&("dynamodb".to_owned(), op.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    assert!(of("UpdateItem") >= 300, "{injected:?}");
    assert!(of("BatchWriteItem") >= 2, "{injected:?}");
    assert!(of("Query") >= 2, "{injected:?}");
    assert!(of("GetItem") >= 1, "{injected:?}");
    // 680 puts (300 + 300 + 20 + the 60 doomed ones); every 2nd first
    // attempt throttled, each retried once.
    assert_eq!(proxy.count("dynamodb", "UpdateItem"), 680 + 340);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_lost_answers_on_conditional_writes() {
    let name = unique("faults");
    let moto_table = create_table(&direct().await.dynamodb(), &name)
        .await
        .expect("table");
    let lost = |fault: Fault| {
        FaultPlan::new().rule(
            Rule::new("dynamodb", fault)
                .operation("UpdateItem")
                .first(1)
                .after_forwarding(),
        )
    };
    let (proxy, config) = proxied(lost(Fault::InternalError)).await;
    let t = DynamoTable::new(config.dynamodb(), &name);
    let tenant = "faults-lost";
    let k = key(tenant, 1);

    // Absent: the creation happened, its answer was a 500; the SDK's
    // retry finds the record and fails `attribute_not_exists`. The
    // adapter sees that the record holds its own write: success.
    let v = t
        .put(Record::new(k.clone(), body(1, 1)), Condition::Absent)
        .await
        .expect("a creation whose answer was lost is still a success");
    assert_eq!(v, 1);
    assert_eq!(proxy.count("dynamodb", "UpdateItem"), 2, "one retry");

    // Version: same, with the connection dropped instead.
    proxy.set_plan(lost(Fault::Reset));
    let v = t
        .put(Record::new(k.clone(), body(1, 2)), Condition::Version(1))
        .await
        .expect("an update whose answer was lost is still a success");
    assert_eq!(v, 2);

    // Unconditional and Exists: the retry must not bump the version twice.
    proxy.set_plan(lost(Fault::InternalError));
    let v = t
        .put(Record::new(k.clone(), body(1, 3)), Condition::None)
        .await
        .expect("put");
    assert_eq!(v, 3, "one write, one version");
    proxy.set_plan(lost(Fault::Unavailable));
    let v = t
        .put(Record::new(k.clone(), body(1, 4)), Condition::Exists)
        .await
        .expect("put");
    assert_eq!(v, 4);
    let r = moto_table.get(&k).await.expect("get").expect("present");
    assert_eq!((r.version, r.body), (4, body(1, 4)));

    // A real conflict is still a conflict.
    let stale = t
        .put(Record::new(k.clone(), body(1, 99)), Condition::Version(1))
        .await
        .expect_err("stale version");
    assert!(stale.is_condition_failed(), "{stale:?}");
    assert_names_nothing(&stale);
    let absent = t
        .put(Record::new(k.clone(), body(1, 99)), Condition::Absent)
        .await
        .expect_err("exists");
    assert!(absent.is_condition_failed(), "{absent:?}");

    // A batch where every 2nd write is done and its answer lost.
    proxy.set_plan(
        FaultPlan::new().rule(
            Rule::new("dynamodb", Fault::InternalError)
                .operation("UpdateItem")
                .every(2)
                .up_to_attempt(1)
                .after_forwarding(),
        ),
    );
    let writes = (10..60)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 1)),
            condition: Condition::Absent,
        })
        .collect();
    let results = t.write_batch(writes).await.expect("batch");
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&1), "write {i}: {r:?}");
    }
    let writes = (10..60)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 2)),
            condition: Condition::Version(1),
        })
        .collect();
    let results = t.write_batch(writes).await.expect("batch");
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&2), "write {i}: {r:?}");
    }
    let all = query_all(&moto_table, &k.pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert_eq!(all.len(), 51);
    for r in all.iter().skip(1) {
        assert_eq!(r.version, 2, "{:?}", r.key);
    }
    // 4 single lost answers, then every 2nd of 100 first attempts.
    assert_eq!(proxy.injected(), 4 + 50);

    // What the adapter cannot tell: a conditional delete done and its
    // answer lost. The retry finds nothing and fails its condition; an
    // absent record does not say who deleted it, so the port answers
    // ConditionFailed — and the record is gone, as asked. (The engine
    // re-reads on ConditionFailed and finds nothing.)
    proxy.set_plan(
        FaultPlan::new().rule(
            Rule::new("dynamodb", Fault::InternalError)
                .operation("DeleteItem")
                .first(1)
                .after_forwarding(),
        ),
    );
    let e = t
        .delete(&k, Condition::Version(4))
        .await
        .expect_err("the retry meets the deletion");
    assert!(e.is_condition_failed(), "{e:?}");
    assert_eq!(moto_table.get(&k).await.expect("get"), None);
}

// ---------------------------------------------------------------------- S3

/// Deterministic content: `len` bytes from a seed (xorshift).
fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    use std::io::Write as _;
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(bytes).expect("write");
    f.flush().expect("flush");
    f
}

const PART: usize = 5 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_faults_keep_contents_exact() {
    let name = unique("faults");
    let moto_blobs = create_bucket(&direct().await.s3(), &name)
        .await
        .expect("bucket");
    let plan = FaultPlan::new()
        .rule(
            Rule::new("s3", Fault::InternalError)
                .operation("PutObject")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Unavailable)
                .operation("GetObject")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Throttle)
                .operation("UploadPart")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Reset)
                .operation("HeadObject")
                .every(3)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Reset)
                .operation("CreateMultipartUpload")
                .first(1),
        )
        .rule(
            Rule::new("s3", Fault::InternalError)
                .operation("CompleteMultipartUpload")
                .first(1),
        )
        .rule(
            Rule::new("s3", Fault::Throttle)
                .operation("ListObjectsV2")
                .first(1),
        );
    let (proxy, config) = proxied(plan).await;
    let b = S3Blobs::new(config.s3(), &name).with_multipart(PART as u64, PART);

    let mut expected: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..12u64 {
        let key = format!("exports/faults/obj-{i:02}.bin");
        let bytes = content(i, (i as usize) * 5000);
        let meta = b
            .put(
                &key,
                Bytes::from(bytes.clone()),
                "application/octet-stream",
                PutCondition::Absent,
            )
            .await
            .expect("put through 500s");
        assert_eq!(meta.sha256, sha256_hex(&bytes));
        assert_eq!(meta.size, bytes.len() as u64);
        expected.insert(key, bytes);
    }
    // 11 MiB: three parts, every 2nd part throttled, the creation's
    // connection dropped once and the completion answered 500 once.
    let big = content(99, 11 * 1024 * 1024);
    let file = temp_file(&big);
    let big_key = "datasets/faults/big.csv".to_owned();
    let meta = b
        .put_file(&big_key, file.path(), "text/csv", PutCondition::Absent)
        .await
        .expect("multipart through faults");
    assert_eq!(meta.sha256, sha256_hex(&big));
    expected.insert(big_key, big);

    // Reads through the faults.
    for (key, bytes) in &expected {
        let (meta, got) = read_all(&b, key).await.expect("get through 503s");
        assert_eq!(sha256_hex(&got), sha256_hex(bytes), "{key}");
        assert_eq!(meta.sha256, sha256_hex(bytes), "{key}");
        let head = b.head(key).await.expect("head").expect("present");
        assert_eq!(head.size, bytes.len() as u64, "{key}");
    }
    let listed = b.list("").await.expect("list");
    assert_eq!(listed.len(), expected.len());

    // The truth, from moto.
    for (key, bytes) in &expected {
        let (meta, got) = read_all(&moto_blobs, key).await.expect("direct get");
        assert_eq!(got.len(), bytes.len(), "{key}");
        assert_eq!(sha256_hex(&got), sha256_hex(bytes), "{key}");
        assert_eq!(meta.sha256, sha256_hex(bytes), "{key}");
    }
    let injected = proxy.injected_counts();
    for op in [
        "PutObject",
        "GetObject",
        "UploadPart",
        "HeadObject",
        "CreateMultipartUpload",
        "CompleteMultipartUpload",
        "ListObjectsV2",
    ] {
        assert!(
            injected.contains_key(&("s3".to_owned(), op.to_owned())),
            "no fault on {op}: {injected:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_lost_answers_on_conditional_puts() {
    let name = unique("faults");
    let moto_blobs = create_bucket(&direct().await.s3(), &name)
        .await
        .expect("bucket")
        .with_multipart(PART as u64, PART);
    let lost = |op: &str, fault: Fault| {
        FaultPlan::new().rule(
            Rule::new("s3", fault)
                .operation(op)
                .first(1)
                .after_forwarding(),
        )
    };
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let b = S3Blobs::new(config.s3(), &name).with_multipart(PART as u64, PART);
    let key = "datasets/faults/customers.csv";
    let v1 = b"v1: the dataset".to_vec();
    let first = moto_blobs
        .put(
            key,
            Bytes::from(v1.clone()),
            "text/csv",
            PutCondition::Absent,
        )
        .await
        .expect("first version");

    // If-Match, done, answered 500: the SDK's retry gets 412 (the etag
    // moved — to our own write). The adapter sees its own write there:
    // success, with the new etag.
    proxy.set_plan(lost("PutObject", Fault::InternalError));
    let v2 = b"v2: rewritten before the items".to_vec();
    let second = b
        .put(
            key,
            Bytes::from(v2.clone()),
            "text/csv",
            PutCondition::Matches(first.etag.clone()),
        )
        .await
        .expect("a replace whose answer was lost is still a success");
    assert_ne!(second.etag, first.etag);
    assert_eq!(proxy.count("s3", "PutObject"), 2, "one retry");
    let (meta, got) = read_all(&moto_blobs, key).await.expect("direct get");
    assert_eq!(got, v2);
    assert_eq!(meta.etag, second.etag);

    // A stale etag is still a conflict.
    let stale = b
        .put(
            key,
            Bytes::from_static(b"v3"),
            "text/csv",
            PutCondition::Matches(first.etag.clone()),
        )
        .await
        .expect_err("stale etag");
    assert!(stale.is_condition_failed(), "{stale:?}");

    // If-None-Match, done, connection dropped.
    proxy.set_plan(lost("PutObject", Fault::Reset));
    let fresh = "exports/faults/once.json";
    b.put(
        fresh,
        Bytes::from_static(b"{}"),
        "application/json",
        PutCondition::Absent,
    )
    .await
    .expect("a creation whose answer was lost is still a success");
    let again = b
        .put(
            fresh,
            Bytes::from_static(b"{}"),
            "application/json",
            PutCondition::Absent,
        )
        .await
        .expect_err("a second creation is a conflict, same content or not");
    assert!(again.is_condition_failed());

    // Multipart, If-Match on the completion, done and answered 500: the
    // retried completion finds no upload (or a moved etag).
    proxy.set_plan(lost("CompleteMultipartUpload", Fault::InternalError));
    let big = content(7, 6 * 1024 * 1024);
    let file = temp_file(&big);
    let third = b
        .put_file(
            key,
            file.path(),
            "text/csv",
            PutCondition::Matches(second.etag.clone()),
        )
        .await
        .expect("a multipart replace whose answer was lost is still a success");
    assert_eq!(third.sha256, sha256_hex(&big));
    let (_, got) = read_all(&moto_blobs, key).await.expect("direct get");
    assert_eq!(sha256_hex(&got), sha256_hex(&big));
    // And unconditional.
    proxy.set_plan(lost("CompleteMultipartUpload", Fault::Unavailable));
    let other = "datasets/faults/plain.csv";
    b.put_file(other, file.path(), "text/csv", PutCondition::Any)
        .await
        .expect("an unconditional multipart upload whose answer was lost");
    let (_, got) = read_all(&moto_blobs, other).await.expect("direct get");
    assert_eq!(sha256_hex(&got), sha256_hex(&big));
    assert!(proxy.injected() >= 4);
}

// --------------------------------------------------------------------- SQS

/// Messages still in the queue, visible or not (moto's counts are exact).
async fn left_in(config: &AwsConfig, url: &str) -> u64 {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = config
        .sqs()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
        .attribute_names(A::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .expect("queue attributes");
    out.attributes()
        .map(|a| {
            a.values()
                .filter_map(|v| v.parse::<u64>().ok())
                .sum::<u64>()
        })
        .unwrap_or(0)
}

/// Receives and acknowledges until `want` distinct messages came, or the
/// time is up; returns every delivery, in order.
async fn drain(
    q: &SqsQueue,
    want: usize,
    visibility: Duration,
    limit: Duration,
) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < limit {
        let batch = q.receive(10, visibility).await.expect("receive");
        for d in &batch {
            got.push((d.id.clone(), d.body.clone()));
            q.ack(&d.receipt).await.expect("ack");
        }
        let distinct: std::collections::HashSet<&String> = got.iter().map(|(id, _)| id).collect();
        if distinct.len() >= want {
            break;
        }
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_faults_deliver_every_message_once() {
    let name = unique("faults");
    let moto_config = direct().await;
    let moto_queue = create_queues(&moto_config.sqs(), &name, 5)
        .await
        .expect("queues");
    let plan = FaultPlan::new()
        .rule(
            Rule::new("sqs", Fault::Throttle)
                .operation("SendMessageBatch")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("sqs", Fault::PartialBatch { held_back: 4 })
                .operation("SendMessageBatch")
                .every(3),
        )
        .rule(
            Rule::new("sqs", Fault::Unavailable)
                .operation("ReceiveMessage")
                .every(3)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("sqs", Fault::ThrottlingException)
                .operation("ReceiveMessage")
                .every(4)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("sqs", Fault::InternalError)
                .operation("DeleteMessage")
                .every(2)
                .up_to_attempt(1),
        );
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let q = SqsQueue::open(&config.sqs(), &name).await.expect("open");
    proxy.set_plan(plan);

    const N: usize = 60;
    let bodies: Vec<String> = (0..N).map(|i| format!("{{\"chunk\":{i}}}")).collect();
    q.send(bodies.clone())
        .await
        .expect("send through throttling");

    let got = drain(&q, N, Duration::from_secs(60), Duration::from_secs(30)).await;
    let mut per_body: HashMap<&str, usize> = HashMap::new();
    for (_, b) in &got {
        *per_body.entry(b.as_str()).or_default() += 1;
    }
    assert_eq!(got.len(), N, "one delivery per message");
    for b in &bodies {
        assert_eq!(per_body.get(b.as_str()), Some(&1), "{b}");
    }
    // Nothing left, nothing dead-lettered (read from moto).
    assert_eq!(left_in(&moto_config, moto_queue.queue_url()).await, 0);
    assert_eq!(
        left_in(&moto_config, moto_queue.dead_letter_queue_url()).await,
        0
    );
    let injected = proxy.injected_counts();
    for op in ["SendMessageBatch", "ReceiveMessage", "DeleteMessage"] {
        assert!(
            injected.contains_key(&("sqs".to_owned(), op.to_owned())),
            "no fault on {op}: {injected:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_lost_answers_are_redelivered_not_lost() {
    let name = unique("faults");
    let moto_config = direct().await;
    let moto_queue = create_queues(&moto_config.sqs(), &name, 5)
        .await
        .expect("queues");
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let q = SqsQueue::open(&config.sqs(), &name).await.expect("open");
    let lost = |op: &str, fault: Fault| {
        Rule::new("sqs", fault)
            .operation(op)
            .first(1)
            .after_forwarding()
    };
    proxy.set_plan(
        FaultPlan::new()
            .rule(lost("SendMessageBatch", Fault::Reset))
            .rule(lost("ReceiveMessage", Fault::InternalError))
            .rule(lost("DeleteMessage", Fault::InternalError)),
    );
    const N: usize = 5;
    let bodies: Vec<String> = (0..N).map(|i| format!("{{\"chunk\":{i}}}")).collect();
    q.send(bodies.clone()).await.expect("send");
    // The batch went in, its answer was lost, the SDK sent it again: SQS
    // standard queues keep both copies (the port is at-least-once; the
    // engine's chunk handling is idempotent).
    assert_eq!(
        left_in(&moto_config, moto_queue.queue_url()).await,
        2 * N as u64
    );

    // The first receive's messages went in flight with the answer lost:
    // they come back after the 1 s visibility timeout.
    let got = drain(&q, 2 * N, Duration::from_secs(1), Duration::from_secs(20)).await;
    let mut ids: Vec<&String> = got.iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "an acknowledged message came back");
    assert_eq!(got.len(), 2 * N, "every copy delivered");
    for b in &bodies {
        assert_eq!(got.iter().filter(|(_, x)| x == b).count(), 2, "{b}");
    }
    let empty = within(Duration::from_secs(5), || async {
        left_in(&moto_config, moto_queue.queue_url()).await == 0
    })
    .await;
    assert!(empty, "messages left in the queue");
    assert_eq!(
        left_in(&moto_config, moto_queue.dead_letter_queue_url()).await,
        0
    );
    assert_eq!(proxy.injected(), 3);
}

// -------------------------------------------------------------------- SES

/// Mail moto has sent so far in this region (SES v1 `GetSendQuota`,
/// `SentLast24Hours`, one per recipient). moto's `/moto-api/data.json`
/// would list the messages themselves, but it fails (500) once the
/// server holds certain multipart uploads, so the count it is. Only
/// `ses_throttling_sends_once` sends mail in this binary, and cargo runs
/// test binaries one at a time, so differences are exact.
fn ses_sent() -> f64 {
    let endpoint = moto();
    let addr = endpoint.trim_start_matches("http://");
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-1".to_owned());
    let body = "Action=GetSendQuota&Version=2010-12-01";
    let request = format!(
        "POST / HTTP/1.0\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/{region}/ses/aws4_request, \
         SignedHeaders=host, Signature=00\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let answer = http(addr, &request).expect("GetSendQuota");
    let value = answer
        .split("<SentLast24Hours>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse::<f64>().ok());
    value.unwrap_or_else(|| panic!("no SentLast24Hours in moto's answer"))
}

/// One HTTP/1.0 exchange on loopback; the body of a 200 answer.
fn http(addr: &str, request: &str) -> std::io::Result<String> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(std::io::Error::other("not 200"));
    }
    Ok(body.to_owned())
}

fn notification(to: &str) -> Notification {
    Notification {
        kind: NotificationKind::JobCompleted,
        to: to.to_owned(),
        subject: "Job finished".to_owned(),
        body: "Your job finished.".to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ses_throttling_sends_once() {
    let sender = format!("{}@example.com", unique("faults"));
    create_email_identity(&direct().await.sesv2(), &sender)
        .await
        .expect("verify the sender");
    let plan = FaultPlan::new().rule(
        Rule::new("sesv2", Fault::Throttle)
            .operation("SendEmail")
            .first(2),
    );
    let (proxy, config) = proxied(plan).await;
    let mailer = SesMailer::new(config.sesv2(), &sender);

    let before = ses_sent();
    let once = format!("{}@example.org", unique("to"));
    mailer
        .send(&notification(&once))
        .await
        .expect("sent after two 429s");
    assert_eq!(proxy.count("sesv2", "SendEmail"), 3);
    assert_eq!(ses_sent() - before, 1.0, "one mail");

    // A send done and answered 500: the SDK sends again, SES has no
    // idempotency token, the recipient gets two mails. (The notifier is
    // at-least-once; the engine sends notifications after the state
    // change they report, so a duplicate repeats, it never lies.)
    proxy.set_plan(
        FaultPlan::new().rule(
            Rule::new("sesv2", Fault::InternalError)
                .operation("SendEmail")
                .first(1)
                .after_forwarding(),
        ),
    );
    let before = ses_sent();
    let twice = format!("{}@example.org", unique("to"));
    mailer.send(&notification(&twice)).await.expect("sent");
    assert_eq!(ses_sent() - before, 2.0, "a lost answer sends twice");
}

// ------------------------------------------------------------------ Bounds

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_outage_is_unavailable_within_a_bound() {
    let name = unique("faults");
    let setup = direct().await;
    create_table(&setup.dynamodb(), &name).await.expect("table");
    create_bucket(&setup.s3(), &name).await.expect("bucket");
    create_queues(&setup.sqs(), &name, 3).await.expect("queues");
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let queue = SqsQueue::open(&config.sqs(), &name).await.expect("open");
    let table = DynamoTable::new(config.dynamodb(), &name);
    let blobs = S3Blobs::new(config.s3(), &name);
    let mailer = SesMailer::new(config.sesv2(), "no-reply@example.com");
    proxy.set_plan(FaultPlan::new().rule(Rule::new("*", Fault::Unavailable)));
    proxy.reset_counts();

    let attempts = max_attempts();
    let started = Instant::now();
    let mut errors: Vec<(&str, PortError)> = Vec::new();
    let k = key("faults-outage", 1);
    errors.push((
        "GetItem",
        table.get(&k).await.expect_err("get during an outage"),
    ));
    errors.push((
        "UpdateItem",
        table
            .put(Record::new(k.clone(), body(1, 1)), Condition::Absent)
            .await
            .expect_err("put during an outage"),
    ));
    errors.push((
        "PutObject",
        blobs
            .put(
                "exports/secret-subject/x.json",
                Bytes::from_static(b"{\"secret-value\":1}"),
                "application/json",
                PutCondition::Any,
            )
            .await
            .expect_err("blob put during an outage"),
    ));
    errors.push((
        "GetObject",
        blobs
            .get("exports/secret-subject/x.json")
            .await
            .map(|_| ())
            .expect_err("blob get during an outage"),
    ));
    errors.push((
        "SendMessageBatch",
        queue
            .send(vec!["{\"secret-value\":1}".to_owned()])
            .await
            .expect_err("send during an outage"),
    ));
    errors.push((
        "SendEmail",
        mailer
            .send(&notification("secret-subject@example.org"))
            .await
            .expect_err("mail during an outage"),
    ));
    let elapsed = started.elapsed();
    for (op, e) in &errors {
        assert!(matches!(e, PortError::Unavailable { .. }), "{op}: {e:?}");
        assert_names_nothing(e);
    }
    // Six calls, each `attempts` tries with backoff capped at 5 s.
    assert!(
        elapsed < Duration::from_secs(30),
        "an outage took {elapsed:?} to report"
    );
    for (service, op) in [
        ("dynamodb", "GetItem"),
        ("dynamodb", "UpdateItem"),
        ("s3", "PutObject"),
        ("s3", "GetObject"),
        ("sqs", "SendMessageBatch"),
        ("sesv2", "SendEmail"),
    ] {
        // Every attempt, no more: the retry quota is far from empty.
        assert_eq!(proxy.count(service, op), attempts, "{service} {op}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_concurrent_throttling_keeps_its_retries() {
    // Every call is throttled once, then passes; 800 of them, 16 at a
    // time (a batch). With the SDK's default retry quota the concurrent
    // retries leaked its tokens and, after ~490 calls, throttles came
    // back as `Unavailable` without a retry (~370 of 800 failed); with
    // `AwsConfig`'s quota (a success earns back a retry's cost) none do.
    let name = unique("faults");
    let moto_table = create_table(&direct().await.dynamodb(), &name)
        .await
        .expect("table");
    let plan = FaultPlan::new().rule(
        Rule::new("dynamodb", Fault::Throttle)
            .operation("UpdateItem")
            .up_to_attempt(1),
    );
    let (proxy, config) = proxied(plan).await;
    let t = DynamoTable::new(config.dynamodb(), &name);
    const N: usize = 800;
    let tenant = "faults-quota";
    let writes = (0..N)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 1)),
            condition: Condition::Absent,
        })
        .collect();
    let results = t.write_batch(writes).await.expect("batch");
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, 0, "{:?}", results.iter().find(|r| r.is_err()));
    assert_eq!(proxy.injected(), N as u64);
    assert_eq!(proxy.count("dynamodb", "UpdateItem"), 2 * N as u64);
    let all = query_all(&moto_table, &key(tenant, 0).pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert_eq!(all.len(), N);
    assert!(all.iter().all(|r| r.version == 1));
}
